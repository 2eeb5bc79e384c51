import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import type { MailLedger } from '../core/mail/ports.js';
import { epochSeconds, keys } from './dynamo-keys.js';

const LedgerItem = /* @__PURE__ */ onFirstUse(() => z.object({ state: z.enum(['sending', 'sent']), leaseUntil: z.number() }));
const KEEP_SECONDS = 90 * 86400;
/**
 * A giving statement (`statement:<hash>:<year>`) is sent once per donor and year however late the year's run is
 * repeated, so its entry (a keyed hash, no address) is kept as long as a donor may ask about the year's taxes.
 */
const KEEP_STATEMENT_SECONDS = 7 * 366 * 86400;
const keepSeconds = (key: string) => (key.startsWith('statement:') ? KEEP_STATEMENT_SECONDS : KEEP_SECONDS);

export class DynamoMailLedger implements MailLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(key: string, now: Date, leaseSeconds: number): Promise<'claimed' | 'sent' | 'busy'> {
    const nowSeconds = epochSeconds(now);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.mail(key), state: 'sending', leaseUntil: nowSeconds + leaseSeconds, expiresAt: nowSeconds + keepSeconds(key) },
          // A claim whose lease ran out belongs to a sender that died before marking it: take it over.
          ConditionExpression: 'attribute_not_exists(pk) OR (#state = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sending': 'sending', ':now': nowSeconds },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.mail(key), ConsistentRead: true }));
    return parse(LedgerItem, Item).state === 'sent' ? 'sent' : 'busy';
  }

  async markSent(key: string, now: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.mail(key),
        UpdateExpression: 'SET #state = :sent, sentAt = :at',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sent': 'sent', ':at': now.toISOString() },
      }),
    );
  }
}
