import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { DonorLedger, DonorRecord } from '../core/connectors/donors.js';
import { Frequency } from '../core/donations/frequency.js';
import { onFirstUse, parse } from '../core/shared/schema.js';
import { queryAll } from './dynamo-pages.js';

/** One donor's partition: a gift or a monthly gift per item, under the keyed hash of the address. */
export const donorLedgerKeys = {
  gift: (subject: string, key: string) => ({ pk: `WHDONOR#${subject}`, sk: `GIFT#${key}` }),
  monthly: (subject: string, subscription: string) => ({ pk: `WHDONOR#${subject}`, sk: `MONTHLY#${subscription}` }),
};

const GiftItem = /* @__PURE__ */ onFirstUse(() => z.object({
  key: z.string(),
  at: z.string(),
  amount: z.int(),
  refunded: z.int(),
  currency: z.string(),
  frequency: Frequency,
  version: z.int(),
}));
const MonthlyItem = /* @__PURE__ */ onFirstUse(() => z.object({ subscription: z.string(), state: z.enum(['active', 'ended']) }));

const ignoreConditionFailure = (error: unknown) => {
  if (!(error instanceof ConditionalCheckFailedException)) throw error;
};

/**
 * Each donor's gifts and monthly gifts, in the subscribers table: one partition per donor (read with one Query, no
 * scan), and each item on the erase index under the same subject as the person's events, so an erase's scrub
 * deletes them. Amounts and times only: no address.
 */
export class DynamoDonorLedger implements DonorLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private erasable(subject: string, now: Date, id: string) {
    return { gsi1pk: `WHSUBJECT#${subject}`, gsi1sk: `${now.toISOString()}#${id}` };
  }

  async recordGift(subject: string, gift: z.infer<typeof GiftItem>, now: Date) {
    await this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...donorLedgerKeys.gift(subject, gift.key), ...gift, ...this.erasable(subject, now, gift.key) },
          ConditionExpression: 'attribute_not_exists(pk) OR version < :v',
          ExpressionAttributeValues: { ':v': gift.version },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async recordMonthly(subject: string, subscription: string, state: 'active' | 'ended', now: Date) {
    await this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...donorLedgerKeys.monthly(subject, subscription), subscription, state, ...this.erasable(subject, now, subscription) },
          // A monthly gift that ended never starts again (a start read again after its end).
          ...(state === 'active'
            ? { ConditionExpression: 'attribute_not_exists(pk) OR #state <> :ended', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':ended': 'ended' } }
            : {}),
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async read(subject: string): Promise<DonorRecord> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `WHDONOR#${subject}` },
      ConsistentRead: true,
    });
    const record: DonorRecord = { gifts: [], monthly: [] };
    for (const item of items) {
      if (String(item.sk).startsWith('GIFT#')) record.gifts.push(parse(GiftItem, item));
      else record.monthly.push(parse(MonthlyItem, item));
    }
    return record;
  }
}
