import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { ERASED_ADDRESS_TTL_MS, type ErasedAddresses } from '../core/events/ports.js';
import { onFirstUse, parse } from '../core/shared/schema.js';
import { openToken, sealToken } from '../core/shared/secrets.js';
import { epochSeconds } from './dynamo-keys.js';

export const erasedAddressKey = (deliveryId: string) => ({ pk: `WHERASE#${deliveryId}`, sk: 'WHERASE' });

const Item = /* @__PURE__ */ onFirstUse(() => z.object({ sealed: z.string(), createdAt: z.string() }));
const Sealed = /* @__PURE__ */ onFirstUse(() => z.object({ email: z.string() }));

/**
 * The erased addresses a connector delivery still needs, one item per delivery in the subscribers table: the
 * address sealed (AES-256-GCM) under the key the connectors' secrets are sealed with, bound to the delivery's id,
 * with the table's time to live as a backstop (expiry is also checked on read: the TTL deletes within days).
 */
export class DynamoErasedAddresses implements ErasedAddresses {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sealKey: Buffer,
  ) {}

  async keep(deliveryId: string, email: string, now: Date) {
    await this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...erasedAddressKey(deliveryId),
            sealed: sealToken(this.sealKey, `erased-address:${deliveryId}`, { email }),
            createdAt: now.toISOString(),
            expiresAt: epochSeconds(new Date(now.getTime() + ERASED_ADDRESS_TTL_MS)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }

  async open(deliveryId: string, now: Date) {
    const { Item: raw } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: erasedAddressKey(deliveryId), ConsistentRead: true }));
    if (!raw) return undefined;
    const item = parse(Item, raw);
    if (Date.parse(item.createdAt) + ERASED_ADDRESS_TTL_MS <= now.getTime()) return undefined;
    return openToken(this.sealKey, `erased-address:${deliveryId}`, item.sealed, Sealed).email;
  }

  async drop(deliveryId: string) {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: erasedAddressKey(deliveryId) }));
  }
}
