import { createHash } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GiftAidCancellations } from '../core/donations/gift-aid-cancel.js';

/**
 * A donor's Gift Aid cancellations: one item per address, keyed by the SHA-256 of the canonical address (the key
 * names no one in plain text), holding every cancellation time as a string set. No expiry: a cancellation decides
 * which gifts may be claimed for as long as their declarations are kept (six years after the claim).
 */
export const giftAidKey = (email: string) => ({ pk: `GIFTAID#${createHash('sha256').update(email).digest('hex')}`, sk: 'GIFTAID' });

export class DynamoGiftAidCancellations implements GiftAidCancellations {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** ADD to a set: a repeated request at the same instant changes nothing; each other one is kept. */
  async cancel(email: string, at: Date) {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: giftAidKey(email),
        UpdateExpression: 'ADD cancelledAt :at',
        ExpressionAttributeValues: { ':at': new Set([at.toISOString()]) },
      }),
    );
  }

  async cancellationsOf(email: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: giftAidKey(email), ConsistentRead: true }));
    const times = Item?.cancelledAt;
    return times instanceof Set ? [...times].filter((t): t is string => typeof t === 'string').sort() : [];
  }
}
