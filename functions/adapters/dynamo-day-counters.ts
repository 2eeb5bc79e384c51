import { DAY_SHARDS, type Day, type DayChange } from '../core/dashboard/counters.js';
import { addExpression, randomShard } from './dynamo-transactions.js';

/**
 * Keys of the dashboard's counter items, in both tables (see core/dashboard/counters.ts): a day's counters spread over
 * DAY_SHARDS items, a partition key each so that each has its own limits; the running count of active monthly gifts
 * spread the same way; and the marker that a signup job has been counted.
 */
export const counterKeys = {
  day: (day: Day, shard: number) => ({ pk: `DAY#${day}#${shard}`, sk: 'DAY' }),
  monthlyActive: (shard: number) => ({ pk: `COUNTS#MONTHLY#${shard}`, sk: 'COUNTS' }),
  signupJob: (jobId: string) => ({ pk: `SIGNUP#${jobId}`, sk: 'SIGNUP' }),
};

/**
 * How long a signup job's marker is kept: longer than a job can still be delivered (SQS keeps a message 14 days at
 * most, and the dead-letter queue's can be moved back within that time).
 */
export const SIGNUP_MARKER_DAYS = 15;

/** The transaction item that adds a write's day change to one of its day's items, chosen at random per attempt. */
export const dayCounterUpdate = (tableName: string, change: DayChange) => ({
  Update: { TableName: tableName, Key: counterKeys.day(change.day, randomShard(DAY_SHARDS)), ...addExpression(change.counts) },
});

/** The transaction item that adds `delta` to the running count of active monthly gifts. */
export const monthlyActiveUpdate = (tableName: string, delta: number) => ({
  Update: { TableName: tableName, Key: counterKeys.monthlyActive(randomShard(DAY_SHARDS)), ...addExpression({ active: delta }) },
});
