import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import { Campaign, CampaignRecord } from '../core/donations/campaign.js';
import { DEFAULT_SHARDS } from '../core/subscriptions/counting.js';
import type { CampaignReads, CheckoutAttempts } from '../core/donations/ports.js';
import { epochSeconds } from './dynamo-keys.js';
import { batchGetAll, sumNumbers } from './dynamo-transactions.js';

/*
 * The donations table's campaigns as read, and checkout attempts: what the donations function reads and writes on
 * its hot routes. The admins' campaign writes (dynamo-campaign-repository.ts), the gift ledger and the monthly gifts
 * (dynamo-donations.ts, with their counters' transactions) are kept out of this module so that the donations
 * function's cold start loads none of them.
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
export class DynamoCampaignSettings implements Pick<CampaignReads, 'getSettings'> {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async getSettings(id: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: donationKeys.campaign(id), ConsistentRead: true }));
    return Item ? parse(CampaignRecord, Item) : undefined;
  }
}

/**
 * Campaigns as read: settings on one item, totals spread over `shards` items that the gift ledger adds to. A class
 * of its own so that the donations function, which only reads them, loads none of the admins' listing and writing
 * (DynamoCampaignRepository).
 */
export class DynamoCampaignReader extends DynamoCampaignSettings implements CampaignReads {
  /** `shards`: the shard count given to new campaigns (TOTALS_SHARDS); a campaign keeps the one it was made with. */
  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    protected readonly shards = DEFAULT_SHARDS,
  ) {
    super(client, tableName);
  }

  protected shardKeys(id: string, from: number, to: number) {
    return Array.from({ length: Math.max(0, to - from) }, (_, i) => donationKeys.totals(id, from + i));
  }

  /** Each campaign's shard count once read: it is fixed when the campaign is created, so it never goes stale. */
  private readonly knownShards = new Map<string, number>();

  /** A campaign with its totals: the sum of its shard items'. */
  protected withTotals(record: CampaignRecord, shards: Record<string, unknown>[]) {
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
