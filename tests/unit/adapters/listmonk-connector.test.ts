import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListmonkConnector } from '../../../functions/adapters/listmonk-connector.js';
import { SafeHttp } from '../../../functions/adapters/safe-http.js';
import { ConnectorError, type ConnectorSubscriber, type DonorStatus } from '../../../functions/core/connectors/model.js';
import type { OutboundHttp } from '../../../functions/core/shared/outbound-http.js';
import { ListmonkStandIn } from '../../../local/stand-ins/listmonk.js';

const lists = [
  { id: 3, name: 'Weekly', type: 'public' as const, optin: 'double' as const },
  { id: 4, name: 'Breaking', type: 'public' as const, optin: 'single' as const },
  { id: 9, name: 'Other', type: 'private' as const, optin: 'single' as const },
];
const http = new SafeHttp({ allowLoopbackHttp: true, ownOrigins: [] });

let standIn: ListmonkStandIn;
let url: string;
beforeEach(async () => {
  standIn = new ListmonkStandIn({ username: 'appeal', token: 'tok_secret', lists });
  url = await standIn.start();
});
afterEach(() => standIn.close());

const connector = (via: OutboundHttp = http) => new ListmonkConnector({ url, username: 'appeal', token: 'tok_secret', lists: [3, 4] }, via);
const ada: ConnectorSubscriber = { email: 'Ada@Example.org', name: 'Ada', lang: 'pl', confirmedAt: '2026-11-25T10:00:00.000Z' };
const donor: DonorStatus = { status: 'donor', lastGiftAt: '2026-11-25T10:05:00.000Z', lastGiftAmount: 2500, total: 2500, currency: 'eur' };
const listsOf = (email: string) => standIn.subscriber(email)?.subscriptions.map((s) => [s.listId, s.status]);

describe('the listmonk connector', () => {
  it('creates a confirmed reader preconfirmed on its lists, with language and donor status as attributes', async () => {
    expect(await connector().push(ada, donor)).toEqual({ outcome: 'done' });
    expect(standIn.subscriber('ada@example.org')).toMatchObject({
      name: 'Ada',
      status: 'enabled',
      attribs: { lang: 'pl', donor: { status: 'donor', lastGiftAt: '2026-11-25T10:05:00.000Z', lastGiftAmount: 2500, total: 2500, currency: 'eur' } },
    });
    expect(listsOf('ada@example.org')).toEqual([
      [3, 'confirmed'],
      [4, 'confirmed'],
    ]);
  });

  it('adds the lists to a subscriber listmonk already has (its 409), keeping their other lists', async () => {
    await fetch(`${url}/api/subscribers`, {
      method: 'POST',
      headers: { authorization: 'token appeal:tok_secret', 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.org', name: 'Ada L.', status: 'enabled', lists: [9, 3] }),
    });
    expect(await connector().push(ada)).toEqual({ outcome: 'done' });
    expect(listsOf('ada@example.org')).toEqual([
      [9, 'unconfirmed'],
      [3, 'confirmed'],
      [4, 'confirmed'],
    ]);
    // A retried push changes nothing.
    expect(await connector().push(ada)).toEqual({ outcome: 'done' });
    expect(standIn.subscribers()).toHaveLength(1);
  });

  it('never overrides a blocklisted subscriber or one who unsubscribed in listmonk: refused_by_person, and nothing added', async () => {
    await connector().push(ada);
    standIn.unsubscribeAsReader('ada@example.org', { listId: 3 });
    expect(await connector().push(ada)).toEqual({ outcome: 'refused_by_person', reason: 'unsubscribed' });
    expect(listsOf('ada@example.org')).toEqual([
      [3, 'unsubscribed'],
      [4, 'confirmed'],
    ]);

    await connector().push({ ...ada, email: 'blocked@example.org' });
    standIn.unsubscribeAsReader('blocked@example.org', { blocklist: true });
    expect(await connector().push({ ...ada, email: 'blocked@example.org' })).toEqual({ outcome: 'refused_by_person', reason: 'blocklisted' });
    expect(listsOf('blocked@example.org')).toEqual([
      [3, 'unsubscribed'],
      [4, 'unsubscribed'],
    ]);
  });

  it('follows a subscriber’s life: confirm, unsubscribe (removed from the lists), confirm again, erase', async () => {
    const listmonk = connector();
    await listmonk.push(ada);
    expect(await listmonk.unsubscribe('ada@example.org')).toEqual({ outcome: 'done' });
    expect(listsOf('ada@example.org')).toEqual([]);
    expect(await listmonk.push(ada)).toEqual({ outcome: 'done' });
    expect(listsOf('ada@example.org')).toEqual([
      [3, 'confirmed'],
      [4, 'confirmed'],
    ]);
    expect(await listmonk.erase('ada@example.org')).toEqual({ outcome: 'done' });
    expect(listsOf('ada@example.org')).toEqual([]);
    expect(await listmonk.unsubscribe('stranger@example.org')).toEqual({ outcome: 'done' });
  });

  it('updates the donor attribute where the person is, and adds no one', async () => {
    await connector().push(ada);
    expect(await connector().updateDonor('ada@example.org', { ...donor, status: 'former monthly donor', total: 9000 })).toEqual({ outcome: 'done' });
    expect(standIn.subscriber('ada@example.org')?.attribs).toMatchObject({ lang: 'pl', donor: { status: 'former monthly donor', total: 9000 } });
    expect(await connector().updateDonor('stranger@example.org', donor)).toEqual({ outcome: 'not_found' });
    expect(standIn.subscribers()).toHaveLength(1);
  });

  it('finds an address with a quote in it', async () => {
    await connector().push({ ...ada, email: "o'brien@example.org" });
    expect(await connector().updateDonor("o'brien@example.org", donor)).toEqual({ outcome: 'done' });
  });

  it('pulls the addresses that said no since the last run: unsubscribed from its lists, and blocklisted', async () => {
    const listmonk = connector();
    for (const email of ['stays@example.org', 'leaves@example.org', 'blocks@example.org', 'earlier@example.org']) await listmonk.push({ ...ada, email });
    standIn.unsubscribeAsReader('earlier@example.org', { listId: 3 }, new Date(Date.now() - 3600_000));
    const since = new Date(Date.now() - 60_000).toISOString();
    standIn.unsubscribeAsReader('leaves@example.org', { listId: 4 });
    standIn.unsubscribeAsReader('blocks@example.org', { blocklist: true });

    expect(await listmonk.pullRefusals(since)).toEqual({
      unsubscribed: expect.arrayContaining(['leaves@example.org', 'blocks@example.org']),
      blocklisted: ['blocks@example.org'],
    });
    const pulled = (await listmonk.pullRefusals(since)) as { unsubscribed: string[] };
    expect(pulled.unsubscribed).toHaveLength(2);
  });

  it('asks to retry later when listmonk is down, and throws a refusal a retry cannot fix', async () => {
    const down: OutboundHttp = { request: async () => ({ status: 502, headers: {}, body: '', truncated: false }) };
    expect(await connector(down).push(ada)).toEqual({ outcome: 'retry_later', retryAfterSeconds: 60 });
    const wrong = new ListmonkConnector({ url, username: 'appeal', token: 'nope', lists: [3] }, http);
    const error = await wrong.push(ada).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ status: 403, message: 'listmonk refused the request: invalid API credentials' });
  });
});
