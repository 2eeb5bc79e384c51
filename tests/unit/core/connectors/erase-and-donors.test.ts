import { describe, expect, it } from 'vitest';
import type { Connector } from '../../../../functions/core/connectors/admin.js';
import type { DonorStatus, } from '../../../../functions/core/connectors/model.js';
import { readDonorStatus } from '../../../../functions/core/connectors/sync.js';
import type { ItemChange } from '../../../../functions/core/events/changes.js';
import { publishChanges } from '../../../../functions/core/events/publish.js';
import { runDeliveryJob, type WorkerDeps } from '../../../../functions/core/events/worker.js';
import { MemoryConnectors, MemoryDonorLedger, MemoryErasedAddresses, readerRecord, ScriptedTool } from '../../../support/connector-fakes.js';
import { FakeClock, MemorySubscribers, testKeys } from '../../../support/fakes.js';
import { MemoryDeliveryLog, MemoryDeliveryQueue, MemoryEndpoints, MemoryOutboundEvents } from '../../../support/webhook-fakes.js';

const EMAIL = 'dee@example.org';

const reader = (status: string, version: number) => readerRecord(EMAIL, status, version, { name: 'Dee', lang: 'en' });

const gift = (key: string, fields: Record<string, unknown> = {}) => ({
  key,
  status: 'paid',
  campaign: 'spring',
  amount: 2500,
  currency: 'usd',
  frequency: 'once',
  donorEmail: EMAIL,
  refunded: 0,
  disputed: false,
  createdAt: '2026-11-01T00:00:00.000Z',
  paidAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  contributed: { raised: 2500, donations: 1, donor: true },
  receiptQueued: false,
  signupQueued: false,
  version: 1,
  ...fields,
});

const CONNECTOR: Connector = {
  id: 'cn_0123456789abcdef',
  settings: { kind: 'mailchimp', apiKey: 'a1b2c3d4e5f60718293a4b5c6d7e8f90-us6', list: 'a1b2c3' },
  createdAt: '2026-11-01T00:00:00.000Z',
};

const setUp = async () => {
  const clock = new FakeClock();
  const connectors = new MemoryConnectors();
  await connectors.create(CONNECTOR);
  const subscribers = new MemorySubscribers();
  await subscribers.save(reader('confirmed', 2), undefined);
  const tool = new ScriptedTool();
  const events = new MemoryOutboundEvents();
  const deliveries = new MemoryDeliveryLog();
  const queue = new MemoryDeliveryQueue(clock);
  const erasedAddresses = new MemoryErasedAddresses();
  const donors = new MemoryDonorLedger();
  const publish = { clock, keys: testKeys, endpoints: new MemoryEndpoints(), events, deliveries, queue, language: 'en' as const, connectors, erasedAddresses, donors };
  const worker: WorkerDeps = {
    clock,
    random: () => 0.5,
    endpoints: new MemoryEndpoints(),
    events,
    deliveries,
    queue,
    http: { request: async () => { throw new Error('a connector makes no signed POST'); }, check: async () => [] } as unknown as WorkerDeps['http'],
    onEndpointDisabled: async () => {},
    connectors: {
      clock,
      connectors,
      connectorFor: async () => tool,
      subscribers,
      language: 'en',
      erasedAddresses,
      donorStatus: (email) => readDonorStatus({ keys: testKeys, donors }, email),
    },
  };
  const runDue = async () => Promise.all(queue.due().map((job) => runDeliveryJob(worker, job)));
  const erase = (): ItemChange => ({ table: 'subscribers', pk: `SUB#${EMAIL}`, old: reader('confirmed', 3), new: undefined });
  const giftChange = (old: unknown, now: unknown, key = 'pi_1'): ItemChange => ({
    table: 'donations',
    pk: `GIFT#${key}`,
    old: old as Record<string, unknown> | undefined,
    new: now as Record<string, unknown>,
  });
  return { clock, tool, subscribers, deliveries, queue, publish, worker, runDue, erasedAddresses, donors, events, erase, giftChange };
};

describe('an erase reaches the newsletter tools', () => {
  it('asks each tool to erase the person, from a sealed copy of the address that is gone once the delivery is done', async () => {
    const { tool, publish, runDue, erasedAddresses, erase, queue, events } = await setUp();
    await publishChanges(publish, [erase()]);
    // The event names no one; the address waits only beside the connector's delivery.
    expect(JSON.stringify([...events.events.values()])).not.toContain(EMAIL);
    expect(JSON.stringify(queue.jobs)).not.toContain(EMAIL);
    expect(erasedAddresses.items.size).toBe(1);
    expect(await runDue()).toEqual(['delivered']);
    expect(tool.calls).toEqual([{ method: 'erase', email: EMAIL }]);
    expect(erasedAddresses.items.size).toBe(0);
  });

  it('erases once however often the change is read, and a job run again asks nothing more', async () => {
    const { tool, publish, runDue, erase, erasedAddresses } = await setUp();
    await publishChanges(publish, [erase()]);
    await publishChanges(publish, [erase()]);
    expect((await runDue()).sort()).toEqual(['delivered', 'taken']);
    await publishChanges(publish, [erase()]);
    await runDue();
    expect(tool.calls).toEqual([{ method: 'erase', email: EMAIL }]);
    expect(erasedAddresses.items.size).toBe(0);
  });

  it('keeps the address while the tool is busy, and drops it when the delivery fails for good', async () => {
    const { tool, publish, runDue, erase, erasedAddresses, clock } = await setUp();
    tool.answer = { outcome: 'retry_later', retryAfterSeconds: 5 };
    await publishChanges(publish, [erase()]);
    expect(await runDue()).toEqual(['retrying']);
    expect(erasedAddresses.items.size).toBe(1);
    for (let i = 0; i < 7; i++) {
      clock.advance(11 * 60 * 60);
      await runDue();
    }
    expect(erasedAddresses.items.size).toBe(0);
    expect(tool.calls.every((c) => c.method === 'erase')).toBe(true);
  });

  it('makes no connector delivery for an erase when there is nowhere to keep the address sealed', async () => {
    const { tool, publish, runDue, erase } = await setUp();
    await publishChanges({ ...publish, erasedAddresses: undefined }, [erase()]);
    expect(await runDue()).toEqual([]);
    expect(tool.calls).toEqual([]);
  });
});

describe('the donor status in the newsletter tools', () => {
  it('updates the status of someone on the list when a gift is paid, and again when it is refunded', async () => {
    const { tool, publish, runDue, giftChange } = await setUp();
    await publishChanges(publish, [giftChange(undefined, gift('pi_1'))]);
    await runDue();
    expect(tool.calls).toEqual([
      { method: 'updateDonor', email: EMAIL, donor: { status: 'donor', lastGiftAt: '2026-11-01T00:00:00.000Z', lastGiftAmount: 2500, total: 2500, currency: 'usd' } },
    ]);
    await publishChanges(publish, [giftChange(gift('pi_2', { paidAt: '2026-11-03T00:00:00.000Z', amount: 1000 }), gift('pi_2', { paidAt: '2026-11-03T00:00:00.000Z', amount: 1000 }), 'pi_2')]);
    await publishChanges(publish, [giftChange(undefined, gift('pi_2', { paidAt: '2026-11-03T00:00:00.000Z', amount: 1000 }), 'pi_2')]);
    await runDue();
    expect(tool.calls.at(-1)?.donor).toEqual({ status: 'donor', lastGiftAt: '2026-11-03T00:00:00.000Z', lastGiftAmount: 1000, total: 3500, currency: 'usd' });
    await publishChanges(publish, [giftChange(gift('pi_2', { paidAt: '2026-11-03T00:00:00.000Z', amount: 1000 }), gift('pi_2', { paidAt: '2026-11-03T00:00:00.000Z', amount: 1000, refunded: 1000, version: 2 }), 'pi_2')]);
    await runDue();
    expect(tool.calls.at(-1)?.donor).toEqual({ status: 'donor', lastGiftAt: '2026-11-01T00:00:00.000Z', lastGiftAmount: 2500, total: 2500, currency: 'usd' });
  });

  it('clears the status when every gift is refunded, and a donor not on the list is fine', async () => {
    const { tool, publish, runDue, giftChange, deliveries } = await setUp();
    tool.answer = { outcome: 'not_found' };
    await publishChanges(publish, [giftChange(undefined, gift('pi_1'))]);
    await publishChanges(publish, [giftChange(gift('pi_1'), gift('pi_1', { refunded: 2500, version: 2 }))]);
    expect(await runDue()).toEqual(['delivered', 'delivered']);
    expect(tool.calls.map((c) => c.donor)).toEqual([null, null]);
    expect((await deliveries.list(CONNECTOR.id, { limit: 10 })).every((d) => d.status === 'delivered')).toBe(true);
  });

  it('an older read of a gift never replaces a newer one', async () => {
    const { publish, giftChange, donors } = await setUp();
    await publishChanges(publish, [giftChange(gift('pi_1'), gift('pi_1', { refunded: 500, version: 2 }))]);
    await publishChanges(publish, [giftChange(undefined, gift('pi_1'))]);
    expect((await readDonorStatus({ keys: testKeys, donors }, EMAIL))?.total).toBe(2000);
  });

  it('tells a monthly donor, and a former one once the monthly gift ends', async () => {
    const { publish, giftChange, donors, tool, runDue } = await setUp();
    await publishChanges(publish, [giftChange(undefined, gift('pi_1', { frequency: 'monthly', subscription: 'sub_1', amount: 1000 }))]);
    expect((await readDonorStatus({ keys: testKeys, donors }, EMAIL))?.status).toBe('monthly donor');
    await publishChanges(publish, [{ table: 'donations', pk: 'MONTHLY#sub_1', old: { status: 'active' }, new: { status: 'ended', endedAt: '2026-12-01T00:00:00.000Z' } }]);
    expect((await readDonorStatus({ keys: testKeys, donors }, EMAIL))?.status).toBe('former monthly donor');
    // A start read again after the end does not make them a monthly donor again.
    await publishChanges(publish, [giftChange(undefined, gift('pi_1', { frequency: 'monthly', subscription: 'sub_1', amount: 1000 }))]);
    expect((await readDonorStatus({ keys: testKeys, donors }, EMAIL))?.status).toBe('former monthly donor');
    await runDue();
    expect(tool.calls.map((c) => c.donor && (c.donor as DonorStatus).status)).toContain('former monthly donor');
  });

  it('carries the donor status in the push on confirmation, and none for a reader who never gave', async () => {
    const { publish, giftChange, tool, runDue } = await setUp();
    const confirm: ItemChange = { table: 'subscribers', pk: `SUB#${EMAIL}`, old: reader('pending', 1), new: reader('confirmed', 2) };
    await publishChanges(publish, [confirm]);
    await runDue();
    expect(tool.calls).toEqual([{ method: 'push', email: EMAIL, donor: undefined, subscriber: expect.objectContaining({ email: EMAIL }) }]);
    await publishChanges(publish, [giftChange(undefined, gift('pi_1'))]);
    await runDue();
    await publishChanges(publish, [{ ...confirm, old: reader('unsubscribed', 3), new: reader('confirmed', 4) }]);
    await runDue();
    expect(tool.calls.at(-1)).toMatchObject({ method: 'push', donor: { status: 'donor', total: 2500 } });
  });

});
