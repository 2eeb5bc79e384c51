import { parse } from '../core/shared/schema.js';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { countChange, MAX_SHARDS } from '../core/subscriptions/counting.js';
import { ConflictError } from '../core/shared/errors.js';
import { Subscriber } from '../core/subscriptions/model.js';
import type { SubscriberCounts, SubscriberRepository } from '../core/subscriptions/ports.js';
import { indexPartition, keys, putVersioned, versionCondition } from './dynamo-keys.js';
import { addExpression, batchGetAll, randomShard, sumNumbers, transactWrite } from './dynamo-transactions.js';
import { subscriberDayChange } from '../core/dashboard/counters.js';
import { counterKeys, dayCounterUpdate, SIGNUP_MARKER_DAYS } from './dynamo-day-counters.js';
import { subscriberAttributionChange } from '../core/experiments/attribution-counts.js';
import { attributionUpdates } from './dynamo-attribution.js';

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
    const day = subscriberDayChange(current, stored);
    // The attribution counters' signup is the day counters' signup: counted once per job, by the same marker.
    const attribution = subscriberAttributionChange(current, stored);
    if (Object.keys(delta).length === 0 && !day && !attribution) {
      // Nothing to count (e.g. the time a link went out): a plain conditional put costs half.
      await putVersioned(this.client, this.tableName, item, current?.version, 'subscriber');
      return stored;
    }
    // A signup job is counted once, by its marker's creation: the same job applied again (SQS delivered it again after
    // a later job for the address) finds the marker and is written without the count.
    let countSignup = day?.signupJob !== undefined;
    for (;;) {
      const counted = day && !countSignup && day.signupJob !== undefined ? withoutSignup(day) : day;
      const marker = countSignup && day?.signupJob !== undefined ? day.signupJob : undefined;
      const attributed = attribution && !countSignup && day?.signupJob !== undefined ? withoutSignup(attribution) : attribution;
      const failed = await transactWrite(this.client, () => [
        { Put: { TableName: this.tableName, Item: item, ...versionCondition(current?.version) } },
        ...(Object.keys(delta).length > 0 ? [this.countUpdate(delta)] : []),
        ...(counted && Object.keys(counted.counts).length > 0 ? [dayCounterUpdate(this.tableName, counted)] : []),
        ...(marker !== undefined ? [this.signupMarker(marker, stored.updatedAt)] : []),
        ...(attributed && Object.keys(attributed.counts).length > 0 ? attributionUpdates(this.tableName, attributed) : []),
      ]);
      if (failed.length === 0) return stored;
      if (failed.includes(0)) throw new ConflictError('subscriber changed concurrently');
      countSignup = false; // the marker was there: this job was counted when it was first applied
    }
  }

  /** The marker that a signup job has been counted, created only if absent (kept SIGNUP_MARKER_DAYS). */
  private signupMarker(jobId: string, at: string) {
    const expiresAt = Math.floor(Date.parse(at) / 1000) + SIGNUP_MARKER_DAYS * 86400;
    return { Put: { TableName: this.tableName, Item: { ...counterKeys.signupJob(jobId), expiresAt }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  async delete(current: Subscriber): Promise<void> {
    const failed = await transactWrite(this.client, () => [
      { Delete: { TableName: this.tableName, Key: keys.subscriber(current.email), ...versionCondition(current.version) } },
      this.countUpdate(countChange(current, undefined)),
    ]);
    if (failed.length > 0) throw new ConflictError('subscriber changed concurrently');
  }
}

/** A day change without its signup (the job was counted before). */
const withoutSignup = <T extends { counts: Record<string, number> }>(change: T): T => {
  const { signups: _signups, ...counts } = change.counts;
  return { ...change, counts };
};

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
