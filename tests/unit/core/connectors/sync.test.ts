import { describe, expect, it } from 'vitest';
import type { Connector } from '../../../../functions/core/connectors/admin.js';
import type { ItemChange } from '../../../../functions/core/events/changes.js';
import { publishChanges } from '../../../../functions/core/events/publish.js';
import { runDeliveryJob, type WorkerDeps } from '../../../../functions/core/events/worker.js';
import { MemoryConnectors, readerRecord, ScriptedTool } from '../../../support/connector-fakes.js';
import { FakeClock, MemorySubscribers, testKeys } from '../../../support/fakes.js';
import { MemoryDeliveryLog, MemoryDeliveryQueue, MemoryEndpoints, MemoryOutboundEvents } from '../../../support/webhook-fakes.js';

const reader = (status: string, version: number) => readerRecord('ada@example.org', status, version, { name: 'Ada', lang: 'uk' });

const CONNECTOR: Connector = {
  id: 'cn_0123456789abcdef',
  settings: { kind: 'listmonk', url: 'https://lists.example.org', username: 'appeal', token: 't', lists: [3] },
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
  const publish = { clock, keys: testKeys, endpoints: new MemoryEndpoints(), events, deliveries, queue, language: 'en' as const, connectors };
  const worker: WorkerDeps = {
    clock,
    random: () => 0.5,
    endpoints: new MemoryEndpoints(),
    events,
    deliveries,
    queue,
    http: { request: async () => { throw new Error('a connector makes no signed POST'); }, check: async () => [] } as unknown as WorkerDeps['http'],
    onEndpointDisabled: async () => {},
    connectors: { clock, connectors, connectorFor: async () => tool, subscribers, language: 'en' },
  };
  const change = (from: string, to: string, version: number): ItemChange => ({ table: 'subscribers', pk: 'SUB#ada@example.org', old: reader(from, version - 1), new: reader(to, version) });
  const runDue = async () => Promise.all(queue.due().map((job) => runDeliveryJob(worker, job)));
  return { clock, tool, subscribers, deliveries, queue, publish, worker, change, runDue };
};

describe('a connector, as an endpoint with its own delivery', () => {
  it('pushes a confirmed reader once with their name, language and consent times, however often the change and its job come', async () => {
    const { tool, publish, change, queue, worker, deliveries } = await setUp();
    await publishChanges(publish, [change('pending', 'confirmed', 2)]);
    await publishChanges(publish, [change('pending', 'confirmed', 2)]);
    const jobs = queue.due();
    expect(jobs).toHaveLength(2);
    expect(await Promise.all(jobs.map((job) => runDeliveryJob(worker, job)))).toEqual(['delivered', 'taken']);
    expect(tool.calls).toEqual([
      { method: 'push', email: 'ada@example.org', donor: undefined, subscriber: { email: 'ada@example.org', name: 'Ada', lang: 'uk', signedUpAt: '2026-11-01T00:00:00.000Z', confirmedAt: '2026-11-02T00:00:00.000Z' } },
    ]);
    expect(await deliveries.list('cn_0123456789abcdef', { limit: 10 })).toEqual([expect.objectContaining({ status: 'delivered', attempts: 1, type: 'subscriber.confirmed' })]);
  });

  it('unsubscribes in the tool when the reader leaves or is suppressed', async () => {
    const { tool, publish, change, runDue } = await setUp();
    await publishChanges(publish, [change('confirmed', 'unsubscribed', 3)]);
    await runDue();
    await publishChanges(publish, [change('unsubscribed', 'bounced', 4)]);
    await runDue();
    expect(tool.calls).toEqual([{ method: 'unsubscribe', email: 'ada@example.org' }, { method: 'unsubscribe', email: 'ada@example.org' }]);
  });

  it('never overrides the person\'s own "no" in the tool: Appeal marks its record unsubscribed instead', async () => {
    const { tool, publish, change, runDue, subscribers } = await setUp();
    tool.answer = { outcome: 'refused_by_person', reason: 'blocklisted' };
    await publishChanges(publish, [change('pending', 'confirmed', 2)]);
    expect(await runDue()).toEqual(['delivered']);
    expect(await subscribers.get('ada@example.org')).toMatchObject({ status: 'unsubscribed', unsubscribedAt: '2026-11-25T10:00:00.000Z' });
  });

  it('pushes nothing for a confirmation the reader has since taken back', async () => {
    const { tool, publish, change, runDue, subscribers } = await setUp();
    await publishChanges(publish, [change('pending', 'confirmed', 2)]);
    const current = await subscribers.get('ada@example.org');
    if (current) await subscribers.save({ ...current, status: 'unsubscribed' }, current);
    expect(await runDue()).toEqual(['delivered']);
    expect(tool.calls).toEqual([]);
  });

  it('tries a busy tool again by the schedule, never sooner than it asked, and then pushes', async () => {
    const { tool, publish, change, runDue, clock, queue, deliveries } = await setUp();
    tool.answer = { outcome: 'retry_later', retryAfterSeconds: 120 };
    await publishChanges(publish, [change('pending', 'confirmed', 2)]);
    expect(await runDue()).toEqual(['retrying']);
    const [pending] = await deliveries.list('cn_0123456789abcdef', { limit: 1 });
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: '2026-11-25T10:02:00.000Z' });
    clock.advance(60);
    expect(queue.due()).toEqual([]);
    tool.answer = { outcome: 'done' };
    clock.advance(61);
    expect(await runDue()).toEqual(['delivered']);
    expect(tool.calls.map((c) => c.method)).toEqual(['push', 'push']);
  });

  it('stops when the connector is removed', async () => {
    const { tool, publish, change, runDue } = await setUp();
    await publishChanges(publish, [change('pending', 'confirmed', 2)]);
    await (publish.connectors as MemoryConnectors).remove(CONNECTOR.id);
    expect(await runDue()).toEqual(['stopped']);
    expect(tool.calls).toEqual([]);
  });
});
