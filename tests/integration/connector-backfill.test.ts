import { randomBytes } from 'node:crypto';
import { request as httpRequest, type ClientRequest } from 'node:http';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoConfirmedReaders } from '../../functions/adapters/dynamo-confirmed-readers.js';
import { DynamoConnectors } from '../../functions/adapters/dynamo-connectors.js';
import { indexPartition, keys } from '../../functions/adapters/dynamo-keys.js';
import { DynamoSubscriberRepository } from '../../functions/adapters/dynamo-subscriber-repository.js';
import { SafeHttp } from '../../functions/adapters/safe-http.js';
import type { Connector } from '../../functions/core/connectors/admin.js';
import { type BackfillJob, type BackfillRunDeps, requestBackfill, runBackfillSlice, type SliceOutcome } from '../../functions/core/connectors/backfill.js';
import type { NewsletterConnector } from '../../functions/core/connectors/model.js';
import type { OutboundHttp } from '../../functions/core/shared/outbound-http.js';
import type { Subscriber } from '../../functions/core/subscriptions/model.js';
import { connectorClients } from '../../functions/platform/wiring/connectors.js';
import { MailchimpStandIn, MAX_CONNECTIONS } from '../../local/stand-ins/mailchimp.js';
import { startTables } from '../support/dynamodb.js';

// A backfill of 10,000 confirmed readers into the Mailchimp stand-in, driven slice by slice as the delivery worker
// runs its queued jobs (an in-process queue here), against DynamoDB Local.

const READERS = 10_000;
const KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90-us6';
const LISTS = { aud1: { name: 'Rate limits', mergeFields: ['FNAME', 'LNAME'] }, aud2: { name: 'Crash', mergeFields: ['FNAME', 'LNAME'] } };

let db: Awaited<ReturnType<typeof startTables>>;
let standIn: MailchimpStandIn;
let apiUrl: string;
const sealKey = randomBytes(32);

const email = (i: number) => `reader-${String(i).padStart(5, '0')}@example.org`;
const at = (i: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, Math.floor(i / 10))).toISOString();
const reader = (i: number): Subscriber => ({
  email: email(i), ...(i % 2 ? { name: `Reader ${i}` } : {}), status: 'confirmed', lists: ['news'], round: 'r', lang: 'en',
  createdAt: at(i), updatedAt: at(i), subscribedAt: at(i), confirmedAt: at(i), consent: { signup: { at: at(i), wordingVersion: 'v1' } }, version: 1,
});

/** Seeds the readers as the repository stores them (status index and all), 25 to a batch write. */
const seed = async () => {
  const items = Array.from({ length: READERS }, (_, i) => {
    const s = reader(i);
    return { ...keys.subscriber(s.email), gsi1pk: indexPartition('STATUS#confirmed', s.email), gsi1sk: `${s.subscribedAt}#${s.email}`, ...s };
  });
  const batches: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  const lane = async () => {
    for (let batch = batches.shift(); batch; batch = batches.shift()) {
      let pending: Record<string, unknown>[] = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length) {
        const { UnprocessedItems } = await db.client.send(new BatchWriteCommand({ RequestItems: { [db.tables.subscribers]: pending } }));
        pending = (UnprocessedItems?.[db.tables.subscribers] ?? []) as Record<string, unknown>[];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
};

beforeAll(async () => {
  db = await startTables();
  standIn = new MailchimpStandIn({ apiKey: KEY, lists: LISTS });
  apiUrl = await standIn.start();
  await seed();
}, 120_000);
afterAll(async () => {
  await standIn.close();
  await db.close();
});

/** The run's parts: a clock the test moves, the queue's jobs kept in order, the pushes counted. */
const harness = async (list: keyof typeof LISTS, wrap: (tool: NewsletterConnector) => NewsletterConnector = (t) => t) => {
  let now = Date.parse('2026-12-01T10:00:00Z');
  const clock = { now: () => new Date(now) };
  const jobs: (BackfillJob & { delaySeconds: number })[] = [];
  const connectors = new DynamoConnectors(db.client, db.tables.subscribers, sealKey);
  const connector: Connector = {
    id: `cn_${randomBytes(8).toString('hex')}`,
    settings: { kind: 'mailchimp', apiKey: KEY, list, apiUrl },
    webhookSecret: randomBytes(24).toString('base64url'),
    createdAt: clock.now().toISOString(),
  };
  await connectors.create(connector);
  const safe = new SafeHttp({ allowLoopbackHttp: true, ownOrigins: ['https://api.example.org'] });
  const puts = { count: 0 };
  const http: OutboundHttp = {
    request: (req) => {
      if (req.method === 'PUT') puts.count += 1;
      return safe.request(req);
    },
  };
  const clients = connectorClients(http);
  const deps: BackfillRunDeps = {
    clock,
    connectors,
    queue: { send: async (job) => void jobs.push(job) },
    readers: new DynamoConfirmedReaders(db.client, db.tables.subscribers),
    sync: {
      connectorFor: async (c) => wrap(await clients(c)),
      subscribers: new DynamoSubscriberRepository(db.client, db.tables.subscribers, 4),
      language: 'en',
    },
  };
  /** Runs the queued jobs, as the worker would, until none is left; answers each slice's outcome and delay. */
  const drain = async () => {
    const seen: { outcome: SliceOutcome; delaySeconds: number }[] = [];
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      now += job.delaySeconds * 1000;
      seen.push({ outcome: await runBackfillSlice(deps, job), delaySeconds: job.delaySeconds });
    }
    return seen;
  };
  return { deps, connector, jobs, drain, puts, advance: (ms: number) => (now += ms), progress: async () => (await connectors.get(connector.id))?.backfill };
};

const subscribedIn = (list: string) => new Set(standIn.members(list).filter((m) => m.status === 'subscribed').map((m) => m.email_address));

/** Opens `n` connections to the stand-in that send a request's head and hold on (another tool of the newsroom, busy). */
const holdConnections = async (n: number) => {
  const held: ClientRequest[] = [];
  for (let i = 0; i < n; i++) {
    const req = httpRequest(`${apiUrl}/3.0/lists/aud1/members/x`, { method: 'PUT', headers: { 'content-length': '1000' } });
    req.on('error', () => {});
    req.write('{');
    held.push(req);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  return () => {
    for (const req of held) req.destroy();
  };
};

describe('a connector backfill of 10,000 readers', () => {
  it('stays within Mailchimp\'s 10 connections, waits when refused (429), and pushes every confirmed reader once', async () => {
    const run = await harness('aud1');
    // The account's ten connections are all taken by another tool when the backfill starts.
    const release = await holdConnections(MAX_CONNECTIONS);
    expect(await requestBackfill(run.deps, run.connector.id)).toMatchObject({ state: 'running', pushed: 0 });
    const first = run.jobs.shift() as BackfillJob;
    expect(await runBackfillSlice(run.deps, first)).toBe('waiting');
    expect(standIn.connections.refused).toBeGreaterThan(0);
    // Mailchimp names no Retry-After: the next slice waits a minute, the cursor short of the refused reader.
    expect(run.jobs).toEqual([{ connector: run.connector.id, step: 1, delaySeconds: 60 }]);
    const waiting = await run.progress();
    expect(waiting).toMatchObject({ state: 'running', total: READERS });
    expect(waiting?.leaseUntil).toBeUndefined();
    release();

    const slices = await run.drain();
    expect(slices.at(-1)?.outcome).toBe('done');
    expect(await run.progress()).toMatchObject({ state: 'done', pushed: READERS, total: READERS });
    expect((await run.progress())?.cursor).toBeUndefined();
    expect(subscribedIn('aud1').size).toBe(READERS);
    expect(standIn.connections.peak).toBeLessThanOrEqual(MAX_CONNECTIONS);
    // Only the few that were in flight when the 429 came are pushed again.
    expect(run.puts.count).toBeLessThanOrEqual(READERS + 4);
    const member = standIn.member('aud1', email(1));
    expect(member).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'Reader 1' }, language: 'en', timestamp_opt: at(1).replace(/\.\d{3}Z$/, '+00:00') });

    // A job SQS delivers again after the end changes nothing.
    expect(await runBackfillSlice(run.deps, first)).toBe('stale');
  }, 180_000);

  it('goes on from its last saved page after a crash, and loses no reader', async () => {
    let pushes = 0;
    let crashed = false;
    const crashing = (tool: NewsletterConnector): NewsletterConnector => ({
      ...tool,
      push: (...args) => {
        pushes += 1;
        if (!crashed && pushes > 3_050) {
          crashed = true;
          throw new Error('the worker died');
        }
        return tool.push(...args);
      },
      unsubscribe: (e) => tool.unsubscribe(e),
      erase: (e) => tool.erase(e),
      updateDonor: (e, d) => tool.updateDonor(e, d),
    });
    const run = await harness('aud2', crashing);
    await requestBackfill(run.deps, run.connector.id);
    const job = run.jobs.shift() as BackfillJob;
    await expect(runBackfillSlice(run.deps, job)).rejects.toThrow('the worker died');
    const stopped = await run.progress();
    expect(stopped?.state).toBe('running');
    expect(stopped?.pushed).toBeGreaterThanOrEqual(3_000);
    expect(stopped?.pushed).toBeLessThanOrEqual(3_050);

    // The job comes back (SQS redelivers a failed message) while the dead slice's lease still holds: it waits.
    expect(await runBackfillSlice(run.deps, job)).toBe('taken');
    // A second `connector backfill` meanwhile only nudges the run: no second run, no restart.
    expect(await requestBackfill(run.deps, run.connector.id)).toMatchObject({ state: 'running', pushed: stopped?.pushed });
    const slices = await run.drain();
    expect(slices.map((s) => s.outcome)).toContain('done');
    expect(await run.progress()).toMatchObject({ state: 'done', pushed: READERS, total: READERS });
    expect(subscribedIn('aud2').size).toBe(READERS);
    // Pushed again: at most the page that was under way when it died.
    expect(run.puts.count).toBeLessThanOrEqual(READERS + 100);
  }, 180_000);
});
