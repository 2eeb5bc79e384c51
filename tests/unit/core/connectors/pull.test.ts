import { describe, expect, it } from 'vitest';
import type { Connector } from '../../../../functions/core/connectors/admin.js';
import { ConnectorError, type ConnectorResult, type NewsletterConnector, type PulledRefusals } from '../../../../functions/core/connectors/model.js';
import { PULL_OVERLAP_MS, type PullRefusalsDeps, pullRefusals } from '../../../../functions/core/connectors/pull.js';
import { MemoryConnectors, readerRecord } from '../../../support/connector-fakes.js';
import { FakeClock, MemorySubscribers } from '../../../support/fakes.js';

/** listmonk as the pull sees it: the refusals it answers, or an outage, and the `since` of every ask. */
class RefusingTool implements NewsletterConnector {
  readonly asked: string[] = [];
  constructor(public answer: PulledRefusals | ConnectorResult | Error) {}
  async push(): Promise<ConnectorResult> {
    throw new Error('the pull pushes no one');
  }
  async unsubscribe(): Promise<ConnectorResult> {
    throw new Error('the pull unsubscribes no one in the tool');
  }
  async erase(): Promise<ConnectorResult> {
    throw new Error('the pull erases no one');
  }
  async updateDonor(): Promise<ConnectorResult> {
    throw new Error('the pull updates no one');
  }
  async pullRefusals(since: string) {
    this.asked.push(since);
    if (this.answer instanceof Error) throw this.answer;
    return structuredClone(this.answer);
  }
}

const reader = (email: string, status: string) =>
  readerRecord(email, status, 1, status === 'unsubscribed' ? { unsubscribedAt: '2026-11-03T00:00:00.000Z' } : {});

const LISTMONK: Connector = {
  id: 'cn_0123456789abcdef',
  settings: { kind: 'listmonk', url: 'https://lists.example.org', username: 'appeal', token: 't', lists: [3] },
  createdAt: '2026-11-20T08:00:00.000Z',
};
const MAILCHIMP: Connector = {
  id: 'cn_fedcba9876543210',
  settings: { kind: 'mailchimp', apiKey: 'a1b2c3d4e5f60718293a4b5c6d7e8f90-us6', list: 'a1b2c3' },
  webhookSecret: 'w'.repeat(32),
  createdAt: '2026-11-20T08:00:00.000Z',
};

const setUp = async (answer: PulledRefusals | ConnectorResult | Error = { unsubscribed: [], blocklisted: [] }) => {
  const clock = new FakeClock(new Date('2026-11-25T10:00:00.000Z'));
  const connectors = new MemoryConnectors();
  await connectors.create(LISTMONK);
  const subscribers = new MemorySubscribers();
  for (const [email, status] of [['left@example.org', 'confirmed'], ['blocked@example.org', 'confirmed'], ['waiting@example.org', 'pending'], ['gone@example.org', 'unsubscribed'], ['stays@example.org', 'confirmed']] as const) {
    await subscribers.save(reader(email, status), undefined);
  }
  const tool = new RefusingTool(answer);
  const built: string[] = [];
  const deps: PullRefusalsDeps = {
    clock,
    connectors,
    subscribers,
    connectorFor: async (connector) => {
      built.push(connector.id);
      return tool;
    },
  };
  const statusOf = async (email: string) => (await subscribers.get(email))?.status;
  return { clock, connectors, subscribers, tool, deps, built, statusOf };
};

describe('the scheduled pull of listmonk\'s refusals', () => {
  it('asks first since the connector was added, marks the readers who said no unsubscribed, and ignores addresses Appeal does not hold', async () => {
    const { tool, deps, subscribers, statusOf } = await setUp({
      unsubscribed: ['left@example.org', 'Waiting@Example.org', 'stranger@example.org'],
      blocklisted: ['blocked@example.org'],
    });
    const outcomes = await pullRefusals(deps);
    expect(tool.asked).toEqual([LISTMONK.createdAt]);
    expect(await statusOf('left@example.org')).toBe('unsubscribed');
    expect(await statusOf('blocked@example.org')).toBe('unsubscribed');
    expect(await statusOf('waiting@example.org')).toBe('unsubscribed');
    expect((await subscribers.get('left@example.org'))?.unsubscribedAt).toBe('2026-11-25T10:00:00.000Z');
    expect(await statusOf('stays@example.org')).toBe('confirmed');
    expect(await subscribers.get('stranger@example.org')).toBeUndefined();
    expect(outcomes).toEqual([{ connector: LISTMONK.id, outcome: 'pulled', refusals: 4, unsubscribed: 3, pulledUntil: '2026-11-25T09:55:00.000Z' }]);
    // The outcome names connectors and counts, never an address (it is what the job logs).
    expect(JSON.stringify(outcomes)).not.toContain('@');
  });

  it('moves the cursor to the run\'s start less the overlap, and asks from there next time', async () => {
    const { clock, tool, deps, connectors } = await setUp();
    await pullRefusals(deps);
    expect((await connectors.get(LISTMONK.id))?.pulledUntil).toBe(new Date(clock.now().getTime() - PULL_OVERLAP_MS).toISOString());
    clock.advance(15 * 60);
    await pullRefusals(deps);
    expect(tool.asked).toEqual([LISTMONK.createdAt, '2026-11-25T09:55:00.000Z']);
    expect((await connectors.get(LISTMONK.id))?.pulledUntil).toBe('2026-11-25T10:10:00.000Z');
  });

  it('never moves the cursor behind where it asked from, for a connector added moments ago', async () => {
    const { clock, connectors, deps } = await setUp();
    clock.current = new Date(Date.parse(LISTMONK.createdAt) + 60_000);
    await pullRefusals(deps);
    expect((await connectors.get(LISTMONK.id))?.pulledUntil).toBe(LISTMONK.createdAt);
  });

  it('changes nothing when run twice over the same refusals', async () => {
    const { deps, subscribers } = await setUp({ unsubscribed: ['left@example.org'], blocklisted: ['blocked@example.org'] });
    await pullRefusals(deps);
    const after = structuredClone([...subscribers.items.entries()]);
    const counts = structuredClone([...subscribers.counts.entries()]);
    const again = await pullRefusals(deps);
    expect([...subscribers.items.entries()]).toEqual(after);
    expect([...subscribers.counts.entries()]).toEqual(counts);
    expect(again).toEqual([expect.objectContaining({ outcome: 'pulled', refusals: 2, unsubscribed: 0 })]);
  });

  it('leaves the cursor where it was when listmonk is down, and asks from there on the next run', async () => {
    const { clock, tool, deps, connectors, statusOf } = await setUp();
    await pullRefusals(deps);
    const cursor = (await connectors.get(LISTMONK.id))?.pulledUntil;
    tool.answer = { outcome: 'retry_later', retryAfterSeconds: 60 };
    clock.advance(15 * 60);
    expect(await pullRefusals(deps)).toEqual([{ connector: LISTMONK.id, outcome: 'retry_later' }]);
    expect((await connectors.get(LISTMONK.id))?.pulledUntil).toBe(cursor);
    tool.answer = { unsubscribed: ['left@example.org'], blocklisted: [] };
    clock.advance(15 * 60);
    await pullRefusals(deps);
    expect(tool.asked.at(-1)).toBe(cursor);
    expect(await statusOf('left@example.org')).toBe('unsubscribed');
  });

  it('leaves the cursor where it was when listmonk refuses the request, and pulls the other connectors all the same', async () => {
    const { deps, connectors } = await setUp(new ConnectorError('listmonk refused the request: invalid API credentials', 403));
    const second: Connector = { ...LISTMONK, id: 'cn_00000000000000aa', createdAt: '2026-11-21T08:00:00.000Z' };
    await connectors.create(second);
    const other = new RefusingTool({ unsubscribed: [], blocklisted: [] });
    const outcomes = await pullRefusals({ ...deps, connectorFor: async (c) => (c.id === second.id ? other : deps.connectorFor(c)) });
    expect(outcomes).toEqual([
      { connector: LISTMONK.id, outcome: 'refused', status: 403 },
      expect.objectContaining({ connector: second.id, outcome: 'pulled' }),
    ]);
    expect((await connectors.get(LISTMONK.id))?.pulledUntil).toBeUndefined();
    expect((await connectors.get(second.id))?.pulledUntil).toBe('2026-11-25T09:55:00.000Z');
  });

  it('fails the run on any other error, with the cursor unmoved', async () => {
    const { deps, connectors } = await setUp(new Error('socket hang up'));
    await expect(pullRefusals(deps)).rejects.toThrow('socket hang up');
    expect((await connectors.get(LISTMONK.id))?.pulledUntil).toBeUndefined();
  });

  it('pulls only listmonk: a Mailchimp connector tells its refusals through its list webhook', async () => {
    const { deps, connectors, built } = await setUp();
    await connectors.create(MAILCHIMP);
    const outcomes = await pullRefusals(deps);
    expect(built).toEqual([LISTMONK.id]);
    expect(outcomes.map((o) => o.connector)).toEqual([LISTMONK.id]);
    expect((await connectors.get(MAILCHIMP.id))?.pulledUntil).toBeUndefined();
  });
});
