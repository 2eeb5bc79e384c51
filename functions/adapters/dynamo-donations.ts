import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { Campaign, type CampaignSettings, Gift } from '../core/donations-model.js';
import { NotFoundError } from '../core/errors.js';
import type { CampaignOp, CampaignRepository, CheckoutAttempts, DonorRegistry, GiftLedger, MonthlyGifts } from '../core/ports.js';
import { applyOp, retireOp } from './dynamo-ops.js';
import { epochSeconds, putVersioned, queryIndex } from './dynamo-keys.js';

/** Item keys of the donations table (see the README's item design). */
export const donationKeys = {
  campaign: (id: string) => ({ pk: `CAMPAIGN#${id}`, sk: 'CAMPAIGN' }),
  gift: (key: string) => ({ pk: `GIFT#${key}`, sk: 'GIFT' }),
  donor: (campaign: string, donor: string) => ({ pk: `DONOR#${campaign}#${donor}`, sk: 'DONOR' }),
  monthly: (subscription: string) => ({ pk: `MONTHLY#${subscription}`, sk: 'MONTHLY' }),
  attempt: (fingerprint: string) => ({ pk: `ATTEMPT#${fingerprint}`, sk: 'ATTEMPT' }),
};

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;
// Items are read back through the domain schemas, which keep only their own fields (keys, indexes and `ops`
// fall away).

export class DynamoCampaignRepository implements CampaignRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: donationKeys.campaign(id), ConsistentRead: true }));
    return Item ? Campaign.parse(Item) : undefined;
  }

  async list() {
    return (await queryIndex(this.client, this.tableName, 'CAMPAIGNS')).map((item) => Campaign.parse(item));
  }

  async saveSettings(settings: CampaignSettings, now: Date) {
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    const sets = Object.entries(settings).map(([name, value]) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      return `#${name} = :${name}`;
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: donationKeys.campaign(settings.id),
        UpdateExpression: `SET ${sets.join(', ')}, raised = if_not_exists(raised, :zero), donations = if_not_exists(donations, :zero), donors = if_not_exists(donors, :zero), createdAt = if_not_exists(createdAt, :now), ops = if_not_exists(ops, :noOps), updatedAt = :now, gsi1pk = :kind, gsi1sk = :sortId`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':zero': 0, ':noOps': {}, ':now': now.toISOString(), ':kind': 'CAMPAIGNS', ':sortId': settings.id },
      }),
    );
    return (await this.get(settings.id)) as Campaign;
  }

  private target(campaignId: string) {
    return { client: this.client, tableName: this.tableName, key: donationKeys.campaign(campaignId) };
  }

  async applyOp(campaignId: string, op: CampaignOp, now: Date) {
    const deltas = { raised: op.raised, donations: op.donations, donors: op.donors };
    const applied = await applyOp(this.target(campaignId), op.id, deltas, { now, condition: 'attribute_exists(pk)', setUpdatedAt: true });
    if (!applied && !(await this.get(campaignId))) throw new NotFoundError(`campaign ${campaignId} is gone`);
    return applied;
  }

  retireOp(campaignId: string, opId: string, now: Date) {
    return retireOp(this.target(campaignId), opId, now);
  }
}

export class DynamoGiftLedger implements GiftLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(key: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: donationKeys.gift(key), ConsistentRead: true }));
    return Item ? Gift.parse(Item) : undefined;
  }

  async save(next: Gift, expectedVersion: number | undefined) {
    const stored = Gift.parse({ ...next, version: (expectedVersion ?? 0) + 1 });
    const item = {
      ...donationKeys.gift(stored.key),
      // Gifts by campaign and time, for the donations export.
      gsi1pk: `GIFTS#${stored.campaign ?? '-'}`,
      gsi1sk: `${stored.createdAt}#${stored.key}`,
      ...stored,
    };
    await putVersioned(this.client, this.tableName, item, expectedVersion, 'gift');
    return stored;
  }
}

const DonorItem = z.object({ firstOp: z.string() });

export class DynamoDonorRegistry implements DonorRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async registerFirstGift(campaignId: string, donorKey: string, opId: string) {
    const Key = donationKeys.donor(campaignId, donorKey);
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { ...Key, firstOp: opId }, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
    return DonorItem.parse(Item).firstOp === opId;
  }
}

export class DynamoMonthlyGifts implements MonthlyGifts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(subscription: string, status: 'active' | 'ended', campaign: string | undefined, at: Date) {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: donationKeys.monthly(subscription),
          UpdateExpression: `SET #status = :status, updatedAt = :at${campaign ? ', campaign = if_not_exists(campaign, :campaign)' : ''}${status === 'ended' ? ', endedAt = if_not_exists(endedAt, :at)' : ', startedAt = if_not_exists(startedAt, :at)'}`,
          ConditionExpression: 'attribute_not_exists(#status) OR #status <> :ended',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': at.toISOString(), ':ended': 'ended', ...(campaign ? { ':campaign': campaign } : {}) },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error; // already ended: a late "active" changes nothing
      });
  }
}

const AttemptItem = z.object({ attemptId: z.string() });

export class DynamoCheckoutAttempts implements CheckoutAttempts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async current(fingerprint: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: donationKeys.attempt(fingerprint), ConsistentRead: true }),
    );
    return AttemptItem.parse(Item).attemptId;
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

  // dynalite (and DynamoDB, for up to days) keeps expired items: the condition checks the expiry itself.
  attemptFor(fingerprint: string, now: Date, ttlSeconds: number) {
    return this.put(fingerprint, now, ttlSeconds, 'attribute_not_exists(pk) OR expiresAt < :now', { ':now': epochSeconds(now) });
  }

  renew(fingerprint: string, spentId: string, now: Date, ttlSeconds: number) {
    return this.put(fingerprint, now, ttlSeconds, 'attemptId = :spent', { ':spent': spentId });
  }
}
