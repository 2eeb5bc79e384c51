import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryIndex } from './dynamo-keys.js';
import * as z from 'zod/mini';
import '../core/shared/schema.js'; // zod's messages, worded for every parse
import type { AdminTokenRecord, AdminTokens } from '../core/admin/ports.js';

const adminKeys = {
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' }),
};

const TokenItem = z.object({
  pk: z.string(),
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.optional(z.string()),
});

const toRecord = (item: z.infer<typeof TokenItem>) => ({ id: item.id, name: item.name, createdAt: item.createdAt, lastUsedAt: item.lastUsedAt });

export class DynamoAdminTokens implements AdminTokens {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(hash: string, record: AdminTokenRecord) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...adminKeys.token(hash), ...record, gsi1pk: 'TOKENS', gsi1sk: `${record.createdAt}#${record.id}` },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async findByHash(hash: string) {
    // Strongly consistent: a token revoked a moment ago must stop at once (an eventually consistent read may not see it).
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: adminKeys.token(hash), ConsistentRead: true }));
    if (!Item) return undefined;
    return { ...toRecord(TokenItem.parse(Item)), hash };
  }

  private async items() {
    return (await queryIndex(this.client, this.tableName, 'TOKENS')).map((item) => TokenItem.parse(item));
  }

  async list() {
    return (await this.items()).map(toRecord);
  }

  async revoke(idOrName: string) {
    const matches = (await this.items()).filter((t) => t.id === idOrName || t.name === idOrName);
    for (const item of matches) {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: 'TOKEN' } }));
    }
    return matches.length > 0;
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
