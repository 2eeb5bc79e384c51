import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { ConfirmedReaders } from '../core/connectors/backfill.js';
import type { BackfillCursor } from '../core/connectors/backfill-model.js';
import { onFirstUse, parse } from '../core/shared/schema.js';
import { Subscriber } from '../core/subscriptions/model.js';
import { INDEX_SHARDS, indexPartitions, keys } from './dynamo-keys.js';
import { pagesOf } from './dynamo-pages.js';

/** BatchGetItem reads at most 100 items a call. */
const BATCH_GET = 100;

const IndexedItem = /* @__PURE__ */ onFirstUse(() => z.object({ email: z.string(), gsi1sk: z.string() }));

/**
 * The confirmed subscribers on the status index (`gsi1`, `STATUS#confirmed#<0-7>`, sorted by signup time and
 * address): one partition after another, each in its sort order, so a cursor (the partition and the last sort key)
 * resumes exactly after the last reader it saw. A Query, never a Scan; then each reader's record as it is now
 * (a consistent BatchGetItem: the index may lag behind an unsubscribe).
 */
export class DynamoConfirmedReaders implements ConfirmedReaders {
  private readonly partitions = indexPartitions('STATUS#confirmed');

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async page(cursor: BackfillCursor, limit: number) {
    for (let shard = cursor.shard; shard < INDEX_SHARDS; shard++) {
      const after = shard === cursor.shard ? cursor.after : undefined;
      const { Items = [], LastEvaluatedKey } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: after === undefined ? 'gsi1pk = :p' : 'gsi1pk = :p AND gsi1sk > :after',
          ExpressionAttributeValues: { ':p': this.partitions[shard], ...(after === undefined ? {} : { ':after': after }) },
          ProjectionExpression: 'email, gsi1sk',
          Limit: limit,
        }),
      );
      const indexed = Items.map((item) => parse(IndexedItem, item));
      const current = await this.current(indexed.map((i) => i.email));
      const readers = indexed.map(({ email, gsi1sk }) => {
        const subscriber = current.get(email);
        return { email, sortKey: gsi1sk, ...(subscriber ? { subscriber } : {}) };
      });
      const last = readers.at(-1);
      if (!last) continue;
      const next: BackfillCursor | undefined = LastEvaluatedKey ? { shard, after: last.sortKey } : shard + 1 < INDEX_SHARDS ? { shard: shard + 1 } : undefined;
      return next ? { readers, next } : { readers };
    }
    return { readers: [] };
  }

  /** The records of these addresses, read consistently; an address with none (erased since) is left out. */
  private async current(emails: readonly string[]) {
    const found = new Map<string, Subscriber>();
    for (let i = 0; i < emails.length; i += BATCH_GET) {
      let pending: Record<string, unknown>[] | undefined = emails.slice(i, i + BATCH_GET).map((email) => keys.subscriber(email));
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** attempt)));
        const { Responses, UnprocessedKeys }: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          const subscriber = parse(Subscriber, item);
          found.set(subscriber.email, subscriber);
        }
        pending = UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return found;
  }

  async count() {
    const counts = await Promise.all(
      this.partitions.map(async (partition) => {
        let total = 0;
        for await (const _ of pagesOf(async (ExclusiveStartKey) => {
          const { Count = 0, LastEvaluatedKey } = await this.client.send(
            new QueryCommand({
              TableName: this.tableName,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :p',
              ExpressionAttributeValues: { ':p': partition },
              Select: 'COUNT',
              ExclusiveStartKey,
            }),
          );
          total += Count;
          return { Items: [], ...(LastEvaluatedKey ? { LastEvaluatedKey } : {}) };
        })) {
          // counted above, page by page
        }
        return total;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
}
