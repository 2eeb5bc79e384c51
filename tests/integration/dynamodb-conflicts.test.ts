import { DynamoDBClient, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConflictProxy, startConflictProxy } from '../../local/stand-ins/dynamodb-conflicts.js';
import { createTables } from '../../local/server/tables.js';
import { dynamodbEngineEndpoint, startTables, uniqueTableNames } from '../support/dynamodb.js';

let tables: Awaited<ReturnType<typeof startTables>>;
const proxies: ConflictProxy[] = [];
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  tables = await startTables();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await tables.close();
});

/** A proxy of its own (exact stats) and an SDK client through it that does not retry, so every refusal shows. */
const through = async (holdMs: number) => {
  const proxy = await startConflictProxy(dynamodbEngineEndpoint(), { holdMs });
  proxies.push(proxy);
  const raw = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: proxy.endpoint,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  clients.push(raw);
  return { proxy, raw, client: DynamoDBDocumentClient.from(raw) };
};

const addOne = (pk: string) => ({
  Update: {
    TableName: tables.tables.donations,
    Key: { pk, sk: 'total' },
    UpdateExpression: 'ADD #n :one',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: { ':one': 1 },
  },
});

const count = async (pk: string) =>
  (await tables.client.send(new GetCommand({ TableName: tables.tables.donations, Key: { pk, sk: 'total' }, ConsistentRead: true })))
    .Item?.['n'];

describe('the conflict proxy in front of DynamoDB Local', () => {
  it('cancels transactions that touch an item another transaction holds, as DynamoDB does', async () => {
    const { proxy, client } = await through(5);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        client.send(
          new TransactWriteCommand({
            TransactItems: [addOne('hot'), { Put: { TableName: tables.tables.donations, Item: { pk: `own-${i}`, sk: 'x' } } }],
          }),
        ),
      ),
    );
    const succeeded = results.filter((r) => r.status === 'fulfilled').length;
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(succeeded).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error).toBeInstanceOf(TransactionCanceledException);
      const cancelled = error as TransactionCanceledException;
      expect(cancelled.$metadata.httpStatusCode).toBe(400);
      // One reason per action, in request order: the shared item is held, the transaction's own item is not.
      expect(cancelled.CancellationReasons).toEqual([
        { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
        { Code: 'None' },
      ]);
      expect(cancelled.message).toBe(
        'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict, None]',
      );
    }
    expect(await count('hot')).toBe(succeeded);
    expect(proxy.stats).toEqual({ transactions: 100, conflicts: errors.length });
  });

  it('never makes transactions on different items conflict', async () => {
    const { proxy, client } = await through(5);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => client.send(new TransactWriteCommand({ TransactItems: [addOne(`item-${i}`)] }))),
    );
    expect(proxy.stats).toEqual({ transactions: 100, conflicts: 0 });
    expect(await count('item-0')).toBe(1);
    expect(await count('item-99')).toBe(1);
  });

  it('refuses a plain write to an item an ongoing transaction holds, and allows it afterwards', async () => {
    const { proxy, client } = await through(400);
    const transaction = client.send(new TransactWriteCommand({ TransactItems: [addOne('held')] }));
    while (proxy.stats.transactions === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const put = client.send(new PutCommand({ TableName: tables.tables.donations, Item: { pk: 'held', sk: 'total', n: 0 } }));
    await expect(put).rejects.toBeInstanceOf(TransactionConflictException);
    await expect(put).rejects.toMatchObject({ message: 'Transaction is ongoing for the item', $metadata: { httpStatusCode: 400 } });
    const update = client.send(new UpdateCommand({ ...addOne('held').Update }));
    await expect(update).rejects.toBeInstanceOf(TransactionConflictException);
    // Another item of the same table is free, and so is the same key in another table.
    await client.send(new PutCommand({ TableName: tables.tables.donations, Item: { pk: 'held', sk: 'other' } }));
    await client.send(new PutCommand({ TableName: tables.tables.subscribers, Item: { pk: 'held', sk: 'total' } }));

    await transaction;
    expect(await count('held')).toBe(1);
    await client.send(new PutCommand({ TableName: tables.tables.donations, Item: { pk: 'held', sk: 'total', n: 7 } }));
    expect(await count('held')).toBe(7);
    expect(proxy.stats).toEqual({ transactions: 1, conflicts: 2 });
  });

  it('passes ordinary requests through untouched', async () => {
    const { proxy, raw, client } = await through(5);
    const names = uniqueTableNames();
    await createTables(raw, names); // CreateTable, DescribeTable, DescribeTimeToLive, UpdateTimeToLive
    await client.send(new PutCommand({ TableName: names.donations, Item: { pk: 'p', sk: 'a', n: 1 } }));
    await client.send(new PutCommand({ TableName: names.donations, Item: { pk: 'p', sk: 'b', n: 2 } }));
    const got = await client.send(new GetCommand({ TableName: names.donations, Key: { pk: 'p', sk: 'a' } }));
    expect(got.Item).toEqual({ pk: 'p', sk: 'a', n: 1 });
    expect(got.$metadata.requestId).toBeTruthy();
    const queried = await client.send(
      new QueryCommand({ TableName: names.donations, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' } }),
    );
    expect(queried.Items?.map((item) => item['sk'])).toEqual(['a', 'b']);
    // DynamoDB Local's own errors come back as they were.
    await expect(client.send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'p', sk: 'a' } }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(proxy.stats).toEqual({ transactions: 0, conflicts: 0 });
  });
});
