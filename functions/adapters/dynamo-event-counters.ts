import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { CounterIncrement, EventTotals } from '../core/experiments/model.js';
import type { EventCounters } from '../core/experiments/ports.js';
import type { DailyEventCounters } from '../core/experiments/history.js';
import { parse, onFirstUse } from '../core/shared/schema.js';
import { epochSeconds } from './dynamo-keys.js';
import { batchGetAll, randomShard, transactWrite } from './dynamo-transactions.js';
import { daysBetween } from '../core/experiments/days.js';

/** Item keys of the event counters and their batch markers, in the donations table (see the data model). */
export const eventKeys = {
  /** One of a campaign's counter items for one day (UTC): `view:<variant>` and `click:<variant>` numbers. */
  counter: (campaign: string, day: string, shard: number) => ({ pk: `EVENTS#${campaign}#${day}#${shard}`, sk: 'EVENTS' }),
  /** A queue batch already added: its second delivery adds nothing. */
  batch: (batchId: string) => ({ pk: `EVENTBATCH#${batchId}`, sk: 'EVENTBATCH' }),
};

/** A transaction holds at most 100 items: the batch marker and 99 increments. */
const INCREMENTS_PER_TRANSACTION = 99;
/** SQS keeps a message 4 days at most (the queue's retention): a marker outlives any redelivery of its batch. */
const MARKER_DAYS = 5;

const CounterItem = /* @__PURE__ */ onFirstUse(() => z.record(z.string(), z.unknown()));
const COUNTER_NAME = /^(view|click):(.+)$/;
/** The day in a counter item's key (`EVENTS#<campaign>#<day>#<shard>`; a campaign id has no `#`). */
const KEY_DAY = /#(\d{4}-\d{2}-\d{2})#\d+$/;

/**
 * Views and clicks as numbers on small items, one per campaign, day and shard: each batch's increments go to a
 * random shard, so writes spread over the shards (and over the days and campaigns) and no item takes them all.
 * A batch is one TransactWriteItems with a marker keyed by the batch (conditional on its absence): all of it or
 * nothing, and the same batch delivered again is refused by the marker and counted once.
 */
export class DynamoEventCounters implements EventCounters, DailyEventCounters {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly shards: number,
  ) {}

  async add(increments: readonly CounterIncrement[], batchId: string): Promise<void> {
    for (let start = 0, part = 0; start < increments.length; start += INCREMENTS_PER_TRANSACTION, part++) {
      const chunk = increments.slice(start, start + INCREMENTS_PER_TRANSACTION);
      const marker = part === 0 ? batchId : `${batchId}#${part}`;
      // A failed condition can only be the marker's (the counters have none): this part was added before.
      await transactWrite(this.client, () => [
        {
          Put: {
            TableName: this.tableName,
            Item: { ...eventKeys.batch(marker), expiresAt: epochSeconds(new Date()) + MARKER_DAYS * 86_400 },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        ...chunk.map((increment) => this.update(increment)),
      ]);
    }
  }

  private update({ campaign, day, counts }: CounterIncrement) {
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const adds = Object.entries(counts).map(([counter, count], i) => {
      names[`#c${i}`] = counter;
      values[`:c${i}`] = count;
      return `#c${i} :c${i}`;
    });
    return {
      Update: {
        TableName: this.tableName,
        Key: eventKeys.counter(campaign, day, randomShard(this.shards)),
        UpdateExpression: `ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  async totals(campaign: string, since: string, until: string): Promise<EventTotals> {
    const totals: EventTotals = {};
    for (const fields of await this.counterItems(campaign, since, until, true)) addCounters(totals, fields);
    return totals;
  }

  async daily(campaign: string, since: string, until: string): Promise<Record<string, EventTotals>> {
    const days: Record<string, EventTotals> = {};
    for (const fields of await this.counterItems(campaign, since, until, false)) {
      const day = typeof fields['pk'] === 'string' ? KEY_DAY.exec(fields['pk'])?.[1] : undefined;
      if (!day) continue;
      days[day] ??= {};
      addCounters(days[day], fields);
    }
    return days;
  }

  /** Every shard's counter item of each day from `since` to `until`, in batches of 100 keys (strongly consistent or not). */
  private async counterItems(campaign: string, since: string, until: string, consistent: boolean) {
    const keys = daysBetween(since, until).flatMap((day) => Array.from({ length: this.shards }, (_, shard) => eventKeys.counter(campaign, day, shard)));
    const items: Record<string, unknown>[] = [];
    for (let start = 0; start < keys.length; start += 100) {
      for (const item of await batchGetAll(this.client, this.tableName, keys.slice(start, start + 100), consistent)) {
        items.push(parse(CounterItem, item));
      }
    }
    return items;
  }
}

/** Adds one counter item's `view#<variant>` and `click#<variant>` numbers to `totals`. */
const addCounters = (totals: EventTotals, fields: Record<string, unknown>) => {
  for (const [name, value] of Object.entries(fields)) {
    const match = COUNTER_NAME.exec(name);
    if (!match || typeof value !== 'number') continue;
    const variant = match[2] as string;
    const entry = totals[variant] ?? { views: 0, clicks: 0 };
    totals[variant] = entry;
    if (match[1] === 'view') entry.views += value;
    else entry.clicks += value;
  }
};

// Kept here too for the modules that import it from the counters.
export { daysBetween } from '../core/experiments/days.js';
