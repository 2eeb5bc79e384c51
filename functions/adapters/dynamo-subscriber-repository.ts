import { parse } from '../core/shared/schema.js';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { countChange, MAX_SHARDS } from '../core/subscriptions/counting.js';
import { ConflictError } from '../core/shared/errors.js';
import { Subscriber } from '../core/subscriptions/model.js';
import type { SubscriberCounts, SubscriberRepository } from '../core/subscriptions/ports.js';
import { indexPartition, keys, putVersioned, versionCondition } from './dynamo-keys.js';
import { addExpression, batchGetAll, randomShard, sumNumbers, transactWrite } from './dynamo-transactions.js';

export class DynamoSubscriberRepository implements SubscriberRepository {
  /** `shards`: how many items the subscriber counts are spread over (COUNTER_SHARDS). */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly shards: number,
  ) {}

  async get(email: string): Promise<Subscriber | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.subscriber(email), ConsistentRead: true }),
    );
    // The schema keeps only the subscriber's fields: key and index attributes fall away.
    return Item ? parse(Subscriber, Item) : undefined;
  }

  /** The counts' change, on one of their items chosen at random. */
  private countUpdate(delta: Record<string, number>) {
    return { Update: { TableName: this.tableName, Key: keys.countShard(randomShard(this.shards)), ...addExpression(delta) } };
  }

  async save(next: Subscriber, current: Subscriber | undefined): Promise<Subscriber> {
    const stored = parse(Subscriber, { ...next, version: (current?.version ?? 0) + 1 });
    const item = {
      ...keys.subscriber(stored.email),
      // The status index serves exports by status, oldest signup first, over INDEX_SHARDS partitions.
      gsi1pk: indexPartition(`STATUS#${stored.status}`, stored.email),
      gsi1sk: `${stored.subscribedAt}#${stored.email}`,
      ...stored,
    };
    const delta = countChange(current, stored);
    if (Object.keys(delta).length === 0) {
      // Nothing to count (e.g. a fresh link for a pending address): a plain conditional put costs half.
      await putVersioned(this.client, this.tableName, item, current?.version, 'subscriber');
      return stored;
    }
    const failed = await transactWrite(this.client, () => [
      { Put: { TableName: this.tableName, Item: item, ...versionCondition(current?.version) } },
      this.countUpdate(delta),
    ]);
    if (failed.length > 0) throw new ConflictError('subscriber changed concurrently');
    return stored;
  }

  async delete(current: Subscriber): Promise<void> {
    const failed = await transactWrite(this.client, () => [
      { Delete: { TableName: this.tableName, Key: keys.subscriber(current.email), ...versionCondition(current.version) } },
      this.countUpdate(countChange(current, undefined)),
    ]);
    if (failed.length > 0) throw new ConflictError('subscriber changed concurrently');
  }
}

const COUNTER = /^(status|list):/;

/**
 * The subscriber counts: number attributes named `status:…` and `list:…` spread over count items (the shard
 * count may change between deployments, so every possible shard is read: one BatchGetItem, admin only).
 */
export class DynamoSubscriberCounts implements SubscriberCounts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read() {
    const shardKeys = Array.from({ length: MAX_SHARDS }, (_, shard) => keys.countShard(shard));
    const items = await batchGetAll(this.client, this.tableName, shardKeys);
    return Object.fromEntries(Object.entries(sumNumbers(items, (name) => COUNTER.test(name))).filter(([, n]) => n !== 0));
  }
}
