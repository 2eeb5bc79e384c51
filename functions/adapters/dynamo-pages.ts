import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { indexPartitions } from './dynamo-keys.js';

/*
 * DynamoDB's paged reads (a Query or a Scan, page after page), apart from the keys and the conditional writes in
 * dynamo-keys.ts: a function whose cold start writes or reads single items (the signup's rate limit) loads none of it.
 */

type Item = Record<string, unknown>;

/**
 * The pages of one paged request (a Query or a Scan segment), each request starting where the last one ended
 * (`LastEvaluatedKey`), until DynamoDB reports no more. Lazy: nothing is sent before the first page is asked for,
 * and a caller that stops iterating sends no further request, so it can act on each page (delete what it lists)
 * or stop early without reading the rest.
 */
export async function* pagesOf(
  request: (ExclusiveStartKey: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>,
  ExclusiveStartKey?: Item,
): AsyncGenerator<Item[]> {
  let start = ExclusiveStartKey;
  do {
    const page = await request(start);
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

/** The pages of one Query (see pagesOf). */
export const queryPages = (client: DynamoDBDocumentClient, input: QueryCommandInput) =>
  pagesOf((ExclusiveStartKey) => client.send(new QueryCommand({ ...input, ExclusiveStartKey })), input.ExclusiveStartKey);

/**
 * Every item of a Query, page after page. With `stopAfter`, no further page is read once that many items have
 * arrived (the last page read is kept whole, so there may be more): for a caller that keeps only the first few.
 */
export const queryAll = async (client: DynamoDBDocumentClient, input: QueryCommandInput, options: { stopAfter?: number } = {}) => {
  const items: Item[] = [];
  for await (const page of queryPages(client, input)) {
    items.push(...page);
    if (options.stopAfter !== undefined && items.length >= options.stopAfter) break;
  }
  return items;
};

/**
 * Every item of a Query run on each index partition of `value` (see INDEX_SHARDS) at once, `:partition` bound to
 * the partition in each: the partitions' items one after another, in no useful order (callers sort).
 * `stopAfter` applies to each partition's Query.
 */
export const queryPartitions = async (
  client: DynamoDBDocumentClient,
  value: string,
  input: QueryCommandInput,
  options: { stopAfter?: number } = {},
) => {
  const partitions = await Promise.all(
    indexPartitions(value).map((partition) =>
      queryAll(client, { ...input, ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':partition': partition } }, options),
    ),
  );
  return partitions.flat();
};

/** Every item of a Query on the overloaded index under one partition value, page after page. */
export const queryIndex = (client: DynamoDBDocumentClient, tableName: string, partition: string) =>
  queryAll(client, {
    TableName: tableName,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :partition',
    ExpressionAttributeValues: { ':partition': partition },
  });
