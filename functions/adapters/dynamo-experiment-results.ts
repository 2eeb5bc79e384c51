import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GiftSums, VariantGiftCounters } from '../core/experiments/results.js';
import type { VariantGiftChange } from '../core/experiments/variant-gifts.js';
import { daysBetween } from '../core/experiments/days.js';
import type { DailyVariantGiftCounters } from '../core/experiments/history.js';
import { batchGetAll, randomShard } from './dynamo-transactions.js';

/**
 * Items a campaign's variant gift counters are spread over each day: a gift write picks one at random. Gifts come
 * at tens a second at most, so a few items keep transactions from colliding on one; readers sum days × this many.
 * Fixed, not configured: a reader must know every item a day may be on.
 */
export const RESULT_SHARDS = 4;

/** Item keys of the variant gift counters, in the donations table (see the data model). */
export const resultKeys = {
  counter: (campaign: string, day: string, shard: number) => ({ pk: `RESULTS#${campaign}#${day}#${shard}`, sk: 'RESULTS' }),
};

/** Counter names on a results item, per variant. */
const NAMES = { gifts: 'gifts', raised: 'raised', squares: 'squares', cubes: 'cubes' } as const;
const COUNTER = /^(gifts|raised|squares|cubes):(.+)$/;
/** The day in a counter item's key (`RESULTS#<campaign>#<day>#<shard>`; a campaign id has no `#`). */
const KEY_DAY = /#(\d{4}-\d{2}-\d{2})#\d+$/;

/** The transaction item that adds one gift's change to its variant's counters, on a shard chosen per attempt. */
export const variantGiftUpdate = (tableName: string, change: VariantGiftChange) => {
  const deltas: [string, number | bigint][] = [
    [`${NAMES.gifts}:${change.variant}`, change.gifts],
    [`${NAMES.raised}:${change.variant}`, change.raised],
    [`${NAMES.squares}:${change.variant}`, change.squares],
    [`${NAMES.cubes}:${change.variant}`, change.cubes],
  ];
  return {
    Update: {
      TableName: tableName,
      Key: resultKeys.counter(change.campaign, change.day, randomShard(RESULT_SHARDS)),
      UpdateExpression: `ADD ${deltas.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(deltas.map(([name], i) => [`#c${i}`, name])),
      // BigInts go as DynamoDB numbers, added exactly (38 digits): squares and cubes pass 2^53 early.
      ExpressionAttributeValues: Object.fromEntries(deltas.map(([, delta], i) => [`:c${i}`, delta])),
    },
  };
};

/** Reads the variant gift counters: days × RESULT_SHARDS small items, in BatchGetItems of 100. */
export class DynamoVariantGiftCounters implements VariantGiftCounters, DailyVariantGiftCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async totals(campaign: string, since: string, until: string): Promise<Record<string, GiftSums>> {
    const keys = daysBetween(since, until).flatMap((day) => Array.from({ length: RESULT_SHARDS }, (_, shard) => resultKeys.counter(campaign, day, shard)));
    const sums = new Map<string, { gifts: bigint; raised: bigint; squares: bigint; cubes: bigint }>();
    for (let start = 0; start < keys.length; start += 100) {
      for (const item of await batchGetAll(this.client, this.tableName, keys.slice(start, start + 100), false)) {
        for (const [name, value] of Object.entries(item)) {
          const match = COUNTER.exec(name);
          // Numbers past 2^53 come back from the document client as BigInt.
          if (!match || (typeof value !== 'number' && typeof value !== 'bigint')) continue;
          const [, counter, variant] = match as unknown as [string, keyof typeof NAMES, string];
          const entry = sums.get(variant) ?? { gifts: 0n, raised: 0n, squares: 0n, cubes: 0n };
          entry[counter] += BigInt(value);
          sums.set(variant, entry);
        }
      }
    }
    return Object.fromEntries(
      [...sums].map(([variant, s]) => [variant, { gifts: Number(s.gifts), raised: Number(s.raised), raisedSquares: Number(s.squares), raisedCubes: Number(s.cubes) }]),
    );
  }

  /** The same items as `totals`, summed per day (the chart of a result over time): gifts and money only. */
  async daily(campaign: string, since: string, until: string): Promise<Record<string, Record<string, GiftSums>>> {
    const keys = daysBetween(since, until).flatMap((day) => Array.from({ length: RESULT_SHARDS }, (_, shard) => resultKeys.counter(campaign, day, shard)));
    const days: Record<string, Record<string, GiftSums>> = {};
    for (let start = 0; start < keys.length; start += 100) {
      for (const item of await batchGetAll(this.client, this.tableName, keys.slice(start, start + 100), false)) {
        const day = typeof item['pk'] === 'string' ? KEY_DAY.exec(item['pk'])?.[1] : undefined;
        if (!day) continue;
        const sums = days[day] ?? {};
        days[day] = sums;
        for (const [name, value] of Object.entries(item)) {
          const match = COUNTER.exec(name);
          if (!match || (typeof value !== 'number' && typeof value !== 'bigint')) continue;
          const [, counter, variant] = match as unknown as [string, keyof typeof NAMES, string];
          const entry = sums[variant] ?? { gifts: 0, raised: 0, raisedSquares: 0, raisedCubes: 0 };
          sums[variant] = entry;
          const field = counter === 'squares' ? 'raisedSquares' : counter === 'cubes' ? 'raisedCubes' : counter;
          entry[field] += Number(value);
        }
      }
    }
    return days;
  }
}
