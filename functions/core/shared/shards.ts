/*
 * Every function's configuration reads these (COUNTER_SHARDS), so they sit apart from the subscriber counts'
 * arithmetic (subscriptions/counting.ts), which only the subscriber writes need.
 */

/**
 * The most items a counter (a campaign's totals, the subscriber counts) may be spread over: with the item that
 * held them before, one BatchGetItem (100 keys) reads them all.
 */
export const MAX_SHARDS = 99;

/** How many items a new counter is spread over unless configured (`COUNTER_SHARDS`): see README, sizing. */
export const DEFAULT_SHARDS = 20;
