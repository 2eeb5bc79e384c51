import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoExportSource } from '../../../functions/adapters/dynamo-exports.js';
import { INDEX_SHARDS } from '../../../functions/adapters/dynamo-keys.js';

type Input = { Segment?: number; ExclusiveStartKey?: { stream: string; at: number }; ExpressionAttributeValues?: Record<string, unknown> };

const gift = (key: string, createdAt: string) => ({
  pk: `GIFT#${key}`,
  sk: 'GIFT',
  gsi1sk: `${createdAt}#${key}`,
  key,
  status: 'paid',
  campaign: 'c',
  refunded: 0,
  disputed: false,
  createdAt,
  updatedAt: createdAt,
  contributed: { raised: 0, donations: 0, donor: false },
  receiptQueued: false,
  signupQueued: false,
  version: 1,
});

/**
 * Stand-in whose Query (per index partition) and Scan (per segment) answer in pages of two, each stream holding
 * `count(stream)` gifts, sorted by gsi1sk within a partition as the index is. Records every request.
 */
const pagedClient = (count: (stream: number) => number) => {
  const sent: { kind: string; stream: string; start?: Input['ExclusiveStartKey'] }[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Input }) => {
      const kind = command.constructor.name;
      const n = kind === 'QueryCommand' ? Number(String(command.input.ExpressionAttributeValues?.[':partition']).split('#').pop()) : (command.input.Segment ?? -1);
      const stream = `${kind}:${n}`;
      sent.push({ kind, stream, start: command.input.ExclusiveStartKey });
      if (command.input.ExclusiveStartKey && command.input.ExclusiveStartKey.stream !== stream) throw new Error('a start key from another stream');
      const all = Array.from({ length: count(n) }, (_, i) => gift(`${n}-${i}`, `2026-01-${String(1 + i * 3 + (n % 3)).padStart(2, '0')}T00:00:00.000Z`));
      const at = command.input.ExclusiveStartKey?.at ?? 0;
      return { Items: all.slice(at, at + 2), ...(at + 2 < all.length ? { LastEvaluatedKey: { stream, at: at + 2 } } : {}) };
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
};

const requestsFor = (count: number) => Math.max(1, Math.ceil(count / 2));
const collect = async (items: AsyncIterable<{ key: string; createdAt: string }>) => {
  const out: { key: string; createdAt: string }[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe('export source paging', () => {
  it('reads every page of every index partition of a campaign, once each, merged in sort-key order', async () => {
    const count = (n: number) => n; // partition 0 empty, partition 7 four pages
    const { client, sent } = pagedClient(count);
    const gifts = await collect(new DynamoExportSource(client, { subscribers: 's', donations: 'd' }).gifts({ campaign: 'c' } as never));
    const expected = Array.from({ length: INDEX_SHARDS }, (_, n) => Array.from({ length: count(n) }, (_, i) => `${n}-${i}`)).flat();
    expect(gifts.map((g) => g.key).sort()).toEqual(expected.sort());
    const order = gifts.map((g) => `${g.createdAt}#${g.key}`);
    expect(order).toEqual([...order].sort());
    expect(sent).toHaveLength(Array.from({ length: INDEX_SHARDS }, (_, n) => requestsFor(count(n))).reduce((a, b) => a + b, 0));
    expect(new Set(sent.map((request) => `${request.stream}@${request.start?.at ?? 0}`)).size).toBe(sent.length);
  });

  it('reads every page of every Scan segment, once each', async () => {
    const count = (segment: number) => 2 * segment + 1;
    const { client, sent } = pagedClient(count);
    const gifts = await collect(new DynamoExportSource(client, { subscribers: 's', donations: 'd' }).gifts({} as never));
    const segments = [0, 1, 2, 3];
    expect(gifts.map((g) => g.key).sort()).toEqual(segments.flatMap((n) => Array.from({ length: count(n) }, (_, i) => `${n}-${i}`)).sort());
    expect(sent.every((request) => request.kind === 'ScanCommand')).toBe(true);
    expect(sent).toHaveLength(segments.map((n) => requestsFor(count(n))).reduce((a, b) => a + b, 0));
    expect(new Set(sent.map((request) => `${request.stream}@${request.start?.at ?? 0}`)).size).toBe(sent.length);
  });
});
