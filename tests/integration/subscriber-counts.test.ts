import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSubscriberCounts, DynamoSubscriberRepository } from '../../functions/adapters/dynamo-subscriber-repository.js';
import { eraseSubscriber } from '../../functions/core/admin/admin.js';
import { recordMailFeedback } from '../../functions/core/list-hygiene/feedback.js';
import { processMailJob } from '../../functions/core/mail/mail.js';
import type { Subscriber } from '../../functions/core/subscriptions/model.js';
import { requestSubscription } from '../../functions/core/subscriptions/subscriptions.js';
import { confirmSubscription } from '../../functions/core/subscriptions/links.js';
import { crashAfterWrite, runRetryingAfterCrash } from '../support/crash.js';
import { startTables } from '../support/dynamodb.js';
import { makeSubscriptionDeps } from '../support/fakes.js';

let db: Awaited<ReturnType<typeof startTables>>;
beforeAll(async () => {
  db = await startTables();
});
afterAll(() => db.close());

const client = { ip: '203.0.113.9', userAgent: 'ua' };
const linkToken = (text: string, path: string) =>
  new URL(text.match(new RegExp(`https://\\S+${path}\\?token=\\S+`))?.[0] ?? '').searchParams.get('token') ?? '';

/** The mailing-list use cases with the real repository on DynamoDB Local, on a table of their own. */
const setup = async () => {
  const fresh = await startTables();
  const t = makeSubscriptionDeps();
  const subscribers = new DynamoSubscriberRepository(fresh.client, fresh.tables.subscribers, 4);
  const counts = new DynamoSubscriberCounts(fresh.client, fresh.tables.subscribers);
  const deps = { ...t.deps, subscribers };
  const mailDeps = { ...t.mailDeps, subscribers };
  return { t, fresh, subscribers, counts, deps, mailDeps };
};

const statusCounts = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith('status:')));

describe('subscriber counts on DynamoDB Local', () => {
  it('move with every write in the same transaction, and stay exact when one address is changed at once many times', async () => {
    const { t, subscribers, counts, deps, mailDeps } = await setup();
    await requestSubscription(deps, { email: 'race@example.org', lists: ['news', 'events'], client });
    for (const job of t.queue.take()) await processMailJob(mailDeps, job);
    const token = linkToken(t.mailer.sent.at(-1)?.text ?? '', '/v1/subscriptions/confirm');
    // Twenty clicks on the same link at once: one confirmation, counted once.
    await Promise.all(Array.from({ length: 20 }, () => confirmSubscription(deps, { token, client })));
    expect(await counts.read()).toEqual({ 'status:confirmed': 1, 'list:news:confirmed': 1, 'list:events:confirmed': 1 });
    await Promise.all(Array.from({ length: 5 }, () => recordMailFeedback({ ...deps, suppressions: t.suppressions }, { kind: 'bounce', addresses: ['race@example.org'] })));
    expect(await counts.read()).toEqual({ 'status:bounced': 1, 'list:news:bounced': 1, 'list:events:bounced': 1 });
    expect((await subscribers.get('race@example.org'))?.status).toBe('bounced');
  });

  it('count each of many addresses once when they sign up and confirm at the same moment', async () => {
    const { t, counts, deps, mailDeps } = await setup();
    const emails = Array.from({ length: 60 }, (_, i) => `reader-${i}@example.org`);
    await Promise.all(emails.map((email) => requestSubscription(deps, { email, lists: [], client: { ...client, ip: `198.51.100.${emails.indexOf(email)}` } })));
    await Promise.all(t.queue.take().map((job) => processMailJob(mailDeps, job)));
    const tokens = t.mailer.sent.map((m) => linkToken(m.text, '/v1/subscriptions/confirm'));
    await Promise.all(tokens.map((token) => confirmSubscription(deps, { token, client })));
    expect(statusCounts(await counts.read())).toEqual({ 'status:confirmed': 60 });
  });

  it('count once when the function dies after any write and the work is retried', async () => {
    const run = async (crashAt: number) => {
      const { t, fresh, subscribers, counts, mailDeps } = await setup();
      const crashing = crashAfterWrite({ subscribers }, crashAt, { subscribers: ['save', 'delete'] });
      const repo = crashing.deps.subscribers;
      const deps = { ...t.deps, subscribers: repo };
      await requestSubscription(deps, { email: 'x@example.org', lists: ['news'], client });
      const jobs = t.queue.take();
      const admin = { ...deps, tokens: undefined as never, counts, campaigns: undefined as never, suppressions: t.suppressions };
      const steps = [
        async () => {
          for (const job of jobs) await processMailJob({ ...mailDeps, subscribers: repo }, job);
        },
        async () => confirmSubscription(deps, { token: linkToken(t.mailer.sent.at(-1)?.text ?? '', '/v1/subscriptions/confirm'), client }),
        async () => expect(await counts.read()).toEqual({ 'status:confirmed': 1, 'list:news:confirmed': 1 }),
        async () => eraseSubscriber(admin, 'x@example.org'),
      ];
      const crashed = await runRetryingAfterCrash(steps);
      const left = await fresh.client.send(new GetCommand({ TableName: fresh.tables.subscribers, Key: { pk: 'SUB#x@example.org', sk: 'PROFILE' } }));
      return { crashed, counts: await counts.read(), writes: crashing.count(), left: left.Item as Subscriber | undefined };
    };
    const clean = await run(Number.POSITIVE_INFINITY);
    expect(clean.counts).toEqual({});
    expect(clean.writes).toBeGreaterThanOrEqual(3);
    for (let n = 1; n <= clean.writes; n++) {
      const result = await run(n);
      expect(result.crashed, `write ${n}`).toBe(true);
      expect(result.counts, `crash after write ${n}`).toEqual({});
      expect(result.left, `crash after write ${n}`).toBeUndefined();
    }
  });

  it('spread the counts over small items: none grows with the number of subscribers', async () => {
    const { t, fresh, counts, deps, mailDeps } = await setup();
    const emails = Array.from({ length: 120 }, (_, i) => `many-${i}@example.org`);
    for (let i = 0; i < emails.length; i += 30) {
      await Promise.all(emails.slice(i, i + 30).map((email, j) => requestSubscription(deps, { email, lists: [], client: { ...client, ip: `192.0.2.${i + j}` } })));
    }
    await Promise.all(t.queue.take().map((job) => processMailJob(mailDeps, job)));
    expect(statusCounts(await counts.read())).toEqual({ 'status:pending': 120 });
    const { Items = [] } = await fresh.client.send(new ScanCommand({ TableName: fresh.tables.subscribers, FilterExpression: 'begins_with(pk, :c)', ExpressionAttributeValues: { ':c': 'COUNTS#' } }));
    expect(Items.length).toBeGreaterThan(1);
    expect(Items.length).toBeLessThanOrEqual(4);
    for (const item of Items) expect(JSON.stringify(item).length).toBeLessThan(200);
  });
});
