import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { YearGifts } from '../core/donors/statement-job.js';
import { Gift } from '../core/donations/model.js';
import { parse, onFirstUse } from '../core/shared/schema.js';
import { queryIndex, queryPartitions } from './dynamo-pages.js';

const CampaignItem = /* @__PURE__ */ onFirstUse(() => z.object({ id: z.string(), title: z.string() }));

/**
 * A tax year's gifts for the statements job: the campaigns (their index partition), then each campaign's gifts on
 * the overloaded index (`GIFTS#<campaign>#<n>`, sorted by `<createdAt>#<key>`) within the year's range. A Query per
 * index partition, never a scan; a gift whose campaign is unknown has no campaign partition to be found in.
 */
export class DynamoYearGifts implements YearGifts {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async campaigns() {
    return (await queryIndex(this.client, this.tableName, 'CAMPAIGNS')).map((item) => parse(CampaignItem, item));
  }

  async gifts(campaign: string, since: string, until: string) {
    const items = await queryPartitions(this.client, `GIFTS#${campaign}`, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :partition AND gsi1sk BETWEEN :since AND :until',
      ExpressionAttributeValues: { ':since': since, ':until': `${until}~` },
    });
    return items.map((item) => parse(Gift, item));
  }
}
