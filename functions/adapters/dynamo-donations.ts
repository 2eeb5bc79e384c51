import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { parse, onFirstUse, safeParse } from '../core/shared/schema.js';
import { GiftAidDeclaration } from '../core/donations/gift-aid.js';
import { Campaign, CampaignCurrencyLockedError, CampaignRecord, type CampaignSettings, Gift } from '../core/donations/model.js';
import { DEFAULT_SHARDS } from '../core/subscriptions/counting.js';
import { ConflictError } from '../core/shared/errors.js';
import type { CampaignRepository, CheckoutAttempts, GiftLedger, MonthlyGifts, TotalsChange, UnassignedTotals } from '../core/donations/ports.js';
import { epochSeconds, indexPartition, putVersioned, versionCondition } from './dynamo-keys.js';
import { queryIndex } from './dynamo-pages.js';
import { addExpression, batchGetAll, randomShard, sumNumbers, transactWrite } from './dynamo-transactions.js';
import { dayOf, giftCounter, giftDayChange } from '../core/dashboard/counters.js';
import { dayCounterUpdate, monthlyActiveUpdate } from './dynamo-day-counters.js';
import { variantGiftChange } from '../core/experiments/variant-gifts.js';
import { giftAttributionChange } from '../core/experiments/attribution-counts.js';
import { variantGiftUpdate } from './dynamo-experiment-results.js';
import { attributionUpdates } from './dynamo-attribution.js';

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

/**
 * Gifts, and through them the campaign totals: a gift's change and its effect on the totals are one
 * TransactWriteItems (see GiftLedger.save).
 */
export class DynamoGiftLedger implements GiftLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(key: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: donationKeys.gift(key), ConsistentRead: true }));
    return Item ? parse(Gift, Item) : undefined;
  }

  async save(next: Gift, current: Gift | undefined, totals?: TotalsChange | readonly TotalsChange[]) {
    const stored = parse(Gift, { ...next, version: (current?.version ?? 0) + 1 });
    const item = {
      ...donationKeys.gift(stored.key),
      // Gifts by campaign and time, for the donations export.
      gsi1pk: indexPartition(`GIFTS#${stored.campaign ?? '-'}`, stored.key),
      gsi1sk: `${stored.createdAt}#${stored.key}`,
      ...stored,
    };
    const changes = ([] as TotalsChange[]).concat(totals ?? []);
    // The dashboard's day counters move with the gift too (see core/dashboard/counters.ts).
    const day = giftDayChange(current, stored);
    // An appeal's per-variant results and the attribution counters move with the gift too (core/experiments).
    const results = variantGiftChange(current, stored);
    const attribution = giftAttributionChange(current, stored);
    if (changes.length === 0 && !day && !results && !attribution) {
      await putVersioned(this.client, this.tableName, item, current?.version, 'gift');
      return stored;
    }
    let countDonor = true;
    // Built for every attempt, so that a retry picks other shards.
    const transaction = () => {
      const donorMarkers: { Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string } }[] = [];
      const updates = changes.map((change) => {
        if ('unassigned' in change) {
          const deltas = { [`raised_${change.unassigned}`]: change.raised, [`donations_${change.unassigned}`]: change.donations };
          return { Update: { TableName: this.tableName, Key: donationKeys.unassigned(), ...addExpression(deltas) } };
        }
        const donor = countDonor ? change.newDonor : undefined;
        // The donor's marker: the first gift of this donor to this campaign creates it and counts them.
        if (donor) {
          const marker = { ...donationKeys.donor(change.campaign, donor), firstGift: stored.key };
          donorMarkers.push({ Put: { TableName: this.tableName, Item: marker, ConditionExpression: 'attribute_not_exists(pk)' } });
        }
        return {
          Update: {
            TableName: this.tableName,
            Key: donationKeys.totals(change.campaign, randomShard(change.shards)),
            ...addExpression({
              raised: change.raised,
              donations: change.donations,
              donors: donor ? 1 : 0,
              ...(change.feesCovered ? { feesCovered: change.feesCovered } : {}),
            }),
          },
        };
      });
      return [
        { Put: { TableName: this.tableName, Item: item, ...versionCondition(current?.version) } },
        ...updates,
        ...(day ? [dayCounterUpdate(this.tableName, day)] : []),
        ...(results ? [variantGiftUpdate(this.tableName, results)] : []),
        ...(attribution ? attributionUpdates(this.tableName, attribution) : []),
        ...donorMarkers,
      ];
    };
    for (;;) {
      const failed = await transactWrite(this.client, transaction);
      if (failed.length === 0) return stored;
      if (failed.includes(0)) throw new ConflictError('gift changed concurrently');
      countDonor = false; // an earlier gift counted this donor: count the money, not the person again
    }
  }
}

export class DynamoMonthlyGifts implements MonthlyGifts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /**
   * A monthly gift that starts, or ends after it was counted as started, moves the running count of active monthly
   * gifts and its day's counters in the same transaction as its own change, conditional on the state it leaves: a
   * repeated or late event finds that state gone and is recorded as before, counting nothing.
   */
  async record(subscription: string, status: 'active' | 'ended', campaign: string | undefined, at: Date, giftAid?: GiftAidDeclaration) {
    for (let attempt = 1; ; attempt++) {
      if (await this.recordCounted(subscription, status, campaign, at, giftAid)) return;
      try {
        return await this.recordUncounted(subscription, status, campaign, at, giftAid);
      } catch (error) {
        // A plain write to an item a transaction holds is refused: the event's twin was counting it. Look again.
        if (!(error instanceof TransactionConflictException) || attempt >= 8) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1000, 10 * 2 ** attempt)));
      }
    }
  }

  /** The change that counts nothing: an active gift seen again, or an end that was not counted as a start. */
  private async recordUncounted(subscription: string, status: 'active' | 'ended', campaign: string | undefined, at: Date, giftAid?: GiftAidDeclaration) {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: donationKeys.monthly(subscription),
          UpdateExpression: `SET #status = :status, updatedAt = :at${campaign ? ', campaign = if_not_exists(campaign, :campaign)' : ''}${giftAid ? ', giftAid = if_not_exists(giftAid, :giftAid)' : ''}${status === 'ended' ? ', endedAt = if_not_exists(endedAt, :at)' : ', startedAt = if_not_exists(startedAt, :at)'}`,
          ConditionExpression: 'attribute_not_exists(#status) OR #status <> :ended',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': at.toISOString(), ':ended': 'ended', ...(campaign ? { ':campaign': campaign } : {}), ...(giftAid ? { ':giftAid': giftAid } : {}) },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error; // already ended: a late "active" changes nothing
      });
  }

  /** The counted transition (none → active, counted active → ended); false when the gift is not in the state it leaves. */
  private async recordCounted(subscription: string, status: 'active' | 'ended', campaign: string | undefined, at: Date, giftAid?: GiftAidDeclaration) {
    const starting = status === 'active';
    const set = starting
      ? `SET #status = :status, updatedAt = :at, startedAt = :at, countedActive = :true${campaign ? ', campaign = :campaign' : ''}${giftAid ? ', giftAid = :giftAid' : ''}`
      : 'SET #status = :status, updatedAt = :at, endedAt = :at REMOVE countedActive';
    const failed = await transactWrite(this.client, () => [
      {
        Update: {
          TableName: this.tableName,
          Key: donationKeys.monthly(subscription),
          UpdateExpression: set,
          // Only a gift counted when it started is taken off when it ends (one recorded before the counters were is not).
          ConditionExpression: starting ? 'attribute_not_exists(#status)' : '#status = :active AND countedActive = :true',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':at': at.toISOString(),
            ':true': true,
            ...(starting ? {} : { ':active': 'active' }),
            ...(starting && campaign ? { ':campaign': campaign } : {}),
            ...(starting && giftAid ? { ':giftAid': giftAid } : {}),
          },
        },
      },
      monthlyActiveUpdate(this.tableName, starting ? 1 : -1),
      dayCounterUpdate(this.tableName, { day: dayOf(at), counts: { [starting ? giftCounter.monthlyStarted : giftCounter.monthlyEnded]: 1 } }),
    ]);
    return failed.length === 0;
  }

  async declarationOf(subscription: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: donationKeys.monthly(subscription), ConsistentRead: true, ProjectionExpression: '#status, giftAid', ExpressionAttributeNames: { '#status': 'status' } }),
    );
    if (!Item?.status) return undefined;
    const read = safeParse(GiftAidDeclaration, Item.giftAid);
    return read.success ? read.data : null;
  }

  async campaignOf(subscription: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: donationKeys.monthly(subscription), ConsistentRead: true, ProjectionExpression: 'campaign' }),
    );
    return typeof Item?.campaign === 'string' ? Item.campaign : undefined;
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
