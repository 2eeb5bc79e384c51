import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { deliver } from '../../../../functions/core/events/delivery.js';
import type { WebhookEndpoint } from '../../../../functions/core/events/endpoint.js';
import { eventBody, WebhookEvent } from '../../../../functions/core/events/model.js';
import { messageId, newSigningSecret, rotateSecret, SigningSecret, signingSecrets } from '../../../../functions/core/events/signing.js';
import type { OutboundHttp, OutboundRequest } from '../../../../functions/core/shared/outbound-http.js';
import { parse } from '../../../../functions/core/shared/schema.js';
import { FakeClock } from '../../../support/fakes.js';

/** The receiver a newsroom writes: Standard Webhooks' own library, verifying the raw body with its secret. */
const receive = (secret: string, request: OutboundRequest) => new Webhook(secret).verify(request.body ?? '', request.headers ?? {});

/** An endpoint that records what it was sent and answers `status`. */
const recorder = (status = 204) => {
  const sent: OutboundRequest[] = [];
  const http: OutboundHttp = {
    request: async (request) => {
      sent.push(request);
      return { status, headers: {}, body: '', truncated: false };
    },
  };
  return { sent, http };
};

// Receivers refuse a timestamp more than five minutes from their own clock: these tests sign at the real time.
const clock = () => new FakeClock(new Date());

const endpoint = (secret = newSigningSecret()): WebhookEndpoint => ({
  id: 'wh_1',
  url: 'https://hooks.example.org/appeal',
  events: ['*'],
  secret,
  createdAt: '2026-11-01T00:00:00.000Z',
});

const confirmed = parse(WebhookEvent, {
  id: 'evt_1',
  type: 'subscriber.confirmed',
  timestamp: '2026-11-25T10:00:00.000Z',
  data: { email: 'reader@example.org', name: 'Ada', lists: ['weekly'], lang: 'en', status: 'confirmed', confirmedAt: '2026-11-25T10:00:00.000Z' },
});

describe('signed events', () => {
  it('makes secrets in the Standard Webhooks form, each different', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_/);
    expect(() => parse(SigningSecret, a)).not.toThrow();
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(a);
  });

  it('sends a body the receiver verifies with standardwebhooks and reads as {type, timestamp, data}', async () => {
    const target = endpoint();
    const { sent, http } = recorder();

    const report = await deliver(target, confirmed, http, clock());

    expect(report).toMatchObject({ delivered: true, responseStatus: 204 });
    const [request] = sent;
    expect(request?.method).toBe('POST');
    expect(request?.headers?.['content-type']).toBe('application/json');
    expect(receive(target.secret, request!)).toEqual({ type: 'subscriber.confirmed', timestamp: confirmed.timestamp, data: confirmed.data });
    expect(request?.body).toBe(eventBody(confirmed));
  });

  it('refuses verification with another secret or a changed body', async () => {
    const target = endpoint();
    const { sent, http } = recorder();
    await deliver(target, confirmed, http, clock());
    const request = sent[0]!;

    expect(() => receive(newSigningSecret(), request)).toThrow(WebhookVerificationError);
    expect(() => receive(target.secret, { ...request, body: request.body!.replace('Ada', 'Eve') })).toThrow(WebhookVerificationError);
  });

  it('keeps one webhook-id for every attempt of an event to an endpoint, and a different one per endpoint and per event', async () => {
    const target = endpoint();
    const { sent, http } = recorder(500);
    const time = clock();
    await deliver(target, confirmed, http, time);
    time.advance(5);
    await deliver(target, confirmed, http, time);
    await deliver({ ...target, id: 'wh_2' }, confirmed, http, time);
    await deliver(target, { ...confirmed, id: 'evt_2' }, http, time);

    const ids = sent.map((r) => r.headers?.['webhook-id']);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).toBe(messageId('evt_1', 'wh_1'));
    expect(new Set(ids).size).toBe(3);
    // Each attempt is signed at its own time.
    expect(Number(sent[1]?.headers?.['webhook-timestamp'])).toBe(Number(sent[0]?.headers?.['webhook-timestamp']) + 5);
  });

  it('signs with both secrets for 24 hours after a rotation, so the old and the new secret both verify, then with the new one only', async () => {
    const time = clock();
    const old = endpoint();
    const rotated = { ...old, ...rotateSecret(old, newSigningSecret(), time.now()) };
    const { sent, http } = recorder();

    await deliver(rotated, confirmed, http, time);
    const during = sent[0]!;
    expect(during.headers?.['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(during.headers?.['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+ v1,[A-Za-z0-9+/=]+$/);
    expect(receive(old.secret, during)).toMatchObject({ type: 'subscriber.confirmed' });
    expect(receive(rotated.secret, during)).toMatchObject({ type: 'subscriber.confirmed' });

    expect(signingSecrets(rotated, new Date(time.now().getTime() + 24 * 3600_000 - 1))).toHaveLength(2);
    const dayLater = new Date(time.now().getTime() + 24 * 3600_000);
    expect(signingSecrets(rotated, dayLater)).toEqual([rotated.secret]);
  });

  it('drops a secret rotated out earlier when the endpoint is rotated again: two sign at most', () => {
    const now = new Date('2026-11-25T10:00:00.000Z');
    const first = endpoint();
    const second = rotateSecret(first, newSigningSecret(), now);
    const third = rotateSecret(second, newSigningSecret(), now);
    expect(signingSecrets(third, now)).toEqual([third.secret, second.secret]);
    expect(signingSecrets(third, now)).not.toContain(first.secret);
  });

  it('gives an erased subscriber’s event only the address’s hash', () => {
    const erased = parse(WebhookEvent, {
      id: 'evt_9',
      type: 'subscriber.erased',
      timestamp: '2026-11-25T10:00:00.000Z',
      data: { emailHash: 'a'.repeat(64) },
    });
    expect(JSON.parse(eventBody(erased)).data).toEqual({ emailHash: 'a'.repeat(64) });
    expect(() => parse(WebhookEvent, { ...erased, data: { emailHash: 'a'.repeat(64), email: 'reader@example.org' } })).not.toThrow();
    // zod objects strip unknown keys: an address given by mistake never reaches the body.
    expect(eventBody(parse(WebhookEvent, { ...erased, data: { emailHash: 'a'.repeat(64), email: 'reader@example.org' } }))).not.toContain('reader@');
  });

  it('refuses a donation event without its contract fields', () => {
    const paid = { id: 'evt_3', type: 'donation.paid', timestamp: '2026-11-25T10:00:00.000Z' };
    expect(() => parse(WebhookEvent, { ...paid, data: { id: 'pi_1', campaign: 'spring', amount: 2500, currency: 'usd', frequency: 'once', status: 'paid' } })).not.toThrow();
    expect(() => parse(WebhookEvent, { ...paid, data: { id: 'pi_1', campaign: 'spring', amount: 25.5, currency: 'usd', frequency: 'once', status: 'paid' } })).toThrow();
    expect(() => parse(WebhookEvent, { ...paid, type: 'donation.sent', data: {} })).toThrow();
  });
});
