import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { Reminder, ReminderStore } from '../core/donors/ports.js';
import { LANGUAGES } from '../core/shared/i18n/index.js';
import { parse, onFirstUse } from '../core/shared/schema.js';
import { indexPartition } from './dynamo-keys.js';
import { queryPages, queryPartitions } from './dynamo-pages.js';

/** A reminder as stored: what the domain reads back, checked (never `Item as Reminder`). */
const ReminderItem = /* @__PURE__ */ onFirstUse(() => z.object({
  address: z.string(),
  email: z.string(),
  campaign: z.string(),
  date: z.string(),
  dueAt: z.string(),
  lang: z.optional(z.enum(LANGUAGES)),
  createdAt: z.string(),
  expiresAt: z.number(),
}));

/** `REMIND#<keyed hash of the address>` / `<date>#<campaign>`: an address's reminders are one partition. */
const keyOf = (reminder: Pick<Reminder, 'address' | 'date' | 'campaign'>) => ({ pk: `REMIND#${reminder.address}`, sk: `${reminder.date}#${reminder.campaign}` });

/**
 * Reminders in the subscribers table. The due-time index is `gsi1`: partition `REMIND#<date>#<0-7>` (a day's
 * reminders spread over eight index partitions by a hash of the reminder, so a day that thousands chose, Giving
 * Tuesday, takes no single partition's every write), sort key `<dueAt>#<address>#<campaign>`.
 */
export class DynamoReminders implements ReminderStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(reminder: Reminder) {
    const key = keyOf(reminder);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key,
          ...reminder,
          gsi1pk: indexPartition(`REMIND#${reminder.date}`, `${reminder.address}#${reminder.campaign}`),
          gsi1sk: `${reminder.dueAt}#${reminder.address}#${reminder.campaign}`,
        },
      }),
    );
  }

  async due(date: string, at: Date) {
    // `$` sorts right after `#`: every sort key whose time is at or before `at`.
    const bound = `${at.toISOString()}$`;
    const items = await queryPartitions(this.client, `REMIND#${date}`, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :partition AND gsi1sk < :bound',
      ExpressionAttributeValues: { ':bound': bound },
    });
    return items
      .map((item) => parse(ReminderItem, item))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  async delete(reminder: Reminder) {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: keyOf(reminder) }));
  }

  async deleteAll(address: string) {
    let deleted = 0;
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `REMIND#${address}` },
      ProjectionExpression: 'pk, sk',
    });
    for await (const page of pages) {
      for (const item of page) {
        const key = parse(z.object({ pk: z.string(), sk: z.string() }), item);
        await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
        deleted += 1;
      }
    }
    return deleted;
  }
}

