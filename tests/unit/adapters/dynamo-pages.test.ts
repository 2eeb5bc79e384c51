import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { INDEX_SHARDS } from '../../../functions/adapters/dynamo-keys.js';
import { queryAll, queryPages, queryPartitions } from '../../../functions/adapters/dynamo-pages.js';

type Input = Record<string, unknown> & { ExclusiveStartKey?: { at: number }; ExpressionAttributeValues?: Record<string, unknown> };

/**
 * A DynamoDB stand-in whose Query answers in pages of two: each page's LastEvaluatedKey says where the next one
 * starts, and a request that does not pass it back starts over (so a pager that drops it loops or repeats items).
 */
const pagedClient = (itemsOf: (input: Input) => string[]) => {
  const sent: Input[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Input }) => {
      if (command.constructor.name !== 'QueryCommand') throw new Error(`unexpected ${command.constructor.name}`);
      sent.push(command.input);
      if (sent.length > 100) throw new Error('the pager does not stop');
      const all = itemsOf(command.input);
      const at = command.input.ExclusiveStartKey?.at ?? 0;
      const next = at + 2;
      return {
        Items: all.slice(at, next).map((id) => ({ id })),
        ...(next < all.length ? { LastEvaluatedKey: { at: next } } : {}),
      };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
};

const input = { TableName: 't', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'P' }, ProjectionExpression: 'id', ConsistentRead: true };

describe('paged Query', () => {
  it('returns every page’s items, passing each LastEvaluatedKey back as the next ExclusiveStartKey', async () => {
    const { client, sent } = pagedClient(() => ['a', 'b', 'c', 'd', 'e']);
    expect((await queryAll(client, input)).map((item) => item.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(sent.map((request) => request.ExclusiveStartKey)).toEqual([undefined, { at: 2 }, { at: 4 }]);
    // Everything else of the request goes out unchanged on every page.
    for (const request of sent) expect(request).toMatchObject(input);
  });

  it('sends one request when the first page is the last, and returns nothing for an empty result', async () => {
    const { client, sent } = pagedClient(() => []);
    expect(await queryAll(client, input)).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('reads no further page once the caller stops iterating', async () => {
    const { client, sent } = pagedClient(() => ['a', 'b', 'c', 'd', 'e']);
    const seen: unknown[] = [];
    for await (const page of queryPages(client, input)) {
      seen.push(...page.map((item) => item.id));
      break;
    }
    expect(seen).toEqual(['a', 'b']);
    expect(sent).toHaveLength(1);
  });

  it('with stopAfter, stops after the page that reaches it and keeps that page whole', async () => {
    const { client, sent } = pagedClient(() => ['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect((await queryAll(client, input, { stopAfter: 3 })).map((item) => item.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(sent).toHaveLength(2);
  });

  it('queries every index partition of a value, each paged to its end, with :partition bound to it', async () => {
    // Partition n holds n + 1 items, so most take several pages.
    const { client, sent } = pagedClient((request) => {
      const n = Number(String(request.ExpressionAttributeValues?.[':partition']).split('#').pop());
      return Array.from({ length: n + 1 }, (_, i) => `${n}.${i}`);
    });
    const items = await queryPartitions(client, 'GIFTS#c', { ...input, KeyConditionExpression: 'gsi1pk = :partition', ExpressionAttributeValues: { ':x': 1 } });
    const expected = Array.from({ length: INDEX_SHARDS }, (_, n) => Array.from({ length: n + 1 }, (_, i) => `${n}.${i}`)).flat();
    expect(items.map((item) => item.id).sort()).toEqual(expected.sort());
    expect(new Set(sent.map((request) => request.ExpressionAttributeValues?.[':partition']))).toEqual(
      new Set(Array.from({ length: INDEX_SHARDS }, (_, n) => `GIFTS#c#${n}`)),
    );
    // The caller's own values stay beside the bound partition.
    for (const request of sent) expect(request.ExpressionAttributeValues).toMatchObject({ ':x': 1 });
  });

  it('applies stopAfter to each partition’s Query', async () => {
    const { client, sent } = pagedClient(() => ['a', 'b', 'c', 'd', 'e']);
    const items = await queryPartitions(client, 'V', { ...input, KeyConditionExpression: 'gsi1pk = :partition' }, { stopAfter: 1 });
    expect(items).toHaveLength(2 * INDEX_SHARDS);
    expect(sent).toHaveLength(INDEX_SHARDS);
  });
});
