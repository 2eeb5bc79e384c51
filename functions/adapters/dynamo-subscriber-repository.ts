import { DeleteCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Subscriber } from '../core/model.js';
import type { SubscriberRepository } from '../core/ports.js';
import { conflictOnCondition, keys, putVersioned } from './dynamo-keys.js';

export class DynamoSubscriberRepository implements SubscriberRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(email: string): Promise<Subscriber | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.subscriber(email), ConsistentRead: true }),
    );
    // The schema keeps only the subscriber's fields: key and index attributes fall away.
    return Item ? Subscriber.parse(Item) : undefined;
  }

  async save(next: Subscriber, expectedVersion: number | undefined): Promise<Subscriber> {
    const stored = Subscriber.parse({ ...next, version: (expectedVersion ?? 0) + 1 });
    const item = {
      ...keys.subscriber(stored.email),
      // The status index serves exports by status, newest signup last.
      gsi1pk: `STATUS#${stored.status}`,
      gsi1sk: `${stored.subscribedAt}#${stored.email}`,
      ...stored,
    };
    await putVersioned(this.client, this.tableName, item, expectedVersion, 'subscriber');
    return stored;
  }

  async delete(current: Subscriber): Promise<void> {
    await this.client
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.subscriber(current.email),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': current.version },
        }),
      )
      .catch(conflictOnCondition('subscriber changed concurrently'));
  }
}
