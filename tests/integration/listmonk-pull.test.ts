import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { connectorKeys } from '../../functions/adapters/dynamo-connectors.js';
import { DynamoSubscriberRepository } from '../../functions/adapters/dynamo-subscriber-repository.js';
import { documentClient } from '../../functions/platform/clients.js';
import { LOCAL_LISTMONK } from '../../local/server/connector-stand-ins.js';
import { runAdmin } from '../support/cli.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';

// The scheduled pull of listmonk's refusals through the dev server: readers confirmed in Appeal reach the listmonk
// stand-in; one unsubscribes there and one is blocklisted; the delivery worker's scheduled run (the job the
// schedule invokes) marks both unsubscribed in Appeal, against DynamoDB Local, and the connector never pushes them
// again.

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await server.stop();
});

const admin = (...args: string[]) => runAdmin(['--data-dir', server.dataDir, ...args]);
const listmonk = () => server.connectorStandIns.listmonk;
const listmonkLists = (email: string) => listmonk().subscriber(email)?.subscriptions.map((s) => [s.listId, s.status]) ?? [];

const join = async (email: string) => {
  await postJson(`${server.url}/v1/subscriptions`, { email });
  await server.mailIdle();
  const links = (await server.mailTo(email)).map((m) => m.text).filter((t) => t.includes('/v1/subscriptions/confirm'));
  expect((await postJson(linkIn(links.at(-1) ?? '', '/v1/subscriptions/confirm'), undefined)).status).toBeLessThan(400);
  await server.mailIdle();
};

const eventually = async (check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 100; i++) {
    await server.webhooksIdle();
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the condition never held');
};

/** The schedule's invocation of the delivery worker, as EventBridge sends it. */
const runPull = async () => {
  const answer = await postJson(`${server.url}/_local/jobs/listmonk-pull`, { job: 'listmonk-pull' });
  expect(answer.status).toBe(200);
  return (await answer.json()) as { connectors: { connector: string; outcome: string; refusals?: number; unsubscribed?: number }[] };
};

describe('the scheduled pull of listmonk\'s refusals', () => {
  it('unsubscribes in Appeal a reader who unsubscribed in listmonk and one blocklisted there, once, and never pushes them again', async () => {
    const added = await admin('connector', 'add', 'listmonk', '--url', server.connectorStandIns.listmonkUrl, '--username', LOCAL_LISTMONK.username, '--token', LOCAL_LISTMONK.token, '--lists', '1');
    expect(added.code, added.stderr).toBe(0);
    const id = String((JSON.parse(added.stdout.trim().split('\n').at(-1) ?? '{}') as { id: string }).id);
    const readers = ['leaves@example.org', 'blocked@example.org', 'stays@example.org'];
    for (const email of readers) await join(email);
    await eventually(() => readers.every((email) => listmonkLists(email).length === 1));

    // In listmonk itself: one reader follows the list's unsubscribe link, one is blocklisted; someone Appeal never
    // held unsubscribes too.
    listmonk().unsubscribeAsReader('leaves@example.org', { listId: 1 });
    listmonk().unsubscribeAsReader('blocked@example.org', { blocklist: true });

    const first = await runPull();
    expect(first.connectors).toEqual([expect.objectContaining({ connector: id, outcome: 'pulled', refusals: 2, unsubscribed: 2 })]);
    const subscribers = new DynamoSubscriberRepository(documentClient(server.clientOptions), server.tables.subscribers, 4);
    expect((await subscribers.get('leaves@example.org'))?.status).toBe('unsubscribed');
    expect((await subscribers.get('blocked@example.org'))?.status).toBe('unsubscribed');
    expect((await subscribers.get('stays@example.org'))?.status).toBe('confirmed');
    // The cursor: this run's start less the overlap, never before the connector was added.
    const cursor = async () => (await documentClient(server.clientOptions).send(new GetCommand({ TableName: server.tables.subscribers, Key: connectorKeys.connector(id) }))).Item?.pulledUntil as string | undefined;
    const pulledUntil = await cursor();
    expect(pulledUntil).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    // Run again (the schedule's next run, within the overlap): nothing changes.
    const before = await subscribers.get('leaves@example.org');
    const second = await runPull();
    expect(second.connectors).toEqual([expect.objectContaining({ connector: id, outcome: 'pulled', unsubscribed: 0 })]);
    expect(await subscribers.get('leaves@example.org')).toEqual(before);
    expect(Date.parse((await cursor()) ?? '')).toBeGreaterThanOrEqual(Date.parse(pulledUntil ?? ''));

    // Appeal's unsubscribes reach listmonk as removals, and a backfill of every confirmed reader pushes neither
    // again: listmonk keeps their "no".
    await eventually(() => listmonkLists('leaves@example.org').length === 0 || listmonkLists('leaves@example.org').every(([, s]) => s === 'unsubscribed'));
    const backfill = await admin('connector', 'backfill', '--id', id);
    expect(backfill.code, backfill.stderr).toBe(0);
    await eventually(async () => (await admin('connector', 'list')).stdout.includes('backfill done 1/1'));
    expect(listmonk().subscriber('blocked@example.org')?.status).toBe('blocklisted');
    expect(listmonkLists('blocked@example.org').every(([, s]) => s === 'unsubscribed')).toBe(true);
    expect(listmonkLists('leaves@example.org').every(([, s]) => s === 'unsubscribed')).toBe(true);
    expect(listmonkLists('stays@example.org')).toEqual([[1, 'confirmed']]);
  });
});
