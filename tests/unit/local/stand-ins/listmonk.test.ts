import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ListmonkStandIn } from '../../../../local/stand-ins/listmonk.js';

const lists = [
  { id: 3, name: 'Weekly', type: 'public' as const, optin: 'double' as const },
  { id: 4, name: 'Breaking', type: 'public' as const, optin: 'single' as const },
];

let standIn: ListmonkStandIn;
let base: string;
let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'appeal-listmonk-'));
  standIn = new ListmonkStandIn({ username: 'appeal', token: 'tok_secret', lists, stateFile: join(dir, 'listmonk.json') });
  base = await standIn.start();
});
afterEach(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

const TOKEN = 'token appeal:tok_secret';
const call = async (method: string, path: string, body?: unknown, authorization: string | null = TOKEN) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(authorization === null ? {} : { authorization }), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as { data?: never; message?: string } & Record<string, unknown> };
};
const create = (email: string, extra: Record<string, unknown> = {}) =>
  call('POST', '/api/subscribers', { email, name: 'Ada', status: 'enabled', lists: [3], preconfirm_subscriptions: true, ...extra });

describe('the listmonk stand-in', () => {
  it('takes an API user’s token or Basic credentials, and answers anything else 403 with {"message"}', async () => {
    expect((await call('GET', '/api/health')).body).toEqual({ data: true });
    const basic = `Basic ${Buffer.from('appeal:tok_secret').toString('base64')}`;
    expect((await call('GET', '/api/health', undefined, basic)).status).toBe(200);
    expect(await call('GET', '/api/health', undefined, null)).toEqual({ status: 403, body: { message: 'invalid session' } });
    expect(await call('GET', '/api/health', undefined, 'token appeal:wrong')).toEqual({ status: 403, body: { message: 'invalid API credentials' } });
    expect(await call('GET', '/api/health', undefined, 'Bearer tok_secret')).toEqual({
      status: 403,
      body: { message: 'code=400, message=unknown Authorization scheme' },
    });
    expect((await call('GET', '/api/health', undefined, 'token appeal')).body.message).toMatch(/api_key:token missing/);
  });

  it('creates a subscriber with confirmed subscriptions when preconfirmed, and its attributes', async () => {
    const created = await create('Reader@Example.org', { attribs: { lang: 'pl' } });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      id: 1,
      email: 'reader@example.org',
      name: 'Ada',
      status: 'enabled',
      attribs: { lang: 'pl' },
      lists: [{ id: 3, subscription_status: 'confirmed', name: 'Weekly' }],
    });
    const unconfirmed = await create('other@example.org', { preconfirm_subscriptions: false, name: '' });
    expect(unconfirmed.body.data).toMatchObject({ name: 'Other', lists: [{ subscription_status: 'unconfirmed' }] });
  });

  it('answers 409 for an address it has, whatever its case', async () => {
    await create('reader@example.org');
    expect(await create('READER@example.org')).toEqual({ status: 409, body: { message: 'E-mail already exists.' } });
    expect(standIn.subscribers()).toHaveLength(1);
  });

  it('refuses an invalid address and an unknown status', async () => {
    expect(await create('not-an-address')).toEqual({ status: 400, body: { message: 'Invalid email.' } });
    expect((await create('reader@example.org', { status: 'active' })).status).toBe(500);
    expect(standIn.subscribers()).toEqual([]);
  });

  it('adds, unsubscribes and removes list subscriptions, refusing a request without ids, lists or a known action', async () => {
    const id = ((await create('reader@example.org')).body.data as unknown as { id: number }).id;
    expect((await call('PUT', '/api/subscribers/lists', { ids: [id], action: 'add', target_list_ids: [4], status: 'confirmed' })).body).toEqual({ data: true });
    expect(standIn.subscriber('reader@example.org')?.subscriptions.map((s) => [s.listId, s.status])).toEqual([
      [3, 'confirmed'],
      [4, 'confirmed'],
    ]);
    await call('PUT', '/api/subscribers/lists', { ids: [id], action: 'unsubscribe', target_list_ids: [3] });
    await call('PUT', '/api/subscribers/lists', { ids: [id], action: 'remove', target_list_ids: [4] });
    expect(standIn.subscriber('reader@example.org')?.subscriptions.map((s) => [s.listId, s.status])).toEqual([[3, 'unsubscribed']]);

    expect(await call('PUT', '/api/subscribers/lists', { ids: [], action: 'add', target_list_ids: [3] })).toEqual({ status: 400, body: { message: 'No IDs given.' } });
    expect(await call('PUT', '/api/subscribers/lists', { ids: [id], action: 'add', target_list_ids: [] })).toEqual({ status: 400, body: { message: 'No lists given.' } });
    expect(await call('PUT', '/api/subscribers/lists', { ids: [id], action: 'drop', target_list_ids: [3] })).toEqual({ status: 400, body: { message: 'Invalid action.' } });
    expect((await call('PUT', '/api/subscribers/lists', { ids: [99], action: 'add', target_list_ids: [3] })).status).toBe(404);
  });

  it('makes a blocklisted subscriber’s subscriptions unsubscribed, and creates one given as blocklisted unsubscribed', async () => {
    const id = ((await create('reader@example.org', { lists: [3, 4] })).body.data as unknown as { id: number }).id;
    expect((await call('PUT', `/api/subscribers/${id}/blocklist`)).body).toEqual({ data: true });
    expect((await call('GET', `/api/subscribers/${id}`)).body.data).toMatchObject({
      status: 'blocklisted',
      lists: [{ subscription_status: 'unsubscribed' }, { subscription_status: 'unsubscribed' }],
    });
    const blocked = await create('blocked@example.org', { status: 'blocklisted' });
    expect(blocked.body.data).toMatchObject({ status: 'blocklisted', lists: [{ subscription_status: 'unsubscribed' }] });
  });

  it('merges attributes on PATCH and keeps the subscriptions when no lists are given', async () => {
    const id = ((await create('reader@example.org', { attribs: { lang: 'en' } })).body.data as unknown as { id: number }).id;
    const patched = await call('PATCH', `/api/subscribers/${id}`, { attribs: { donor: { status: 'donor', total: 2500 } } });
    expect(patched.body.data).toMatchObject({ attribs: { lang: 'en', donor: { status: 'donor', total: 2500 } }, lists: [{ id: 3 }] });
  });

  it('queries subscribers by address, by list and subscription status, and by the time of the change', async () => {
    await create('stays@example.org');
    await create('leaves@example.org');
    await create('blocks@example.org', { lists: [3, 4] });
    const since = new Date(Date.now() - 1000).toISOString();
    standIn.unsubscribeAsReader('leaves@example.org', { listId: 3 });
    standIn.unsubscribeAsReader('blocks@example.org', { blocklist: true });

    const byEmail = await call('GET', `/api/subscribers?query=${encodeURIComponent("subscribers.email = 'stays@example.org'")}`);
    expect((byEmail.body.data as unknown as { results: { email: string }[] }).results.map((s) => s.email)).toEqual(['stays@example.org']);

    const query = encodeURIComponent(`subscriber_lists.updated_at > '${since}'`);
    const unsubscribed = await call('GET', `/api/subscribers?list_id=3&subscription_status=unsubscribed&query=${query}&per_page=all`);
    expect((unsubscribed.body.data as unknown as { results: { email: string }[] }).results.map((s) => s.email).sort()).toEqual([
      'blocks@example.org',
      'leaves@example.org',
    ]);

    const blocklisted = await call('GET', `/api/subscribers?query=${encodeURIComponent(`subscribers.status = 'blocklisted' AND subscribers.updated_at > '${since}'`)}`);
    expect(blocklisted.body.data).toMatchObject({ total: 1, results: [{ email: 'blocks@example.org' }] });

    const later = encodeURIComponent(`subscriber_lists.updated_at > '${new Date(Date.now() + 60_000).toISOString()}'`);
    expect((await call('GET', `/api/subscribers?list_id=3&subscription_status=unsubscribed&query=${later}`)).body.data).toMatchObject({ total: 0, results: [] });
  });

  it('pages results, newest id first by default', async () => {
    for (const n of [1, 2, 3]) await create(`r${n}@example.org`);
    const first = await call('GET', '/api/subscribers?per_page=2&page=1');
    expect(first.body.data).toMatchObject({ total: 3, per_page: 2, page: 1, results: [{ id: 3 }, { id: 2 }] });
    const second = await call('GET', '/api/subscribers?per_page=2&page=2&order_by=created_at&order=ASC');
    expect(second.body.data).toMatchObject({ results: [{ id: 3 }] });
  });

  it('refuses a query it cannot evaluate rather than answering as if it had', async () => {
    const answer = await call('GET', `/api/subscribers?query=${encodeURIComponent('subscribers.attribs->>\'city\' = \'x\'')}`);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/^Error preparing subscriber query/);
    const noJoin = await call('GET', `/api/subscribers?query=${encodeURIComponent("subscriber_lists.updated_at > '2026-01-01T00:00:00Z'")}`);
    expect(noJoin.status).toBe(400);
  });

  it('keeps its subscribers in its state file across a restart', async () => {
    await create('reader@example.org');
    await standIn.close();
    standIn = new ListmonkStandIn({ username: 'appeal', token: 'tok_secret', lists, stateFile: join(dir, 'listmonk.json') });
    base = await standIn.start();
    expect(await create('reader@example.org')).toMatchObject({ status: 409 });
    expect((await create('next@example.org')).body.data).toMatchObject({ id: 2 });
  });
});
