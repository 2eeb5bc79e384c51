import * as z from 'zod/mini';
import { nonEmpty, onFirstUse, wholeNumber } from '../core/shared/schema.js';

/**
 * Counter items per campaign and day. Each batch's write goes to one at random; the counter writes a few times a
 * second at most (it aggregates thousands of events a write), so the shards are about no item taking every write,
 * not about throughput. Readers (the results, the donations function's Thompson weights) sum days × shards items,
 * so every function that reads them takes the same value.
 */
export const EVENT_COUNTER_SHARDS = /* @__PURE__ */ onFirstUse(() => z._default(wholeNumber(1, 32), 8));

/** The event counter: consumes the events queue in batches and adds them to the sharded counters. */
export const EventCounterConfig = /* @__PURE__ */ onFirstUse(() => z.object({
  DONATIONS_TABLE_NAME: nonEmpty(),
  EVENT_COUNTER_SHARDS,
}));
export type EventCounterConfig = z.infer<typeof EventCounterConfig>;
