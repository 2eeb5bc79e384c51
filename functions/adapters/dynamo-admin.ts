import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { queryIndex, queryPartitions } from './dynamo-keys.js';
import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import type { AdminTokenRecord, AdminTokens, DonorGifts, TokenSelector } from '../core/admin/ports.js';
import { Gift } from '../core/donations/model.js';
import { donationKeys } from './dynamo-donations.js';
import { batchGetAll } from './dynamo-transactions.js';

const adminKeys = {
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' }),
};

const TokenItem = onFirstUse(() => z.object({
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

const CampaignItem = onFirstUse(() => z.object({ id: z.string() }));
/** BatchGetItem takes at most 100 keys a request. */
const BATCH_GET_KEYS = 100;
const DonorMarker = onFirstUse(() => z.object({ pk: z.string(), firstGift: z.string() }));

/**
 * The gifts held for a donor's address, without a table scan. Gifts are filed by campaign, and a donor's first
 * counted gift to a campaign leaves a marker keyed by the campaign and the keyed hash of the address (the gift
 * ledger's `DONOR#<campaign>#<hash>`). So: the campaigns (their index partition), the markers of this address in
 * each (key lookups, one BatchGetItem per 100 campaigns), then for each campaign it has given to, that campaign's
 * gifts on the index filtered on the address. The filter reads the campaign's gifts (a data request is rare and
 * the admin routes are throttled); a per-donor index would read only the donor's, but needs the ledger to write one.
 * A gift never paid (failed, abandoned) leaves no marker and is not found.
 */
export class DynamoDonorGifts implements DonorGifts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async campaignGifts(campaign: string, email: string) {
    const items = await queryPartitions(this.client, `GIFTS#${campaign}`, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :partition',
      FilterExpression: 'donorEmail = :email',
      ExpressionAttributeValues: { ':email': email },
    });
    return items.map((item) => parse(Gift, item));
  }

  async find(email: string, donorKey: string) {
    const campaigns = (await queryIndex(this.client, this.tableName, 'CAMPAIGNS')).map((item) => parse(CampaignItem, item).id);
    const byMarker = new Map(campaigns.map((id) => [donationKeys.donor(id, donorKey).pk, id]));
    const keys = [...byMarker.keys()].map((pk) => ({ pk, sk: 'DONOR' }));
    const batches = Array.from({ length: Math.ceil(keys.length / BATCH_GET_KEYS) }, (_, i) => keys.slice(i * BATCH_GET_KEYS, (i + 1) * BATCH_GET_KEYS));
    const markers = (await Promise.all(batches.map((batch) => batchGetAll(this.client, this.tableName, batch)))).flat().map((item) => parse(DonorMarker, item));
    const found = (await Promise.all(markers.map((marker) => this.campaignGifts(byMarker.get(marker.pk) ?? '', email)))).flat();
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
  }
}
