import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAdminTokens } from '../adapters/dynamo-admin.js';
import { DynamoCampaignRepository } from '../adapters/dynamo-campaign-repository.js';
import { DynamoDonorGifts } from '../adapters/dynamo-donor-gifts.js';
import { DynamoExportJobs } from '../adapters/dynamo-exports.js';
import { subscriberCounts, subscriberStores } from '../platform/wiring/subscribers.js';

/**
 * The admin API's stores that only the console's sections use (campaigns, subscribers and their suppressions and
 * counts, a person's gifts, export jobs) and the admin tokens (a request with a token, the tokens page). Built from
 * sections.ts with the first request that needs one: sign-in, the session check and the dashboard use none of them,
 * so a cold console reads none of their adapters.
 */
export const adminStores = (
  dynamo: DynamoDBDocumentClient,
  config: { SUBSCRIBERS_TABLE_NAME: string; DONATIONS_TABLE_NAME: string; COUNTER_SHARDS: number },
) => ({
  tokens: new DynamoAdminTokens(dynamo, config.SUBSCRIBERS_TABLE_NAME),
  campaigns: new DynamoCampaignRepository(dynamo, config.DONATIONS_TABLE_NAME, config.COUNTER_SHARDS),
  ...subscriberStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, config.COUNTER_SHARDS),
  counts: subscriberCounts(dynamo, config.SUBSCRIBERS_TABLE_NAME),
  donorGifts: new DynamoDonorGifts(dynamo, config.DONATIONS_TABLE_NAME),
  exportJobs: new DynamoExportJobs(dynamo, config.SUBSCRIBERS_TABLE_NAME),
});
