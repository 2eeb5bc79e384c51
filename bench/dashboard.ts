// bench/dashboard: what one dashboard view reads, at 1,000 and then at 100,000 subscribers, on AWS's DynamoDB
// Local with the production reader (DynamoDashboardCounters) and use case (readDashboard).
// Each size is a year and more of data: that many subscribers (and a gift for every tenth), as the writes leave
// them, and 400 days of day counters in both tables, every shard of every day written, with figures that add up to
// the subscribers and gifts. The counters are written directly in bulk (BatchWriteItem), not one signup at a time,
// so that filling 100,000 subscribers takes seconds. For each size, a view of 30 days and one of 400 days: the
// requests, the keys asked for, the items returned, the read units consumed (ReturnConsumedCapacity) and the time.
// The figures must not move with the size: a view reads a bounded number of items per day, never the subscribers.
// Usage: npm run bench:dashboard [-- SIZES]   (default: 1000,100000)
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDashboardCounters } from '../functions/adapters/dynamo-dashboard.js';
import { counterKeys } from '../functions/adapters/dynamo-day-counters.js';
import { DAY_SHARDS } from '../functions/core/dashboard/counters.js';
import { lastDays, readDashboard } from '../functions/core/dashboard/dashboard.js';
import { startDynamoLocal } from '../local/stand-ins/dynamodb-local.js';
import { createTables } from '../local/server/tables.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const SIZES = (process.argv[2] ?? '1000,100000').split(',').map(Number);
const DAYS = 400;
const NOW = new Date();

const engine = await startDynamoLocal();
const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: engine.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const tables = { subscribers: 'bench-subscribers', donations: 'bench-donations' };
await createTables(raw, tables);

// ---- what each view costs: every BatchGetItem's keys, items and read units -------------------------------------
const reads = { requests: 0, keys: 0, items: 0, rcu: 0 };
raw.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName !== 'BatchGetItemCommand') return next(args);
    const input = args.input as { RequestItems: Record<string, { Keys: unknown[] }>; ReturnConsumedCapacity?: string };
    input.ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const output = result.output as { Responses?: Record<string, unknown[]>; ConsumedCapacity?: { CapacityUnits?: number }[] };
    reads.requests += 1;
    reads.keys += Object.values(input.RequestItems).reduce((n, r) => n + r.Keys.length, 0);
    reads.items += Object.values(output.Responses ?? {}).reduce((n, r) => n + r.length, 0);
    reads.rcu += (output.ConsumedCapacity ?? []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
    return result;
  },
  { step: 'initialize', name: 'countReads' },
);
const dynamo = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });

// ---- bulk writes -------------------------------------------------------------------------------------------------
const putAll = async (tableName: string, items: Record<string, unknown>[]) => {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    for (let b = next++; b < batches.length; b = next++) {
      let pending = (batches[b] ?? []).map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const { UnprocessedItems } = await dynamo.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (UnprocessedItems?.[tableName] ?? []) as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
};

const dates = lastDays(NOW, DAYS);
const dayOfIndex = (i: number) => dates[i % DAYS] as string;

/** Subscribers `from`..`to`-1 as the repository writes them, and a gift for every tenth, spread over the days. */
const subscribersAndGifts = async (from: number, to: number) => {
  const subscribers: Record<string, unknown>[] = [];
  const gifts: Record<string, unknown>[] = [];
  for (let i = from; i < to; i++) {
    const at = `${dayOfIndex(i)}T12:00:00.000Z`;
    const email = `reader-${i}@example.org`;
    subscribers.push({
      pk: `SUB#${email}`,
      sk: 'PROFILE',
      gsi1pk: `STATUS#confirmed#${i % 8}`,
      gsi1sk: `${at}#${email}`,
      email,
      status: 'confirmed',
      lists: ['news'],
      round: `round-${i}`,
      createdAt: at,
      updatedAt: at,
      subscribedAt: at,
      confirmedAt: at,
      consent: { signup: { at, wordingVersion: 'v1', ipHash: 'x'.repeat(43) }, confirmation: { at, wordingVersion: 'v1', ipHash: 'x'.repeat(43) } },
      version: 3,
    });
    if (i % 10 === 0) {
      gifts.push({
        pk: `GIFT#pi_${i}`,
        sk: 'GIFT',
        gsi1pk: `GIFTS#ukraine#${i % 8}`,
        gsi1sk: `${at}#pi_${i}`,
        key: `pi_${i}`,
        status: 'paid',
        campaign: 'ukraine',
        amount: 2500,
        currency: 'usd',
        frequency: i % 20 === 0 ? 'monthly' : 'once',
        refunded: 0,
        disputed: false,
        createdAt: at,
        updatedAt: at,
        paidAt: at,
        contributed: { raised: 2500, donations: 1, donor: true },
        receiptQueued: true,
        signupQueued: false,
        version: 2,
      });
    }
  }
  await putAll(tables.subscribers, subscribers);
  await putAll(tables.donations, gifts);
};

/**
 * Every shard of every day, in both tables, with the figures of `size` subscribers (each signed up and confirmed on
 * its day) and their gifts: what the writes' own ADDs would have left, put in one go.
 */
const dayCounters = async (size: number) => {
  const list: Record<string, unknown>[] = [];
  const gifts: Record<string, unknown>[] = [];
  dates.forEach((day, d) => {
    const people = Math.floor(size / DAYS) + (d < size % DAYS ? 1 : 0);
    let paid = 0;
    let monthly = 0;
    for (let i = d; i < size; i += DAYS) {
      if (i % 10 === 0) paid++;
      if (i % 20 === 0) monthly++;
    }
    for (let shard = 0; shard < DAY_SHARDS; shard++) {
      // Shard 0 takes what does not divide evenly: the sums are exact, and every item exists.
      const part = (n: number) => Math.floor(n / DAY_SHARDS) + (shard === 0 ? n % DAY_SHARDS : 0);
      list.push({ ...counterKeys.day(day, shard), signups: part(people), confirmations: part(people) });
      gifts.push({
        ...counterKeys.day(day, shard),
        gifts: part(paid),
        'gifts:once': part(paid - monthly),
        'gifts:monthly': part(monthly),
        'raised:usd': part(paid) * 2500,
        'campaign:ukraine:gifts': part(paid),
        'campaign:ukraine:raised:usd': part(paid) * 2500,
        'monthly:started': part(monthly),
      });
    }
  });
  const active = Array.from({ length: DAY_SHARDS }, (_, shard) => ({ ...counterKeys.monthlyActive(shard), active: shard === 0 ? Math.ceil(size / 20) : 0 }));
  await putAll(tables.subscribers, list);
  await putAll(tables.donations, [...gifts, ...active]);
};

const counters = new DynamoDashboardCounters(dynamo, tables.subscribers, tables.donations);
const view = async (days: number) => {
  Object.assign(reads, { requests: 0, keys: 0, items: 0, rcu: 0 });
  const started = performance.now();
  const dashboard = await readDashboard({ clock: { now: () => NOW }, counters }, { days });
  const ms = performance.now() - started;
  return { ...reads, ms, signups: dashboard.days.reduce((n, d) => n + d.signups, 0), gifts: dashboard.days.reduce((n, d) => n + d.gifts, 0) };
};

const rows: string[] = [];
let filled = 0;
for (const size of SIZES) {
  const started = performance.now();
  await subscribersAndGifts(filled, size);
  await dayCounters(size);
  filled = size;
  const fill = ((performance.now() - started) / 1000).toFixed(1);
  await view(30); // the JVM compiles its paths on the first reads: measure the second
  for (const days of [30, DAYS]) {
    const r = await view(days);
    if (days === DAYS && (r.signups !== size || r.gifts !== Math.ceil(size / 10))) throw new Error(`the ${days}-day view read ${r.signups} signups and ${r.gifts} gifts, not ${size} and ${Math.ceil(size / 10)}`);
    rows.push(
      `| ${size.toLocaleString('en')} | ${days} | ${r.requests} | ${r.keys.toLocaleString('en')} | ${r.items.toLocaleString('en')} | ${r.rcu.toLocaleString('en')} | ${r.ms.toFixed(0)} ms | ${fill} s |`,
    );
  }
  console.error(`filled ${size} subscribers in ${fill} s`);
}

console.log('| subscribers | days in the view | BatchGetItem requests | keys asked | items read | read units consumed | time | fill time |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);

raw.destroy();
await engine.close();
