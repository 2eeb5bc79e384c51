import { describe, expect, it } from 'vitest';
import { cachedExperiments, type EventDeps, InstanceRateLimiter } from '../../../functions/core/experiments/events.js';
import type { CountedEvent, Experiment } from '../../../functions/core/experiments/model.js';
import { makeHandler } from '../../../functions/events/routes.js';
import { httpEvent } from '../../support/events.js';

const NOW = new Date('2026-12-10T12:00:00Z');
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

const setup = (options: { limit?: number } = {}) => {
  const sent: CountedEvent[] = [];
  let reads = 0;
  const experiments: Record<string, Experiment> = {
    news: { campaign: 'news', since: '2026-12-01T00:00:00.000Z', variants: [{ id: 'control', weight: 1 }, { id: 'urgent', weight: 1, headline: 'Now' }] },
  };
  const clock = { now: () => NOW };
  const deps: EventDeps = {
    clock,
    experiments: cachedExperiments(
      async (campaign) => {
        reads++;
        return experiments[campaign];
      },
      clock,
      60,
    ),
    queue: { send: async (event) => void sent.push(event) },
    limiter: new InstanceRateLimiter(options.limit ?? 120),
  };
  const handler = makeHandler(deps);
  const post = (body: unknown, headers: Record<string, string> = {}, sourceIp?: string) =>
    handler(httpEvent({ method: 'POST', path: '/v1/events', body, headers: { 'user-agent': BROWSER, ...headers }, ...(sourceIp ? { sourceIp } : {}) }));
  return { post, sent, reads: () => reads };
};

describe('POST /v1/events', () => {
  it('queues a view for a known campaign and variant and answers 204 with no body', async () => {
    const { post, sent } = setup();
    const response = await post({ type: 'view', campaign: 'news', variant: 'urgent' });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(sent).toEqual([{ type: 'view', campaign: 'news', variant: 'urgent', day: '2026-12-10' }]);
  });

  it('takes text/plain holding JSON, as navigator.sendBeacon sends a string', async () => {
    const { post, sent } = setup();
    const response = await post(JSON.stringify({ type: 'click', campaign: 'news', variant: 'control' }), { 'content-type': 'text/plain;charset=UTF-8' });
    expect(response.statusCode).toBe(204);
    expect(sent).toHaveLength(1);
  });

  it.each([
    [{ type: 'view', campaign: 'gone', variant: 'control' }, 'unknown_campaign', 'campaign'],
    [{ type: 'view', campaign: 'news', variant: 'calm' }, 'unknown_variant', 'variant'],
    [{ type: 'view', campaign: 'news', variant: 'control', email: 'a@example.org' }, 'invalid_field', undefined],
    [{ type: 'hover', campaign: 'news', variant: 'control' }, 'invalid_field', 'type'],
    [{ campaign: 'news', variant: 'control' }, 'invalid_field', 'type'],
  ])('refuses %j with 400 %s and counts nothing', async (body, code, field) => {
    const { post, sent } = setup();
    const response = await post(body);
    expect(response.statusCode).toBe(400);
    const { error } = JSON.parse(response.body as string);
    expect(error.code).toBe(code);
    // Another field is refused as the other routes refuse one: "Unexpected field.", with no field to name.
    expect(error.field).toBe(field);
    expect(sent).toEqual([]);
  });

  it('refuses a body that is not JSON with 400, and another media type with 415', async () => {
    const { post } = setup();
    expect((await post('type=view', { 'content-type': 'text/plain' })).statusCode).toBe(400);
    expect((await post('type=view&campaign=news', { 'content-type': 'application/x-www-form-urlencoded' })).statusCode).toBe(415);
  });

  it('refuses an oversized body with 413', async () => {
    const { post, sent } = setup();
    const response = await post({ type: 'view', campaign: 'news', variant: 'control', padding: 'x'.repeat(2_000) });
    expect(response.statusCode).toBe(413);
    expect(sent).toEqual([]);
  });

  it('limits each client IP, with Retry-After, and leaves other clients alone', async () => {
    const { post, sent } = setup({ limit: 3 });
    const event = { type: 'view', campaign: 'news', variant: 'control' };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await post(event, {}, '203.0.113.9')).statusCode);
    expect(statuses).toEqual([204, 204, 204, 429, 429]);
    expect((await post(event, {}, '203.0.113.9')).headers['retry-after']).toBe('60');
    expect((await post(event, {}, '203.0.113.10')).statusCode).toBe(204);
    expect(sent).toHaveLength(4);
  });

  it('accepts a crawler’s event but counts no view', async () => {
    const { post, sent } = setup();
    const response = await post({ type: 'view', campaign: 'news', variant: 'control' }, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)' });
    expect(response.statusCode).toBe(204);
    expect(sent).toEqual([]);
  });

  it('reads a campaign once per cache interval, however many views arrive', async () => {
    const { post, reads } = setup();
    for (let i = 0; i < 50; i++) await post({ type: 'view', campaign: 'news', variant: 'control' }, {}, `198.51.100.${i}`);
    for (let i = 0; i < 5; i++) await post({ type: 'view', campaign: 'gone', variant: 'control' }, {}, `198.51.100.${i}`);
    expect(reads()).toBe(2);
  });
});
