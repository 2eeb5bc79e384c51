import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { retryDelivery, rotateWebhookSecret } from '../../../../functions/core/events/admin.js';
import type { WebhookEndpoint } from '../../../../functions/core/events/endpoint.js';
import type { WebhookEvent } from '../../../../functions/core/events/model.js';
import type { Delivery } from '../../../../functions/core/events/ports.js';
import { DISABLE_AFTER_MS, RETRY_DELAYS_MS } from '../../../../functions/core/events/schedule.js';
import { messageId, newSigningSecret } from '../../../../functions/core/events/signing.js';
import { runDeliveryJob, type WorkerDeps } from '../../../../functions/core/events/worker.js';
import type { OutboundHttp, OutboundRequest } from '../../../../functions/core/shared/outbound-http.js';
import { FakeClock } from '../../../support/fakes.js';
import { MemoryDeliveryLog, MemoryDeliveryQueue, MemoryEndpoints, MemoryOutboundEvents } from '../../../support/webhook-fakes.js';

const event: WebhookEvent = {
  id: 'evt_1',
  type: 'subscriber.confirmed',
  timestamp: '2026-11-25T10:00:00.000Z',
  data: { email: 'ada@example.org', lists: ['news'], lang: 'en', status: 'confirmed', confirmedAt: '2026-11-25T10:00:00.000Z' },
};

/** A receiver that answers each request with `status(n)` and keeps what it got, with the clock's time. */
const receiver = (clock: FakeClock, status: (n: number) => number) => {
  const got: (OutboundRequest & { at: number })[] = [];
  const http: OutboundHttp = {
    async request(request) {
      got.push({ ...request, at: clock.now().getTime() });
      return { status: status(got.length - 1), headers: {}, body: '', truncated: false };
    },
  };
  return { http, got };
};

const setUp = async (status: (n: number) => number, endpointFields: Partial<WebhookEndpoint> = {}) => {
  const clock = new FakeClock();
  const endpoints = new MemoryEndpoints();
  const endpoint: WebhookEndpoint = { id: 'wh_0123456789abcdef', url: 'https://hooks.example.org/in', events: ['*'], secret: newSigningSecret(), createdAt: '2026-11-01T00:00:00.000Z', ...endpointFields };
  await endpoints.create(endpoint);
  const events = new MemoryOutboundEvents();
  await events.put(event, undefined, clock.now());
  const deliveries = new MemoryDeliveryLog();
  const queue = new MemoryDeliveryQueue(clock);
  const { http, got } = receiver(clock, status);
  const disabled: string[] = [];
  const deps: WorkerDeps = {
    clock,
    random: () => 0.5, // no jitter: the schedule's own waits
    endpoints,
    events,
    deliveries,
    queue,
    http,
    onEndpointDisabled: async (id) => {
      disabled.push(id);
    },
  };
  const id = messageId(event.id, endpoint.id);
  const at = clock.now().toISOString();
  const delivery: Delivery = { id, webhookId: endpoint.id, eventId: event.id, type: event.type, status: 'pending', attempts: 0, generation: 0, createdAt: at, at };
  await deliveries.create(delivery);
  await queue.send([{ delivery: id, generation: 0, delaySeconds: 0 }]);
  /** Runs the queue as SQS and Lambda would, the clock jumping to each job's time, until it is empty. */
  const drain = async () => {
    const outcomes: string[] = [];
    while (queue.jobs.length > 0) {
      clock.current = new Date(Math.max(clock.now().getTime(), queue.next()));
      for (const job of queue.due()) outcomes.push(await runDeliveryJob(deps, job));
    }
    return outcomes;
  };
  return { clock, deps, events, endpoint, id, got, disabled, drain };
};

afterEach(() => {
  vi.useRealTimers();
});

describe('the delivery worker', () => {
  it('delivers on a 2xx answer, once, however often its job is queued', async () => {
    const { deps, id, got, drain } = await setUp(() => 200);
    await deps.queue.send([{ delivery: id, generation: 0, delaySeconds: 0 }]);
    expect(await drain()).toEqual(['delivered', 'gone']);
    expect(got).toHaveLength(1);
    expect(await deps.deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 1, responseStatus: 200 });
  });

  it('retries a failing endpoint after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then fails the delivery', async () => {
    const { deps, id, got, drain } = await setUp(() => 503);
    const outcomes = await drain();
    const waits = got.slice(1).map((request, i) => request.at - (got[i]?.at ?? 0));
    expect(waits).toEqual([...RETRY_DELAYS_MS]);
    expect(outcomes.filter((o) => o === 'retrying')).toHaveLength(7);
    // Waits longer than SQS's 15-minute delay are made of several: the job comes early and waits again.
    expect(outcomes.filter((o) => o === 'waiting').length).toBeGreaterThan(0);
    expect(outcomes.at(-1)).toBe('failed');
    expect(await deps.deliveries.get(id)).toMatchObject({ status: 'failed', attempts: 8, responseStatus: 503, error: 'status' });
    // Every attempt carries the same webhook-id, so a receiver drops what it already has.
    expect(new Set(got.map((r) => r.headers?.['webhook-id']))).toEqual(new Set([id]));
  });

  it('succeeds on a later attempt, and the endpoint is failing no more', async () => {
    const { deps, endpoint, id, drain } = await setUp((n) => (n < 2 ? 500 : 204));
    await drain();
    expect(await deps.deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect((await deps.endpoints.get(endpoint.id))?.failingSince).toBeUndefined();
  });

  it('disables an endpoint that has failed for three days, tells the admins once, and stops its pending deliveries', async () => {
    const clockStart = new FakeClock().now().getTime();
    const { deps, events, endpoint, id, disabled, drain } = await setUp(() => 500, { failingSince: new Date(clockStart - DISABLE_AFTER_MS).toISOString() });
    const other = messageId('evt_2', endpoint.id);
    await events.put({ ...event, id: 'evt_2' }, undefined, deps.clock.now());
    const at = deps.clock.now().toISOString();
    await deps.deliveries.create({ id: other, webhookId: endpoint.id, eventId: 'evt_2', type: event.type, status: 'pending', attempts: 0, generation: 0, createdAt: at, at });
    await deps.queue.send([{ delivery: other, generation: 0, delaySeconds: 0 }]);
    expect(await drain()).toEqual(['failed', 'stopped']);
    expect((await deps.endpoints.get(endpoint.id))?.disabledAt).toBeDefined();
    expect(disabled).toEqual([endpoint.id]);
    expect(await deps.deliveries.get(id)).toMatchObject({ status: 'failed' });
    expect(await deps.deliveries.get(other)).toMatchObject({ status: 'failed', error: 'endpoint_disabled', attempts: 0 });
  });

  it('sends nothing for an event that was scrubbed by an erase', async () => {
    const { deps, id, got, drain } = await setUp(() => 200);
    (deps.events as MemoryOutboundEvents).events.clear();
    expect(await drain()).toEqual(['stopped']);
    expect(got).toHaveLength(0);
    expect(await deps.deliveries.get(id)).toMatchObject({ status: 'failed', error: 'event_gone' });
  });

  it('sends a failed delivery again on a manual retry, and drops the jobs of its earlier generation', async () => {
    const { deps, endpoint, id, got, drain } = await setUp((n) => (n < 8 ? 500 : 200));
    await drain();
    expect(await deps.deliveries.get(id)).toMatchObject({ status: 'failed', attempts: 8 });
    await deps.queue.send([{ delivery: id, generation: 0, delaySeconds: 0 }]); // a stray job of the old generation
    const view = await retryDelivery({ ...deps, checkUrl: async () => undefined }, endpoint.id, id);
    expect(view).toMatchObject({ status: 'pending', attempt: 0 });
    expect(await drain()).toEqual(['stale', 'delivered']);
    expect(got).toHaveLength(9);
    expect(await deps.deliveries.get(id)).toMatchObject({ status: 'delivered', attempts: 1, generation: 1 });
  });

  it('signs with both secrets for 24 hours after a rotation, so a receiver on either verifies; then with the new one alone', async () => {
    const { clock, deps, events, endpoint, got } = await setUp(() => 200);
    const old = endpoint.secret;
    const { secret } = await rotateWebhookSecret(deps, endpoint.id);
    // The receiver's clock is the worker's (standardwebhooks refuses a timestamp five minutes off its own).
    const verify = (request: OutboundRequest | undefined, key: string) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(deps.clock.now());
      return new Webhook(key).verify(request?.body ?? '', {
        'webhook-id': request?.headers?.['webhook-id'] ?? '',
        'webhook-timestamp': request?.headers?.['webhook-timestamp'] ?? '',
        'webhook-signature': request?.headers?.['webhook-signature'] ?? '',
      });
    };
    const sendAt = async (hoursLater: number, eventId: string) => {
      clock.current = new Date(clock.now().getTime() + hoursLater * 3600_000);
      await events.put({ ...event, id: eventId }, undefined, deps.clock.now());
      const id = messageId(eventId, endpoint.id);
      const at = deps.clock.now().toISOString();
      await deps.deliveries.create({ id, webhookId: endpoint.id, eventId, type: event.type, status: 'pending', attempts: 0, generation: 0, createdAt: at, at });
      expect(await runDeliveryJob(deps, { delivery: id, generation: 0 })).toBe('delivered');
      return got.at(-1);
    };
    const during = await sendAt(23, 'evt_during');
    expect(verify(during, old)).toMatchObject({ type: 'subscriber.confirmed' });
    expect(verify(during, secret)).toMatchObject({ type: 'subscriber.confirmed' });
    expect(during?.headers?.['webhook-signature']?.split(' ')).toHaveLength(2);
    const afterwards = await sendAt(2, 'evt_after');
    expect(verify(afterwards, secret)).toMatchObject({ type: 'subscriber.confirmed' });
    expect(() => verify(afterwards, old)).toThrow();
  });
});
