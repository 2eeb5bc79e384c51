import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import { Campaign, CampaignCurrencyLockedError, CampaignRecord, type CampaignSettings } from '../core/donations/campaign.js';
import { DEFAULT_SHARDS } from '../core/subscriptions/counting.js';
import type { CampaignRepository, CheckoutAttempts, UnassignedTotals } from '../core/donations/ports.js';
import { epochSeconds, queryIndex } from './dynamo-keys.js';
import { batchGetAll, sumNumbers } from './dynamo-transactions.js';

/*
 * The donations table's campaigns and checkout attempts: what the donations function reads and writes on its hot
 * routes. The gift ledger and the monthly gifts (dynamo-donations.ts, with their counters' transactions) are the
 * webhook's, kept out of this module so that the donations function's cold start loads none of them.
 */

/** Item keys of the donations table (see the README's item design). */
export const donationKeys = {
  campaign: (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'CAMPAIGN' }),
  /** One of the items a campaign's totals are spread over (a partition key each: each has its own limits). */
  totals: (campaign: string, shard: number) => ({ pk: `TOTALS#${campaign}#${shard}`, sk: 'TOTALS' }),
  /**
   * The totals of the gifts no campaign counts, every currency on one item (`raised_<currency>`,
   * `donations_<currency>`): rare writes, read whole by the stats. No campaign id starts with `_`.
   */
  unassigned: () => ({ pk: 'TOTALS#_unassigned', sk: 'TOTALS' }),
  gift: (key: string) => ({ pk: `GIFT#${key}`, sk: 'GIFT' }),
  donor: (campaign: string, donor: string) => ({ pk: `DONOR#${campaign}#${donor}`, sk: 'DONOR' }),
  monthly: (subscription: string) => ({ pk: `MONTHLY#${subscription}`, sk: 'MONTHLY' }),
  attempt: (fingerprint: string) => ({ pk: `ATTEMPT#${fingerprint}`, sk: 'ATTEMPT' }),
};

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;
// Items are read back through the domain schemas, which keep only their own fields (keys and indexes fall away).

const TOTALS = new Set(['raised', 'donations', 'donors', 'feesCovered']);

/**
 * A campaign's settings item alone: what the gift ledger and the jobs read. A class of its own so that a function
 * that needs no more (the webhook, the reminders job) loads none of the repository's totals, listing and writing.
 */
export class DynamoCampaignSettings implements Pick<CampaignRepository, 'getSettings'> {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async getSettings(id: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: donationKeys.campaign(id), ConsistentRead: true }));
    return Item ? parse(CampaignRecord, Item) : undefined;
  }
}

/** Campaigns: settings on one item, totals spread over `shards` items that the gift ledger adds to. */
export class DynamoCampaignRepository extends DynamoCampaignSettings implements CampaignRepository {
  /** `shards`: the shard count given to new campaigns (TOTALS_SHARDS); a campaign keeps the one it was made with. */
  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    private readonly shards = DEFAULT_SHARDS,
  ) {
    super(client, tableName);
  }

  private shardKeys(id: string, from: number, to: number) {
    return Array.from({ length: Math.max(0, to - from) }, (_, i) => donationKeys.totals(id, from + i));
  }

  /** Each campaign's shard count once read: it is fixed when the campaign is created, so it never goes stale. */
  private readonly knownShards = new Map<string, number>();

  /** A campaign with its totals: the sum of its shard items'. */
  private withTotals(record: CampaignRecord, shards: Record<string, unknown>[]) {
    this.knownShards.set(record.id, record.shards);
    const totals = sumNumbers(shards, (name) => TOTALS.has(name));
    const fees = totals.feesCovered === undefined ? {} : { feesCovered: totals.feesCovered };
    return parse(Campaign, { ...record, raised: totals.raised ?? 0, donations: totals.donations ?? 0, donors: totals.donors ?? 0, ...fees });
  }

  /**
   * The settings item and the totals in one BatchGetItem: as many shard keys as the campaign has once known, the
   * configured count before (a second BatchGetItem only if the campaign has more).
   */
  async get(id: string) {
    const guess = this.knownShards.get(id) ?? this.shards;
    const items = await batchGetAll(this.client, this.tableName, [donationKeys.campaign(id), ...this.shardKeys(id, 0, guess)]);
    const settings = items.find((item) => item.sk === 'CAMPAIGN');
    if (!settings) return undefined;
    const record = parse(CampaignRecord, settings);
    const shards = items.filter((item) => item.sk === 'TOTALS');
    if (record.shards > guess) shards.push(...(await batchGetAll(this.client, this.tableName, this.shardKeys(id, guess, record.shards))));
    return this.withTotals(record, shards);
  }

  /** Every campaign: the index gives the settings items, then each one's shards. */
  async list() {
    const items = await queryIndex(this.client, this.tableName, 'CAMPAIGNS');
    return Promise.all(
      items.map(async (item) => {
        const record = parse(CampaignRecord, item);
        const shards = await batchGetAll(this.client, this.tableName, this.shardKeys(record.id, 0, record.shards));
        return this.withTotals(record, shards);
      }),
    );
  }

  async saveSettings(settings: CampaignSettings, now: Date) {
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    // Only what an admin sets: a Campaign passed whole brings its shard count (never overwritten) and its totals
    // (kept on the shard items), which stay off this item.
    const { shards: _shards, raised: _raised, donations: _donations, donors: _donors, feesCovered: _fees, createdAt: _created, updatedAt: _updated, ...own } =
      settings as CampaignSettings & Partial<Campaign>;
    // A setting left out (an optional one never set) is left as it is.
    const sets = Object.entries(own).filter(([, value]) => value !== undefined).map(([name, value]) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      return `#${name} = :${name}`;
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: donationKeys.campaign(settings.id),
          UpdateExpression: `SET ${sets.join(', ')}, shards = if_not_exists(shards, :shards), createdAt = if_not_exists(createdAt, :now), updatedAt = :now, gsi1pk = :kind, gsi1sk = :sortId`,
          // A campaign's currency is fixed at creation: its totals and its gifts are in that currency.
          ConditionExpression: 'attribute_not_exists(pk) OR #currency = :currency',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':shards': this.shards, ':now': now.toISOString(), ':kind': 'CAMPAIGNS', ':sortId': settings.id },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const stored = error instanceof ConditionalCheckFailedException && error.Item ? error.Item.currency : undefined;
      const currency = stored && 'S' in stored && stored.S ? stored.S : 'another currency';
      throw new CampaignCurrencyLockedError(settings.id, currency, { cause: error });
    }
    return (await this.get(settings.id)) as Campaign;
  }

  async unassigned() {
    const [item] = await batchGetAll(this.client, this.tableName, [donationKeys.unassigned()]);
    const totals: Record<string, UnassignedTotals> = {};
    for (const [name, value] of Object.entries(item ?? {})) {
      const match = /^(raised|donations)_([a-z]{3})$/.exec(name);
      if (!match || typeof value !== 'number') continue;
      const [, field, currency] = match as unknown as [string, keyof UnassignedTotals, string];
      totals[currency] = { raised: 0, donations: 0, ...totals[currency], [field]: value };
    }
    return totals;
  }
}

const AttemptItem = /* @__PURE__ */ onFirstUse(() => z.object({ attemptId: z.string() }));

export class DynamoCheckoutAttempts implements CheckoutAttempts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async current(fingerprint: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: donationKeys.attempt(fingerprint), ConsistentRead: true }),
    );
    return parse(AttemptItem, Item).attemptId;
  }

  private async put(fingerprint: string, now: Date, ttlSeconds: number, condition: string, values: Record<string, unknown>) {
    const attemptId = randomBytes(16).toString('base64url');
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...donationKeys.attempt(fingerprint), attemptId, expiresAt: epochSeconds(now) + ttlSeconds },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return attemptId;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.current(fingerprint);
    }
  }

  // DynamoDB keeps expired items for up to days: the condition checks the expiry itself.
  attemptFor(fingerprint: string, now: Date, ttlSeconds: number) {
    return this.put(fingerprint, now, ttlSeconds, 'attribute_not_exists(pk) OR expiresAt < :now', { ':now': epochSeconds(now) });
  }

  renew(fingerprint: string, spentId: string, now: Date, ttlSeconds: number) {
    return this.put(fingerprint, now, ttlSeconds, 'attemptId = :spent', { ':spent': spentId });
  }
}
