import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { DonorGifts } from '../core/admin/ports.js';
import { Gift } from '../core/donations/model.js';
import { onFirstUse, parse } from '../core/shared/schema.js';
import { donationKeys } from './dynamo-donations.js';
import { queryIndex, queryPartitions } from './dynamo-pages.js';
import { batchGetAll } from './dynamo-transactions.js';

const CampaignItem = /* @__PURE__ */ onFirstUse(() => z.object({ id: z.string() }));
/** BatchGetItem takes at most 100 keys a request. */
const BATCH_GET_KEYS = 100;
const DonorMarker = /* @__PURE__ */ onFirstUse(() => z.object({ pk: z.string(), firstGift: z.string() }));

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
