import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Campaign, CampaignCurrencyLockedError, CampaignRecord, type CampaignSettings } from '../core/donations/campaign.js';
import type { CampaignRepository, UnassignedTotals } from '../core/donations/ports.js';
import { parse } from '../core/shared/schema.js';
import { DynamoCampaignReader, donationKeys } from './dynamo-campaigns.js';
import { queryIndex } from './dynamo-pages.js';
import { batchGetAll } from './dynamo-transactions.js';

/** Campaigns as the admins keep them: read (DynamoCampaignReader), listed, their settings written, the unassigned totals. */
export class DynamoCampaignRepository extends DynamoCampaignReader implements CampaignRepository {
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
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
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
