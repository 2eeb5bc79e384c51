import { describe, expect, it } from 'vitest';
import type { ItemChange } from '../../../../functions/core/events/changes.js';
import type { WebhookEndpoint } from '../../../../functions/core/events/endpoint.js';
import { publishChanges } from '../../../../functions/core/events/publish.js';
import { newSigningSecret } from '../../../../functions/core/events/signing.js';
import { addressKey } from '../../../../functions/core/shared/email-address.js';
import { readerRecord } from '../../../support/connector-fakes.js';
import { FakeClock, testKeys } from '../../../support/fakes.js';
import { MemoryDeliveryLog, MemoryDeliveryQueue, MemoryEndpoints, MemoryOutboundEvents } from '../../../support/webhook-fakes.js';

const endpoint = (id: string, events: WebhookEndpoint['events'], extra: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  id,
  url: `https://${id}.example.org/hooks`,
  events,
  secret: newSigningSecret(),
  createdAt: '2026-11-01T00:00:00.000Z',
  ...extra,
});

const setUp = async (endpoints: WebhookEndpoint[]) => {
  const clock = new FakeClock();
  const store = new MemoryEndpoints();
  for (const e of endpoints) await store.create(e);
  const deps = {
    clock,
    keys: testKeys,
    endpoints: store,
    events: new MemoryOutboundEvents(),
    deliveries: new MemoryDeliveryLog(),
    queue: new MemoryDeliveryQueue(clock),
    language: 'en' as const,
  };
  return deps;
};

const confirmed: ItemChange = { table: 'subscribers', pk: 'SUB#ada@example.org', old: readerRecord('ada@example.org', 'pending', 1), new: readerRecord('ada@example.org', 'confirmed', 2) };

const monthlyGift = (key: string, email = 'dee@example.org') => ({
  key,
  status: 'paid',
  campaign: 'spring',
  amount: 1000,
  currency: 'usd',
  frequency: 'monthly',
  subscription: 'sub_1',
  donorEmail: email,
  refunded: 0,
  disputed: false,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  contributed: { raised: 1000, donations: 1, donor: true },
  receiptQueued: false,
  signupQueued: false,
  version: 1,
});

describe('publishing changes as events', () => {
  it('keeps the event and makes one pending delivery per listening endpoint, each queued, and nothing for an endpoint that does not listen or is disabled', async () => {
    const deps = await setUp([
      endpoint('wh_a', ['*']),
      endpoint('wh_b', ['subscriber.confirmed']),
      endpoint('wh_c', ['donation.paid']),
      endpoint('wh_d', ['*'], { disabledAt: '2026-11-20T00:00:00.000Z' }),
    ]);
    expect(await publishChanges(deps, [confirmed])).toEqual({ events: 1, deliveries: 2 });
    expect([...deps.deliveries.items.values()].map((d) => d.webhookId).sort()).toEqual(['wh_a', 'wh_b']);
    expect(deps.queue.jobs.map((j) => j.delivery).sort()).toEqual([...deps.deliveries.items.keys()].sort());
    // The queue carries ids only.
    expect(JSON.stringify(deps.queue.jobs)).not.toContain('ada@');
    expect(JSON.stringify([...deps.deliveries.items.values()])).not.toContain('ada@');
  });

  it('creates nothing twice when the same change is read again (a stream record processed twice)', async () => {
    const deps = await setUp([endpoint('wh_a', ['*'])]);
    await publishChanges(deps, [confirmed]);
    await publishChanges(deps, [confirmed]);
    expect(deps.events.events.size).toBe(1);
    expect(deps.deliveries.items.size).toBe(1);
    // The job is queued again (a run that died before queueing it leaves none otherwise); the worker attempts once.
    expect(new Set(deps.queue.jobs.map((j) => j.delivery)).size).toBe(1);
  });

  it('keeps nothing when no endpoint listens', async () => {
    const deps = await setUp([endpoint('wh_c', ['donation.paid'])]);
    expect(await publishChanges(deps, [confirmed])).toEqual({ events: 0, deliveries: 0 });
    expect(deps.events.events.size).toBe(0);
  });

  it('scrubs every kept event about a person when they are erased, and tells the erase without the address', async () => {
    const deps = await setUp([endpoint('wh_a', ['*'])]);
    await publishChanges(deps, [confirmed]);
    await publishChanges(deps, [{ table: 'subscribers', pk: 'SUB#ada@example.org', old: readerRecord('ada@example.org', 'confirmed', 2), new: undefined }]);
    const kept = [...deps.events.events.values()];
    expect(kept.map((k) => k.event.type)).toEqual(['subscriber.erased']);
    expect(JSON.stringify(kept)).not.toContain('ada@');
  });

  it('scrubs a donor erased without a subscriber record by their marker, and leaves their address out of a gift told later', async () => {
    const deps = await setUp([endpoint('wh_a', ['*'])]);
    const subject = addressKey(testKeys, 'dee@example.org');
    await publishChanges(deps, [{ table: 'donations', pk: 'GIFT#pi_1', old: undefined, new: monthlyGift('pi_1') }]);
    expect([...deps.events.events.values()].map((k) => k.event.type).sort()).toEqual(['donation.paid', 'monthly.started']);
    deps.events.erased.add(subject);
    await publishChanges(deps, [{ table: 'subscribers', pk: `SUPPRESS#${subject}`, new: { reason: 'erased', at: '2026-11-03T00:00:00.000Z' } }]);
    expect(deps.events.events.size).toBe(0);
    await publishChanges(deps, [{ table: 'donations', pk: 'GIFT#pi_2', old: undefined, new: monthlyGift('pi_2') }]);
    const [later] = [...deps.events.events.values()];
    expect(later?.event).toMatchObject({ type: 'donation.paid', data: { id: 'pi_2' } });
    expect(JSON.stringify(later)).not.toContain('dee@');
  });

  it('tells a monthly gift\'s start once, whichever month is seen first, and its end with what its start told', async () => {
    const deps = await setUp([endpoint('wh_a', ['monthly.started', 'monthly.cancelled'])]);
    await publishChanges(deps, [{ table: 'donations', pk: 'GIFT#pi_2', old: undefined, new: monthlyGift('pi_2') }]);
    await publishChanges(deps, [{ table: 'donations', pk: 'GIFT#pi_1', old: undefined, new: monthlyGift('pi_1') }]);
    await publishChanges(deps, [{ table: 'donations', pk: 'GIFT#pi_2', old: undefined, new: monthlyGift('pi_2') }]);
    await publishChanges(deps, [{ table: 'donations', pk: 'MONTHLY#sub_1', old: { status: 'active' }, new: { status: 'ended', endedAt: '2026-12-01T00:00:00.000Z' } }]);
    const events = [...deps.events.events.values()].map((k) => k.event);
    expect(events).toMatchObject([
      { type: 'monthly.started', data: { id: 'sub_1', amount: 1000, currency: 'usd', frequency: 'monthly', status: 'active', email: 'dee@example.org' } },
      { type: 'monthly.cancelled', timestamp: '2026-12-01T00:00:00.000Z', data: { id: 'sub_1', status: 'cancelled', email: 'dee@example.org' } },
    ]);
  });
});
