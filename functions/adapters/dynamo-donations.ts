import { ConditionalCheckFailedException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { parse, safeParse } from '../core/shared/schema.js';
import { GiftAidDeclaration } from '../core/donations/gift-aid.js';
import { Gift } from '../core/donations/model.js';
import { ConflictError } from '../core/shared/errors.js';
import type { GiftLedger, MonthlyGifts, TotalsChange } from '../core/donations/ports.js';
import { indexPartition, putVersioned, versionCondition } from './dynamo-keys.js';
import { addExpression, randomShard, transactWrite } from './dynamo-transactions.js';
import { dayOf, giftCounter, giftDayChange } from '../core/dashboard/counters.js';
import { dayCounterUpdate, monthlyActiveUpdate } from './dynamo-day-counters.js';
import { variantGiftChange } from '../core/experiments/variant-gifts.js';
import { giftAttributionChange } from '../core/experiments/attribution-counts.js';
import { variantGiftUpdate } from './dynamo-experiment-results.js';
import { attributionUpdates } from './dynamo-attribution.js';

import { donationKeys } from './dynamo-campaigns.js';

// Campaigns and checkout attempts have modules of their own: the donations function loads their reads alone.
export { DynamoCampaignReader, DynamoCampaignSettings, DynamoCheckoutAttempts, donationKeys } from './dynamo-campaigns.js';
export { DynamoCampaignRepository } from './dynamo-campaign-repository.js';

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;
// Items are read back through the domain schemas, which keep only their own fields (keys and indexes fall away).

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
