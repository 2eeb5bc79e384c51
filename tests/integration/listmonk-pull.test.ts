import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { connectorKeys } from '../../functions/adapters/dynamo-connectors.js';
import { DynamoSubscriberRepository } from '../../functions/adapters/dynamo-subscriber-repository.js';
import { documentClient } from '../../functions/platform/clients.js';
import { LOCAL_LISTMONK } from '../../local/server/connector-stand-ins.js';
import { lastJson, useConnectorServer } from '../support/connector-server.js';
import { postJson } from '../support/dev-server.js';

// The scheduled pull of listmonk's refusals through the dev server: readers confirmed in Appeal reach the listmonk
// stand-in; one unsubscribes there and one is blocklisted; the delivery worker's scheduled run (the job the
// schedule invokes) marks both unsubscribed in Appeal, against DynamoDB Local, and the connector never pushes them
// again.

const { env, admin, join, eventually, backfillState, listmonkLists } = useConnectorServer();
const listmonk = () => env.server.connectorStandIns.listmonk;

/** The schedule's invocation of the delivery worker, as EventBridge sends it. */
const runPull = async () => {
  const answer = await postJson(`${env.server.url}/_local/jobs/listmonk-pull`, { job: 'listmonk-pull' });
  expect(answer.status).toBe(200);
  return (await answer.json()) as { connectors: { connector: string; outcome: string; refusals?: number; unsubscribed?: number }[] };
};

describe('the scheduled pull of listmonk\'s refusals', () => {
  it('unsubscribes in Appeal a reader who unsubscribed in listmonk and one blocklisted there, once, and never pushes them again', async () => {
    const added = await admin('connector', 'add', 'listmonk', '--url', env.server.connectorStandIns.listmonkUrl, '--username', LOCAL_LISTMONK.username, '--token', LOCAL_LISTMONK.token, '--lists', '1');
    expect(added.code, added.stderr).toBe(0);
    const id = String(lastJson(added.stdout).id);
    const readers = ['leaves@example.org', 'blocked@example.org', 'stays@example.org'];
    for (const email of readers) await join(email);
    await eventually(() => readers.every((email) => listmonkLists(email).length === 1));

    // In listmonk itself: one reader follows the list's unsubscribe link, one is blocklisted; someone Appeal never
    // held unsubscribes too.
    listmonk().unsubscribeAsReader('leaves@example.org', { listId: 1 });
    listmonk().unsubscribeAsReader('blocked@example.org', { blocklist: true });

    const first = await runPull();
    expect(first.connectors).toEqual([expect.objectContaining({ connector: id, outcome: 'pulled', refusals: 2, unsubscribed: 2 })]);
    const subscribers = new DynamoSubscriberRepository(documentClient(env.server.clientOptions), env.server.tables.subscribers, 4);
    expect((await subscribers.get('leaves@example.org'))?.status).toBe('unsubscribed');
    expect((await subscribers.get('blocked@example.org'))?.status).toBe('unsubscribed');
    expect((await subscribers.get('stays@example.org'))?.status).toBe('confirmed');
    // The cursor: this run's start less the overlap, never before the connector was added.
    const cursor = async () => (await documentClient(env.server.clientOptions).send(new GetCommand({ TableName: env.server.tables.subscribers, Key: connectorKeys.connector(id) }))).Item?.pulledUntil as string | undefined;
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
    await eventually(async () => (await backfillState(id)) === 'done');
    expect((await admin('connector', 'list')).stdout).toContain('backfill done 1/1');
    expect(listmonk().subscriber('blocked@example.org')?.status).toBe('blocklisted');
    expect(listmonkLists('blocked@example.org').every(([, s]) => s === 'unsubscribed')).toBe(true);
    expect(listmonkLists('leaves@example.org').every(([, s]) => s === 'unsubscribed')).toBe(true);
    expect(listmonkLists('stays@example.org')).toEqual([[1, 'confirmed']]);
  });
});
