import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import type { SuppressionReason, Suppressions } from '../core/mail/ports.js';

/** The suppression list: one item per address hash that must not be mailed (bounced, complained, erased). */
const suppressionKey = (hash: string) => ({ pk: `SUPPRESS#${hash}`, sk: 'SUPPRESS' });

const SuppressionItem = /* @__PURE__ */ onFirstUse(() => z.object({ reason: z.enum(['bounced', 'complained', 'erased']), at: z.string() }));

/**
 * Lifting a marker, all the subscriptions function does with the list (a confirmation lifts an earlier erase, bounce
 * or complaint): a class of its own, so that its bundle holds neither the reads nor the filing below.
 */
export class DynamoSuppressionRemover implements Pick<Suppressions, 'remove'> {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async remove(addressHash: string) {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: suppressionKey(addressHash) }));
  }
}

export class DynamoSuppressions extends DynamoSuppressionRemover implements Suppressions {
  async get(addressHash: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: suppressionKey(addressHash), ConsistentRead: true }),
    );
    return Item ? parse(SuppressionItem, Item) : undefined;
  }

  async put(addressHash: string, reason: SuppressionReason, at: Date) {
    const item = { ...suppressionKey(addressHash), reason, at: at.toISOString() };
    if (reason !== 'erased') {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
      return;
    }
    try {
      // An erase never replaces a bounce or a complaint: an erased address still gets receipts, those never do.
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR #reason = :erased',
          ExpressionAttributeNames: { '#reason': 'reason' },
          ExpressionAttributeValues: { ':erased': 'erased' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error; // a bounce or complaint is kept
    }
  }
}
