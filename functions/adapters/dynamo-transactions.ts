import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../core/shared/errors.js';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Cancellation reasons that say only "try again": another transaction held an item, or a partition was busy. */
const RETRYABLE = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

export interface TransactOptions {
  /** Attempts in all before giving up with TransientError (the caller's caller retries: SQS, Stripe). */
  attempts?: number;
  /** Base of the exponential backoff, in ms; each wait is random in [0, base·2^n] ("full jitter"), capped at 1 s. */
  baseDelayMs?: number;
}

/**
 * Runs one TransactWriteItems, all or nothing. `build` is called for every attempt, so a retry can pick another
 * shard. Transactions that touch an item at the same moment cancel each other (`TransactionConflict`): those are
 * retried after a random wait. Answers the indexes of the items whose condition failed (empty: written).
 */
export const transactWrite = async (
  client: DynamoDBDocumentClient,
  build: () => TransactItems,
  options: TransactOptions = {},
): Promise<number[]> => {
  const attempts = options.attempts ?? 12;
  const base = options.baseDelayMs ?? 10;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: build() }));
      return [];
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
      const failed = codes.flatMap((code, i) => (code === 'ConditionalCheckFailed' ? [i] : []));
      if (failed.length > 0) return failed;
      if (!codes.some((code) => RETRYABLE.has(code))) throw error;
      if (attempt >= attempts) throw new TransientError('the transaction kept colliding with others', { cause: error });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, base * 2 ** attempt)));
    }
  }
};

/** A random shard in [0, shards): writers spread over the items, readers sum them. */
export const randomShard = (shards: number) => Math.floor(Math.random() * shards);

/**
 * Reads up to 100 items of one table in one BatchGetItem (again for any keys DynamoDB left unprocessed), strongly
 * consistent unless `consistent` is false (half the read units). Missing items are simply absent from the answer.
 */
export const batchGetAll = async (client: DynamoDBDocumentClient, tableName: string, keys: Record<string, string>[], consistent = true) => {
  const items: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] = keys;
  for (let round = 0; pending.length > 0; round++) {
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 20 * 2 ** round)));
    const { Responses, UnprocessedKeys } = await client.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } } }),
    );
    items.push(...(Responses?.[tableName] ?? []));
    pending = UnprocessedKeys?.[tableName]?.Keys ?? [];
    if (round > 10 && pending.length > 0) throw new TransientError('DynamoDB kept keys unprocessed');
  }
  return items;
};

/** Adds the numeric attributes named by `accept` over several items. */
export const sumNumbers = (items: Record<string, unknown>[], accept: (name: string) => boolean) => {
  const sums: Record<string, number> = {};
  for (const item of items) {
    for (const [name, value] of Object.entries(item)) {
      if (typeof value === 'number' && accept(name)) sums[name] = (sums[name] ?? 0) + value;
    }
  }
  return sums;
};

/** `ADD` of several counters, with generated names (any counter name is safe). */
export const addExpression = (deltas: Record<string, number>) => {
  const entries = Object.entries(deltas);
  return {
    UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, delta], i) => [`:c${i}`, delta])),
  };
};

