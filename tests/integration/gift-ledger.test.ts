import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoCampaignRepository,
  DynamoGiftLedger,
  DynamoMonthlyGifts,
} from '../../functions/adapters/dynamo-donations.js';
import type { GiftDeps } from '../../functions/core/donations/gifts.js';
import { recordPaymentEvent } from '../../functions/core/donations/gifts.js';
import { CampaignCurrencyLockedError, type PaymentEvent } from '../../functions/core/donations/model.js';
import { dedupeKeyOf } from '../../functions/core/mail/mail.js';
import { newId } from '../../functions/core/shared/secrets.js';
import { Crash, crashAfterWrite } from '../support/crash.js';
import { campaignSettings } from '../support/donation-fakes.js';
import { startTables } from '../support/dynamodb.js';
import { FakeClock, MemoryQueue, testKeys } from '../support/fakes.js';
import { paid, refund, refundOf } from '../support/payment-events.js';

let db: Awaited<ReturnType<typeof startTables>>;
beforeAll(async () => {
  db = await startTables();
});
afterAll(() => db.close());

/** The ledger's deps, with the whole campaign repository: the tests read the totals it keeps. */
type LedgerDeps = GiftDeps & { campaigns: DynamoCampaignRepository };

/** The gift ledger on AWS's own engine (DynamoDB Local), one fresh campaign per call. */
const makeDeps = async () => {
  const table = db.tables.donations;
  const campaigns = new DynamoCampaignRepository(db.client, table);
  const id = `c-${newId(6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  const clock = new FakeClock();
  await campaigns.saveSettings(campaignSettings({ id }), clock.now());
  const queue = new MemoryQueue();
  const deps: LedgerDeps = {
    clock,
    gifts: new DynamoGiftLedger(db.client, table),
    campaigns,
    monthly: new DynamoMonthlyGifts(db.client, table),
    queue,
    keys: testKeys,
    settings: { siteName: 'N', apiBaseUrl: 'https://api.example.org', consentVersion: 'v1', defaultList: 'news' },
  };
  const prefix = newId(6);
  return { deps, id, queue, key: (k: string) => `${prefix}_${k}` };
};

const totalsOf = async (deps: LedgerDeps, id: string) => {
  const c = await deps.campaigns.get(id);
  return { raised: c?.raised, donations: c?.donations, donors: c?.donors };
};

describe('the gift ledger on DynamoDB Local', () => {
  it('answers every one of twenty simultaneous copies of an event with success, and counts it once', async () => {
    const { deps, id, key } = await makeDeps();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => recordPaymentEvent(deps, paid(key('pi_twenty'), { campaign: id }))));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await totalsOf(deps, id)).toEqual({ raised: 2500, donations: 1, donors: 1 });
  });

  it('keeps every item small however many gifts a campaign takes: totals are spread, donors counted once', async () => {
    const { deps, id, key } = await makeDeps();
    const gifts = Array.from({ length: 150 }, (_, i) => paid(key(`pi_many_${i}`), { campaign: id, amount: 100 + i, email: `donor-${i % 50}@example.org` }));
    for (let i = 0; i < gifts.length; i += 50) await Promise.all(gifts.slice(i, i + 50).map((event) => recordPaymentEvent(deps, event)));
    expect(await totalsOf(deps, id)).toEqual({ raised: 150 * 100 + (149 * 150) / 2, donations: 150, donors: 50 });
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const { Items = [] } = await db.client.send(
      new ScanCommand({ TableName: db.tables.donations, FilterExpression: 'begins_with(pk, :t) OR pk = :c', ExpressionAttributeValues: { ':t': `TOTALS#${id}#`, ':c': `CAMPAIGN#${id}` } }),
    );
    expect(Items.length).toBeGreaterThan(2);
    for (const item of Items) expect(JSON.stringify(item).length, String(item.pk)).toBeLessThan(600);
  });

  it('counts once when the same events arrive at the same moment, many times over', async () => {
    const { deps, id, key } = await makeDeps();
    const events = [paid(key('pi_1'), { campaign: id }), paid(key('pi_2'), { campaign: id, email: 'b@example.org', amount: 1000 })];
    await Promise.all(Array.from({ length: 6 }, (_, i) => recordPaymentEvent(deps, events[i % 2]!)));
    await Promise.all(Array.from({ length: 4 }, () => recordPaymentEvent(deps, refund(key('pi_1'), 500))));
    expect(await totalsOf(deps, id)).toEqual({ raised: 3000, donations: 2, donors: 2 });
  });

  it('survives a crash after each write in turn: Stripe redelivers and the totals count each gift once', async () => {
    const scenario = (id: string, key: (k: string) => string) => [
      paid(key('pi_1'), { campaign: id, subscribe: true }),
      refund(key('pi_1'), 1000),
      paid(key('pi_2'), { campaign: id, amount: 700 }),
      refund(key('pi_3'), 300),
      paid(key('pi_3'), { campaign: id, amount: 300, email: 'c@example.org' }),
    ];
    const probe = await makeDeps();
    const counting = crashAfterWrite(probe.deps, Number.POSITIVE_INFINITY);
    for (const event of scenario(probe.id, probe.key)) await recordPaymentEvent(counting.deps, event);
    const writes = counting.count();
    const expected = { raised: 2200, donations: 2, donors: 2 }; // pi_3's donor paid: counted, though refunded first
    expect(await totalsOf(probe.deps, probe.id)).toEqual(expected);

    for (let n = 1; n <= writes; n++) {
      const run = await makeDeps();
      const crashing = crashAfterWrite(run.deps, n);
      for (const event of scenario(run.id, run.key)) {
        try {
          await recordPaymentEvent(crashing.deps, event);
        } catch (error) {
          if (!(error instanceof Crash)) throw error;
          await recordPaymentEvent(run.deps, event);
        }
      }
      for (const event of scenario(run.id, run.key)) await recordPaymentEvent(run.deps, event);
      expect(await totalsOf(run.deps, run.id), `crash after write ${n}`).toEqual(expected);
      const receiptKeys = new Set(run.queue.jobs.flatMap((j) => (j.kind === 'receipt' ? [dedupeKeyOf(testKeys, j)] : [])));
      expect(receiptKeys, `crash after write ${n}`).toEqual(new Set([`receipt:${run.key('pi_1')}`, `receipt:${run.key('pi_2')}`, `receipt:${run.key('pi_3')}`]));
    }
  });

  it.each([
    ['completed, then fully refunded', (e: { paid: PaymentEvent; refund: PaymentEvent }) => [e.paid, e.refund]],
    ['refunded first, then completed', (e: { paid: PaymentEvent; refund: PaymentEvent }) => [e.refund, e.paid]],
  ])('counts the donor once and sends one receipt whatever the order: %s', async (_order, order) => {
    const { deps, id, key, queue } = await makeDeps();
    const events = order({ paid: paid(key('pi_1'), { campaign: id }), refund: refund(key('pi_1'), 2500) });
    for (const event of [...events, ...events]) await recordPaymentEvent(deps, event);
    expect(await totalsOf(deps, id)).toEqual({ raised: 0, donations: 0, donors: 1 });
    expect(queue.jobs.flatMap((j) => (j.kind === 'receipt' ? [dedupeKeyOf(testKeys, j)] : []))).toEqual([`receipt:${key('pi_1')}`]);
  });

  it.each([
    ['refunded, then the refund fails', ['paid', 'charge', 'created', 'failed']],
    ['the failure first', ['failed', 'paid', 'charge', 'created']],
  ])('puts a failed refund back exactly once, whatever the order and however many copies at once: %s', async (_order, order) => {
    const { deps, id, key } = await makeDeps();
    const events: Record<string, PaymentEvent> = {
      paid: paid(key('pi_1'), { campaign: id }),
      charge: refund(key('pi_1'), 1000),
      created: refundOf(key('pi_1'), 're_1', 1000),
      failed: refundOf(key('pi_1'), 're_1', 1000, true),
    };
    for (const name of order) await Promise.all(Array.from({ length: 4 }, () => recordPaymentEvent(deps, events[name] as PaymentEvent)));
    expect(await totalsOf(deps, id)).toEqual({ raised: 2500, donations: 1, donors: 1 });
    await Promise.all([refundOf(key('pi_1'), 're_2', 500), refund(key('pi_1'), 500), refundOf(key('pi_1'), 're_2', 500)].map((e) => recordPaymentEvent(deps, e)));
    expect(await totalsOf(deps, id)).toEqual({ raised: 2000, donations: 1, donors: 1 });
    expect(await deps.gifts.get(key('pi_1'))).toMatchObject({ refunded: 500, refunds: { re_1: { amount: 1000, failed: true }, re_2: { amount: 500 } } });
  });

  it('counts a monthly payment whose invoice lacks the campaign for the campaign its monthly gift recorded', async () => {
    const { deps, id, key } = await makeDeps();
    const subscription = key('sub_1');
    await recordPaymentEvent(deps, { kind: 'subscription', subscription, status: 'active', campaign: id, at: new Date() });
    expect(await deps.monthly.campaignOf(subscription)).toBe(id);
    expect(await deps.monthly.campaignOf(key('sub_unknown'))).toBeUndefined();
    await recordPaymentEvent(deps, paid(key('pi_m1'), { campaign: undefined, frequency: 'monthly', subscription }));
    expect(await totalsOf(deps, id)).toEqual({ raised: 2500, donations: 1, donors: 1 });
  });

  it('keeps a campaign\'s totals when its settings change, and lists campaigns', async () => {
    const { deps, id, key } = await makeDeps();
    await recordPaymentEvent(deps, paid(key('pi_1'), { campaign: id }));
    await deps.campaigns.saveSettings(campaignSettings({ id, title: 'Renamed', open: false }), new Date());
    expect(await deps.campaigns.get(id)).toMatchObject({ title: 'Renamed', open: false, raised: 2500, donations: 1 });
    expect((await deps.campaigns.list()).find((c) => c.id === id)).toMatchObject({ title: 'Renamed', raised: 2500, donations: 1, donors: 1 });
  });

  it('counts a gift whose campaign is gone, or in another currency, as unassigned exactly once through simultaneous copies, and receipts it', async () => {
    const { deps, id, key, queue } = await makeDeps();
    const before = await deps.campaigns.unassigned();
    const events = [paid(key('pi_gone'), { campaign: `${id}-deleted`, amount: 1200 }), paid(key('pi_eur'), { campaign: id, currency: 'eur', amount: 900 })];
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => recordPaymentEvent(deps, events[i % 2]!)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(results.flatMap((r) => (r.status === 'fulfilled' && r.value.unassigned ? [r.value.unassigned.reason] : [])).sort()).toEqual(['other currency', 'unknown campaign']);
    await recordPaymentEvent(deps, refund(key('pi_gone'), 200));
    const after = await deps.campaigns.unassigned();
    const grew = (currency: string) => ({
      raised: (after[currency]?.raised ?? 0) - (before[currency]?.raised ?? 0),
      donations: (after[currency]?.donations ?? 0) - (before[currency]?.donations ?? 0),
    });
    expect(grew('usd')).toEqual({ raised: 1000, donations: 1 });
    expect(grew('eur')).toEqual({ raised: 900, donations: 1 });
    expect(await totalsOf(deps, id)).toEqual({ raised: 0, donations: 0, donors: 0 });
    const receiptKeys = new Set(queue.jobs.flatMap((j) => (j.kind === 'receipt' ? [dedupeKeyOf(testKeys, j)] : [])));
    expect(receiptKeys).toEqual(new Set([`receipt:${key('pi_gone')}`, `receipt:${key('pi_eur')}`]));
  });

  it('moves an unassigned gift into its campaign once the campaign exists again, in one transaction', async () => {
    const { deps, id, key } = await makeDeps();
    const reborn = `${id}-reborn`;
    await recordPaymentEvent(deps, paid(key('pi_1'), { campaign: reborn }));
    const before = (await deps.campaigns.unassigned()).usd;
    await deps.campaigns.saveSettings(campaignSettings({ id: reborn }), new Date());
    await Promise.all(Array.from({ length: 4 }, () => recordPaymentEvent(deps, paid(key('pi_1'), { campaign: reborn }))));
    expect(await totalsOf(deps, reborn)).toEqual({ raised: 2500, donations: 1, donors: 1 });
    expect((await deps.campaigns.unassigned()).usd).toEqual({ raised: (before?.raised ?? 0) - 2500, donations: (before?.donations ?? 0) - 1 });
  });

  it('ends a monthly gift for good', async () => {
    const { deps } = await makeDeps();
    await deps.monthly.record('sub_1', 'active', 'x', new Date());
    await deps.monthly.record('sub_1', 'ended', undefined, new Date());
    await deps.monthly.record('sub_1', 'active', 'x', new Date());
    const item = await db.client.send(
      new (await import('@aws-sdk/lib-dynamodb')).GetCommand({ TableName: db.tables.donations, Key: { pk: 'MONTHLY#sub_1', sk: 'MONTHLY' } }),
    );
    expect(item.Item?.status).toBe('ended');
  });
});

describe('campaign settings on DynamoDB Local', () => {
  it("refuse to change a campaign's currency, even from a writer that did not read it first", async () => {
    const { deps, id, key } = await makeDeps();
    await recordPaymentEvent(deps, paid(key('pi_1'), { campaign: id }));
    const changing = deps.campaigns.saveSettings(campaignSettings({ id, currency: 'eur', title: 'Renamed' }), new Date());
    await expect(changing).rejects.toThrow(CampaignCurrencyLockedError);
    await expect(changing).rejects.toThrow(`Campaign ${id} takes gifts in USD`);
    expect(await deps.campaigns.get(id)).toMatchObject({ currency: 'usd', title: 'Support Ukraine', raised: 2500 });
  });
});
