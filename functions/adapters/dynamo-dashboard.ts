import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DAY_SHARDS, type Day } from '../core/dashboard/counters.js';
import type { DashboardCounters } from '../core/dashboard/ports.js';
import { counterKeys } from './dynamo-day-counters.js';
import { batchGetAll, sumNumbers } from './dynamo-transactions.js';

/** BatchGetItem takes 100 keys at most. */
const BATCH = 100;
/** BatchGetItem requests in flight at once: a 400-day view is 160 of them, read a few at a time. */
const PARALLEL = 4;

const DAY_KEY = /^DAY#(\d{4}-\d{2}-\d{2})#\d+$/;

/**
 * The dashboard's counters, read by key: DAY_SHARDS items per day in each table and DAY_SHARDS items of the running
 * count, in BatchGetItem requests of 100 keys. Eventually consistent (half the read units): a view may miss what was
 * written in the last second, never more. No Query or Scan: the cost of a view depends on its days alone.
 */
export class DynamoDashboardCounters implements DashboardCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly subscribersTable: string,
    private readonly donationsTable: string,
  ) {}

  private async readAll(tableName: string, keys: Record<string, string>[]) {
    const chunks: Record<string, string>[][] = [];
    for (let i = 0; i < keys.length; i += BATCH) chunks.push(keys.slice(i, i + BATCH));
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < chunks.length; i += PARALLEL) {
      const answers = await Promise.all(chunks.slice(i, i + PARALLEL).map((chunk) => batchGetAll(this.client, tableName, chunk, false)));
      for (const answer of answers) items.push(...answer);
    }
    return items;
  }

  /** Each day's items summed by day (every number but the keys'). */
  private async days(tableName: string, days: readonly Day[]) {
    const keys = days.flatMap((day) => Array.from({ length: DAY_SHARDS }, (_, shard) => counterKeys.day(day, shard)));
    const byDay = new Map<Day, Record<string, unknown>[]>();
    for (const item of await this.readAll(tableName, keys)) {
      const day = DAY_KEY.exec(String(item.pk))?.[1];
      if (day) byDay.set(day, [...(byDay.get(day) ?? []), item]);
    }
    return new Map([...byDay].map(([day, items]) => [day, sumNumbers(items, () => true)]));
  }

  async read(days: readonly Day[]) {
    const activeKeys = Array.from({ length: DAY_SHARDS }, (_, shard) => counterKeys.monthlyActive(shard));
    const [list, gifts, active] = await Promise.all([
      this.days(this.subscribersTable, days),
      this.days(this.donationsTable, days),
      this.readAll(this.donationsTable, activeKeys),
    ]);
    return { list, gifts, activeMonthly: sumNumbers(active, (name) => name === 'active').active ?? 0 };
  }
}
