import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../core/errors.js';

/** Item keys of the subscribers table (see the README's item design). */
export const keys = {
  subscriber: (email: string) => ({ pk: `SUB#${email}`, sk: 'PROFILE' }),
  rateWindow: (name: string, key: string, windowStart: number) => ({ pk: `RATE#${name}#${key}#${windowStart}`, sk: 'RATE' }),
  mail: (dedupeKey: string) => ({ pk: `MAIL#${dedupeKey}`, sk: 'MAIL' }),
};

export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** A failed condition means another writer won the race: the domain's ConflictError, with the cause kept. */
export const conflictOnCondition = (message: string) => (error: unknown): never => {
  if (error instanceof ConditionalCheckFailedException) throw new ConflictError(message, { cause: error });
  throw error;
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
        ConditionExpression: expectedVersion === undefined ? 'attribute_not_exists(pk)' : '#version = :expected',
        ...(expectedVersion === undefined
          ? {}
          : { ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
    )
    .catch(conflictOnCondition(`${what} changed concurrently`));
};

/** Every item of a Query on the overloaded index under one partition value, page after page. */
export const queryIndex = async (client: DynamoDBDocumentClient, tableName: string, partition: string) => {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :partition',
        ExpressionAttributeValues: { ':partition': partition },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
};
