import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryIndex } from './dynamo-pages.js';
import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import type { AdminTokenRecord, AdminTokens, TokenSelector } from '../core/admin/ports.js';

const adminKeys = {
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' }),
};

const TokenItem = /* @__PURE__ */ onFirstUse(() => z.object({
  pk: z.string(),
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.optional(z.string()),
  /** The table's time-to-live attribute, in epoch seconds: a temporary token's end. */
  expiresAt: z.optional(z.number()),
}));

const toRecord = (item: z.infer<typeof TokenItem>): AdminTokenRecord => ({
  id: item.id,
  name: item.name,
  createdAt: item.createdAt,
  lastUsedAt: item.lastUsedAt,
  ...(item.expiresAt === undefined ? {} : { expiresAt: new Date(item.expiresAt * 1000).toISOString() }),
});

export class DynamoAdminTokens implements AdminTokens {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(hash: string, record: AdminTokenRecord) {
    const { expiresAt, ...kept } = record;
    // A temporary token's end goes in the table's time-to-live attribute (epoch seconds, rounded up), so DynamoDB
    // deletes the item some time after it; authenticateAdmin refuses it from that moment on.
    const expiry = expiresAt === undefined ? {} : { expiresAt: Math.ceil(Date.parse(expiresAt) / 1000) };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...adminKeys.token(hash), ...kept, ...expiry, gsi1pk: 'TOKENS', gsi1sk: `${record.createdAt}#${record.id}` },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findByHash(hash: string) {
    // Strongly consistent: a token revoked a moment ago must stop at once (an eventually consistent read may not see it).
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: adminKeys.token(hash), ConsistentRead: true }));
    if (!Item) return undefined;
    return { ...toRecord(parse(TokenItem, Item)), hash };
  }

  private async items() {
    return (await queryIndex(this.client, this.tableName, 'TOKENS')).map((item) => parse(TokenItem, item));
  }

  async list() {
    return (await this.items()).map(toRecord);
  }

  async revoke(which: TokenSelector) {
    const matches = (await this.items()).filter((t) => ('id' in which ? t.id === which.id : t.name === which.name));
    for (const item of matches) {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: 'TOKEN' } }));
    }
    return matches.map(toRecord);
  }

  async touch(hash: string, at: Date) {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: adminKeys.token(hash),
          UpdateExpression: 'SET lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      )
      .catch(() => undefined); // revoked meanwhile, or a hiccup: last use is advisory
  }
}

