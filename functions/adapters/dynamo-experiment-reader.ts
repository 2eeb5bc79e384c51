import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { Allocation, CONTROL, type Experiment, type Variant, Variant as VariantSchema } from '../core/experiments/model.js';
import type { ExperimentStore } from '../core/experiments/ports.js';
import { parse, onFirstUse } from '../core/shared/schema.js';

/** Item keys of a campaign and its variants, in the donations table (see the data model). */
export const experimentKeys = {
  campaign: (campaign: string) => ({ pk: `CAMPAIGN#${campaign}`, sk: 'CAMPAIGN' }),
  variants: (campaign: string) => ({ pk: `VARIANTS#${campaign}`, sk: 'VARIANTS' }),
};

const CampaignItem = /* @__PURE__ */ onFirstUse(() => z.object({ createdAt: z.optional(z.string()) }));
export const VariantsItem = /* @__PURE__ */ onFirstUse(() => z.object({ variants: z.array(VariantSchema), since: z.string(), version: z.int(), allocation: z.optional(Allocation) }));
export type VariantsItem = z.infer<typeof VariantsItem>;

export const withControl = (variants: readonly Variant[]): Variant[] =>
  variants.some((variant) => variant.id === CONTROL) ? [...variants] : [{ id: CONTROL, weight: 1 }, ...variants];

/**
 * A campaign's variants as read: one small item beside the campaign (`VARIANTS#<campaign>`). A campaign without the
 * item shows its own appeal only (the control, weight 1), counted since it was made. A class of its own so that a
 * function that only serves variants (the donations function's banner) loads none of the editors' writes
 * (DynamoExperimentStore).
 */
export class DynamoExperimentReader implements Pick<ExperimentStore, 'get'> {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
  ) {}

  async get(campaign: string, consistent = false): Promise<Experiment | undefined> {
    const [campaignItem, variantsItem] = await Promise.all([
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: experimentKeys.campaign(campaign),
          ProjectionExpression: 'createdAt',
          ConsistentRead: consistent,
        }),
      ),
      this.client.send(new GetCommand({ TableName: this.tableName, Key: experimentKeys.variants(campaign), ConsistentRead: consistent })),
    ]);
    if (!campaignItem.Item) return undefined;
    const { createdAt } = parse(CampaignItem, campaignItem.Item);
    if (!variantsItem.Item) return { campaign, variants: withControl([]), since: createdAt ?? new Date(0).toISOString() };
    const item = parse(VariantsItem, variantsItem.Item);
    return { campaign, variants: withControl(item.variants), since: item.since, ...(item.allocation ? { allocation: item.allocation } : {}) };
  }
}
