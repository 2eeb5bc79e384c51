import { ConditionalCheckFailedException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/shared/errors.js';

/** Item keys of the subscribers table (see the README's item design). */
export const keys = {
  subscriber: (email: string) => ({ pk: `SUB#${email}`, sk: 'PROFILE' }),
  rateWindow: (name: string, key: string, windowStart: number) => ({ pk: `RATE#${name}#${key}#${windowStart}`, sk: 'RATE' }),
  mail: (dedupeKey: string) => ({ pk: `MAIL#${dedupeKey}`, sk: 'MAIL' }),
  /** One of the items the subscriber counts are spread over (a partition key each, so each has its own limits). */
  countShard: (shard: number) => ({ pk: `COUNTS#SUBSCRIBERS#${shard}`, sk: 'COUNTS' }),
};

/**
 * Index partitions per overloaded-index value (all confirmed subscribers, all gifts of a campaign): each item goes
 * to one of them by a hash of its own id, so no index partition takes every write of a busy list or campaign
 * (an index partition has the same 1,000 WCU/s limit as a table's, and a throttled index throttles the table).
 * Readers query all of them and merge by sort key. Fixed: changing it would hide items until they are rewritten.
 */
export const INDEX_SHARDS = 8;

/** The index partition of an item: `<value>#<0..INDEX_SHARDS-1>`, stable for the item's id. */
export const indexPartition = (value: string, id: string) => {
  let hash = 2166136261; // FNV-1a: cheap, stable, evenly spread
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619);
  return `${value}#${(hash >>> 0) % INDEX_SHARDS}`;
};

/** Every index partition of a value. */
export const indexPartitions = (value: string) => Array.from({ length: INDEX_SHARDS }, (_, n) => `${value}#${n}`);

export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * A failed condition means another writer won the race: the domain's ConflictError, with the cause kept. So does
 * TransactionConflictException: a transaction was changing the item at that moment (read it again and retry).
 */
export const conflictOnCondition = (message: string) => (error: unknown): never => {
  if (error instanceof ConditionalCheckFailedException || error instanceof TransactionConflictException) {
    throw new ConflictError(message, { cause: error });
  }
  throw error;
};

/** The optimistic lock's condition: the stored item is still at `expectedVersion` (undefined: none exists). */
export const versionCondition = (expectedVersion: number | undefined) =>
  expectedVersion === undefined
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      };

/**
 * Puts an item only if the stored one is still at `expectedVersion` (undefined: none may exist): the optimistic
 * lock behind every read-modify-write of a subscriber or a gift. Throws ConflictError when another writer won.
 */
export const putVersioned = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  item: Record<string, unknown>,
  expectedVersion: number | undefined,
  what: string,
) => {
  await client
    .send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ...versionCondition(expectedVersion),
      }),
    )
    .catch(conflictOnCondition(`${what} changed concurrently`));
};
