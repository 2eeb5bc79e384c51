// bench/ledger: the gift ledger and the subscriber counts under a news-day load, on AWS's DynamoDB Local, with the
// production adapters and use cases. 5,000 gifts to ONE campaign (10 % of deliveries duplicated, 5 % of gifts
// with a refund delivered before the payment) and 10,000 subscriber changes on ONE list, each at concurrency 50.
// Prints: totals and counts exact (yes/no), the largest item in either table, write units per gift and per
// subscriber change at the start and the end of the run (from ReturnConsumedCapacity), transaction conflicts, and
// the rate one campaign can sustain on paper (1,000 WCU/s per partition × shards ÷ units per gift on a shard item).
// DynamoDB Local runs transactions one at a time, so it sits behind local/stand-ins/dynamodb-conflicts.ts, which refuses
// transactions that touch an item another one holds, as AWS does; HOLD_MS stretches each transaction to stand
// for AWS's longer two-phase commit (the conflict rate grows with it).
// Usage: npm run bench:ledger [-- GIFTS CHANGES SHARDS HOLD_MS]   (default: 5000 10000 20 10)
import { AsyncLocalStorage } from 'node:async_hooks';
import { cpus } from 'node:os';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoCampaignRepository, DynamoGiftLedger, DynamoMonthlyGifts } from '../functions/adapters/dynamo-donations.js';
import { DynamoSubscriberCounts, DynamoSubscriberRepository } from '../functions/adapters/dynamo-subscriber-repository.js';
import type { PaymentEvent } from '../functions/core/donations/model.js';
import { type GiftDeps, recordPaymentEvent } from '../functions/core/donations/gifts.js';
import type { Subscriber } from '../functions/core/subscriptions/model.js';
import { ConflictError, TransientError } from '../functions/core/shared/errors.js';
import { deriveKeys } from '../functions/core/shared/secrets.js';
import { startStrictDynamoLocal } from '../local/stand-ins/dynamodb-local.js';
import { createTables } from '../local/server/tables.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const [GIFTS = 5000, CHANGES = 10000, SHARDS = 20, HOLD_MS = 10] = process.argv.slice(2).map(Number);
const CONCURRENCY = 50;

// ---- capacity accounting: every call made on behalf of one gift or change is added to its own meter ----------
interface Meter {
  wcu: number;
  rcu: number;
  /** Writes of the kind measured (deliveries, subscriber changes) that this meter covers. */
  ops: number;
}
const meter = new AsyncLocalStorage<Meter>();
const conflicts = { transactions: 0, cancelledByConflict: 0, byItem: {} as Record<string, number> };

const engine = await startStrictDynamoLocal({ holdMs: HOLD_MS });
const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: engine.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
raw.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as Record<string, unknown>;
    input.ReturnConsumedCapacity = 'TOTAL';
    const transaction = context.commandName === 'TransactWriteItemsCommand';
    if (transaction) conflicts.transactions += 1;
    try {
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const m = meter.getStore();
      for (const c of [consumed].flat() as { CapacityUnits?: number; WriteCapacityUnits?: number; ReadCapacityUnits?: number }[]) {
        if (!c || !m) continue;
        const units = c.CapacityUnits ?? 0;
        if (c.WriteCapacityUnits !== undefined || c.ReadCapacityUnits !== undefined) {
          m.wcu += c.WriteCapacityUnits ?? 0;
          m.rcu += c.ReadCapacityUnits ?? 0;
        } else if (/Get|Query|Scan/.test(context.commandName ?? '')) m.rcu += units;
        else m.wcu += units;
      }
      return result;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict')) {
        conflicts.cancelledByConflict += 1;
        // Which kind of item was held: its key's prefix (GIFT, TOTALS, DONOR, SUB, COUNTS).
        type Pk = string | { S?: string } | undefined;
        const items = (input.TransactItems ?? []) as Record<string, { Key?: { pk?: Pk }; Item?: { pk?: Pk } }>[];
        error.CancellationReasons.forEach((reason, i) => {
          if (reason.Code !== 'TransactionConflict') return;
          const action = Object.values(items[i] ?? {})[0];
          const pk = (action?.Key ?? action?.Item)?.pk;
          const kind = String((typeof pk === 'string' ? pk : pk?.S) ?? '?').split('#')[0] ?? '?';
          conflicts.byItem[kind] = (conflicts.byItem[kind] ?? 0) + 1;
        });
      }
      throw error;
    }
  },
  { step: 'initialize', name: 'consumedCapacity' },
);
const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
const tables = { subscribers: 'bench-subscribers', donations: 'bench-donations' };
await createTables(raw, tables);

/** Runs `work` over `items` with at most `limit` in flight; returns each item's meter, in completion order. */
const pool = async <T>(items: T[], limit: number, work: (item: T) => Promise<unknown>) => {
  const meters: Meter[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        const m: Meter = { wcu: 0, rcu: 0, ops: 1 };
        await meter.run(m, () => work(item));
        meters.push(m);
      }
    }),
  );
  return { meters, seconds: (performance.now() - started) / 1000 };
};

const average = (meters: Meter[], pick: (m: Meter) => number) =>
  meters.reduce((sum, m) => sum + pick(m), 0) / Math.max(1, meters.reduce((sum, m) => sum + m.ops, 0));
const startEnd = (meters: Meter[]) => {
  const slice = Math.max(1, Math.floor(meters.length / 10));
  return {
    first: average(meters.slice(0, slice), (m) => m.wcu),
    last: average(meters.slice(-slice), (m) => m.wcu),
    firstRcu: average(meters.slice(0, slice), (m) => m.rcu),
    lastRcu: average(meters.slice(-slice), (m) => m.rcu),
  };
};

/** DynamoDB's item size: attribute names plus values (strings by UTF-8 length, numbers ~ digits/2 + 1). */
const sizeOf = (value: unknown): number => {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + 1 + sizeOf(v), 0);
  if (typeof value === 'object') return 3 + Object.entries(value as object).reduce((s, [k, v]) => s + Buffer.byteLength(k) + 1 + sizeOf(v), 0);
  return 0;
};
const largestItem = async (table: string) => {
  let largest = { bytes: 0, pk: '' };
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    for (const item of page.Items ?? []) {
      const bytes = sizeOf(item) - 3;
      if (bytes > largest.bytes) largest = { bytes, pk: String(item.pk) };
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return largest;
};

// ---- gifts -----------------------------------------------------------------------------------------------
const at = new Date();
const resetConflicts = () => {
  conflicts.transactions = 0;
  conflicts.cancelledByConflict = 0;
  conflicts.byItem = {};
};

/** Delivers `count` gifts' events to a new campaign spread over `shards` items; checks its totals. */
const runGifts = async (campaignId: string, shards: number, count: number) => {
  resetConflicts();
  const campaigns = new DynamoCampaignRepository(client, tables.donations, shards);
  await campaigns.saveSettings(
    { id: campaignId, title: 'News-day appeal', currency: 'usd', goal: 100_000_000, open: true, suggestedAmounts: [1000, 2500], minAmount: 100, maxAmount: 10_000_000 },
    new Date(),
  );
  const deps: GiftDeps = {
    clock: { now: () => new Date() },
    gifts: new DynamoGiftLedger(client, tables.donations),
    campaigns,
    monthly: new DynamoMonthlyGifts(client, tables.donations),
    queue: { enqueue: async () => undefined }, // the receipts' queue is not what is measured here
    keys: deriveKeys('a-bench-signing-secret-that-is-long-enough-0123456789'),
    settings: { siteName: 'N', apiBaseUrl: 'https://api.example.org', consentVersion: 'v1', defaultList: 'news' },
  };
  const donors = Math.round(count * 0.6);
  const expected = { raised: 0, donations: 0, donors: new Set<number>() };
  const deliveries: PaymentEvent[] = [];
  for (let i = 0; i < count; i++) {
    const key = `pi_${campaignId}_${i}`;
    const amount = 500 + ((i * 37) % 20_000);
    const donor = (i * 7919) % donors;
    const paid: PaymentEvent = {
      kind: 'payment', key, status: 'paid', campaign: campaignId, frequency: 'once', amount, currency: 'usd',
      email: `donor-${donor}@example.org`, subscribe: false, offersSignup: true, checkoutSession: `cs_${key}`, at,
    };
    const refunded = i % 20 === 7 ? Math.floor(amount / 2) : 0; // 5 %: a partial refund, delivered before the payment
    if (refunded) deliveries.push({ kind: 'refund', key, refunded, at });
    deliveries.push(paid);
    if (i % 10 === 3) deliveries.push(paid); // 10 %: Stripe delivers the same event again
    expected.raised += amount - refunded;
    expected.donations += 1;
    expected.donors.add(donor);
  }
  // A delivery whose transaction kept colliding answers 500 (TransientError): Stripe delivers it again later.
  const redeliver: PaymentEvent[] = [];
  const run = await pool(deliveries, CONCURRENCY, (event) =>
    recordPaymentEvent(deps, event).catch((error: unknown) => {
      if (!(error instanceof TransientError)) throw error;
      redeliver.push(event);
    }),
  );
  const gaveUp = redeliver.length;
  for (const event of redeliver) await recordPaymentEvent(deps, event);
  const totals = await campaigns.get(campaignId);
  const exact = totals?.raised === expected.raised && totals.donations === expected.donations && totals.donors === expected.donors.size;
  return { run, gaveUp, deliveries: deliveries.length, totals, expected, exact, conflicts: { ...conflicts, byItem: { ...conflicts.byItem } } };
};

const gifts = await runGifts('appeal', SHARDS, GIFTS);
// Side by side: the same kind of load on a campaign whose totals are one item (a single shard).
const oneShard = await runGifts('one-shard', 1, Math.min(GIFTS, 1000));
const { run: giftRun, totals, expected } = gifts;
const giftsExact = gifts.exact && oneShard.exact;
const giftConflicts = gifts.conflicts;

// ---- subscriber changes ---------------------------------------------------------------------------------------
resetConflicts();
const subscribers = new DynamoSubscriberRepository(client, tables.subscribers, SHARDS);
// Each reader signs up, confirms, and every other one unsubscribes: 2.5 changes a reader, in that order; readers
// run 50 at a time, so the first and the last tenth of the run do the same mix of changes.
const readers = Math.round(CHANGES / 2.5);
const stamp = at.toISOString();
const change = async (email: string, to: Subscriber['status']) => {
  for (let attempt = 0; attempt < 20; attempt++) {
    const current = await subscribers.get(email);
    const next: Subscriber = {
      email, status: to, lists: ['news'], round: 'r', createdAt: stamp, updatedAt: stamp, subscribedAt: stamp,
      consent: { signup: { at: stamp, wordingVersion: 'v1' } }, version: current?.version ?? 0,
    };
    try {
      return await subscribers.save(next, current);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new Error(`could not change ${email}`);
};
const changeRun = await pool(
  Array.from({ length: readers }, (_, i) => i),
  CONCURRENCY,
  async (i) => {
    const email = `reader-${i}@example.org`;
    await change(email, 'pending');
    await change(email, 'confirmed');
    if (i % 2 === 0) {
      await change(email, 'unsubscribed');
      (meter.getStore() as Meter).ops = 3;
    } else (meter.getStore() as Meter).ops = 2;
  },
);
const changesMade = readers + readers + Math.ceil(readers / 2);
const counts = await new DynamoSubscriberCounts(client, tables.subscribers).read();
const unsubscribed = Math.ceil(readers / 2);
const countsExact =
  counts['status:confirmed'] === readers - unsubscribed &&
  counts['status:unsubscribed'] === unsubscribed &&
  counts['list:news:confirmed'] === readers - unsubscribed &&
  counts['status:pending'] === undefined;

const [largestDonation, largestSubscriber] = await Promise.all([largestItem(tables.donations), largestItem(tables.subscribers)]);
await engine.close();

// ---- report ---------------------------------------------------------------------------------------------------
const g = startEnd(giftRun.meters);
const c = startEnd(changeRun.meters);
// A shard item is far below 1 KB: a transactional write of it costs 2 WCU (twice a standard write).
const wcuPerGiftOnShard = 2;
const perCampaign = Math.floor((SHARDS * 1000) / wcuPerGiftOnShard);
const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)} %`;
console.log(`node ${process.version}, ${cpus().length} cores; DynamoDB Local (in memory) behind the conflict proxy (transactions held ${HOLD_MS} ms); concurrency ${CONCURRENCY}; ${SHARDS} shards`);
console.log(`gifts: ${GIFTS} to one campaign, ${gifts.deliveries} deliveries (10 % duplicated, 5 % refunds before payment) in ${giftRun.seconds.toFixed(1)} s (${Math.round(gifts.deliveries / giftRun.seconds)} deliveries/s)`);
console.log(`  totals exact: ${giftsExact ? 'yes' : 'NO'} (raised ${totals?.raised} of ${expected.raised}, donations ${totals?.donations} of ${expected.donations}, donors ${totals?.donors} of ${expected.donors.size})`);
console.log(`  WCU per delivery: first 10 % ${g.first.toFixed(2)}, last 10 % ${g.last.toFixed(2)}; RCU per delivery: ${g.firstRcu.toFixed(2)} → ${g.lastRcu.toFixed(2)}`);
console.log(`  deliveries that gave up after 12 tries (500, Stripe redelivers): ${gifts.gaveUp}
  transactions cancelled by a conflict: ${giftConflicts.cancelledByConflict} of ${giftConflicts.transactions} (${pct(giftConflicts.cancelledByConflict, giftConflicts.transactions)}; at ${Math.round(giftConflicts.transactions / giftRun.seconds)} transactions/s), each retried; held item: ${JSON.stringify(giftConflicts.byItem)}`);
const one = oneShard.conflicts;
console.log(`  side by side, ${Math.min(GIFTS, 1000)} gifts to a campaign of 1 shard: totals exact ${oneShard.exact ? 'yes' : 'NO'}; deliveries that gave up after 12 tries (500, redelivered) ${oneShard.gaveUp}; cancelled by a conflict: ${one.cancelledByConflict} of ${one.transactions} (${pct(one.cancelledByConflict, one.transactions)}; at ${Math.round(one.transactions / oneShard.run.seconds)} transactions/s); held item: ${JSON.stringify(one.byItem)}`);
console.log(`subscriber changes: ${changesMade} on one list (${readers} readers: signup, confirm, every other one unsubscribes) in ${changeRun.seconds.toFixed(1)} s (${Math.round(changesMade / changeRun.seconds)}/s)`);
console.log(`  counts exact: ${countsExact ? 'yes' : 'NO'} (${JSON.stringify(counts)})`);
console.log(`  WCU per change: first 10 % of readers ${c.first.toFixed(2)}, last 10 % ${c.last.toFixed(2)}`);
console.log(`  transactions cancelled by a conflict: ${conflicts.cancelledByConflict} of ${conflicts.transactions} (${pct(conflicts.cancelledByConflict, conflicts.transactions)}; at ${Math.round(conflicts.transactions / changeRun.seconds)} transactions/s), each retried; held item: ${JSON.stringify(conflicts.byItem)}`);
console.log(`largest item: donations ${largestDonation.bytes} B (${largestDonation.pk.replace(/#.*/, '#…')}), subscribers ${largestSubscriber.bytes} B (${largestSubscriber.pk.replace(/#.*/, '#…')})`);
console.log(`on paper: one campaign sustains ${perCampaign} gifts/s (${SHARDS} shard items × 1,000 WCU/s ÷ ${wcuPerGiftOnShard} WCU per gift on a shard); one list the same per change`);
if (!giftsExact || !countsExact) process.exitCode = 1;
