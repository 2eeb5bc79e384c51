import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDashboardCounters } from '../../functions/adapters/dynamo-dashboard.js';
import { DynamoMonthlyGifts } from '../../functions/adapters/dynamo-donations.js';
import { DynamoSubscriberRepository } from '../../functions/adapters/dynamo-subscriber-repository.js';
import { DAY_SHARDS, dayOf } from '../../functions/core/dashboard/counters.js';
import { processMailJob } from '../../functions/core/mail/mail.js';
import type { MailIntent } from '../../functions/core/mail/model.js';
import { requestSubscription } from '../../functions/core/subscriptions/subscriptions.js';
import { confirmSubscription } from '../../functions/core/subscriptions/links.js';
import { startTables } from '../support/dynamodb.js';
import { makeSubscriptionDeps } from '../support/fakes.js';

// The day counters' writes on DynamoDB Local (AWS's engine, behind the conflict proxy): exactly once under
// redelivery and races, spread over small items.

let db: Awaited<ReturnType<typeof startTables>>;
beforeAll(async () => {
  db = await startTables();
});
afterAll(() => db.close());

const client = { ip: '203.0.113.9', userAgent: 'ua' };
const linkToken = (text: string) => new URL(text.match(/https:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/)?.[0] ?? '').searchParams.get('token') ?? '';

const setup = async () => {
  const fresh = await startTables();
  const t = makeSubscriptionDeps();
  const subscribers = new DynamoSubscriberRepository(fresh.client, fresh.tables.subscribers, 4);
  const counters = new DynamoDashboardCounters(fresh.client, fresh.tables.subscribers, fresh.tables.donations);
  const today = async () => {
    const day = dayOf(t.clock.now());
    const { list, gifts, activeMonthly } = await counters.read([day]);
    return { list: list.get(day) ?? {}, gifts: gifts.get(day) ?? {}, activeMonthly };
  };
  const items = async (table: string, prefix: string) =>
    (await fresh.client.send(new ScanCommand({ TableName: table, FilterExpression: 'begins_with(pk, :p)', ExpressionAttributeValues: { ':p': prefix } }))).Items ?? [];
  return { t, fresh, today, items, deps: { ...t.deps, subscribers }, mailDeps: { ...t.mailDeps, subscribers } };
};

describe('the mailing list day counters on DynamoDB Local', () => {
  it('count a signup job once, even when the queue delivers it again after a later job for the same address', async () => {
    const { t, today, items, fresh, deps, mailDeps } = await setup();
    await requestSubscription(deps, { email: 'twice@example.org', lists: [], client });
    await requestSubscription(deps, { email: 'twice@example.org', lists: [], client });
    const [first, second] = t.queue.take() as MailIntent[];
    if (!first || !second) throw new Error('two jobs expected');
    await processMailJob(mailDeps, first);
    await processMailJob(mailDeps, second);
    // The first job again (its mail had failed, say), after the second: applied again, not counted again.
    await processMailJob(mailDeps, first);
    await Promise.all(Array.from({ length: 5 }, () => processMailJob(mailDeps, second)));
    expect((await today()).list).toEqual({ signups: 2 });
    expect(await items(fresh.tables.subscribers, 'SIGNUP#')).toHaveLength(2);
  });

  it('count one confirmation for twenty clicks at once', async () => {
    const { t, today, deps, mailDeps } = await setup();
    await requestSubscription(deps, { email: 'race@example.org', lists: [], client });
    for (const job of t.queue.take()) await processMailJob(mailDeps, job);
    const token = linkToken(t.mailer.sent.at(-1)?.text ?? '');
    await Promise.all(Array.from({ length: 20 }, () => confirmSubscription(deps, { token, client })));
    expect((await today()).list).toEqual({ signups: 1, confirmations: 1 });
  });

  it('spread a busy day over at most DAY_SHARDS small items', async () => {
    const { t, today, items, fresh, deps, mailDeps } = await setup();
    const emails = Array.from({ length: 60 }, (_, i) => `many-${i}@example.org`);
    await Promise.all(emails.map((email, i) => requestSubscription(deps, { email, lists: [], client: { ...client, ip: `198.51.100.${i}` } })));
    await Promise.all(t.queue.take().map((job) => processMailJob(mailDeps, job)));
    expect((await today()).list).toEqual({ signups: 60 });
    const days = await items(fresh.tables.subscribers, 'DAY#');
    expect(days.length).toBeGreaterThan(1);
    expect(days.length).toBeLessThanOrEqual(DAY_SHARDS);
    for (const item of days) expect(JSON.stringify(item).length).toBeLessThan(200);
  });
});

describe('the monthly gift counters on DynamoDB Local', () => {
  it('count a monthly gift active once and ended once, whatever the repeats and races', async () => {
    const { t, fresh, today } = await setup();
    const monthly = new DynamoMonthlyGifts(fresh.client, fresh.tables.donations);
    const at = t.clock.now();
    await Promise.all(Array.from({ length: 8 }, () => monthly.record('sub_1', 'active', 'ukraine', at)));
    expect(await today()).toMatchObject({ gifts: { 'monthly:started': 1 }, activeMonthly: 1 });
    await Promise.all(Array.from({ length: 8 }, () => monthly.record('sub_1', 'ended', 'ukraine', at)));
    await monthly.record('sub_1', 'active', 'ukraine', at); // a late checkout event
    expect(await today()).toMatchObject({ gifts: { 'monthly:started': 1, 'monthly:ended': 1 }, activeMonthly: 0 });
    expect(await monthly.campaignOf('sub_1')).toBe('ukraine');
  });

  it('count nothing for a monthly gift whose end came before its start, nor for one recorded before the counters', async () => {
    const { t, fresh, today } = await setup();
    const monthly = new DynamoMonthlyGifts(fresh.client, fresh.tables.donations);
    const at = t.clock.now();
    await monthly.record('sub_late', 'ended', 'ukraine', at);
    await monthly.record('sub_late', 'active', 'ukraine', at);
    // A gift recorded active before the counters existed: its end must not take the count below what it counted.
    await fresh.client.send(new PutCommand({ TableName: fresh.tables.donations, Item: { pk: 'MONTHLY#sub_old', sk: 'MONTHLY', status: 'active', startedAt: at.toISOString() } }));
    await monthly.record('sub_old', 'ended', undefined, at);
    expect(await today()).toEqual({ list: {}, gifts: {}, activeMonthly: 0 });
  });
});
