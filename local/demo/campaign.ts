import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { defaultBounds } from '../../functions/core/donations/campaigns.js';
import type { documentClient } from '../../functions/platform/clients.js';

export const DEMO_CAMPAIGN = 'ukraine';

/** The demo article's campaign, created on the dev server's first start (kept, with its totals, afterwards). */
export const seedDemoCampaign = async (dynamo: ReturnType<typeof documentClient>, tableName: string) => {
  const campaigns = new DynamoCampaignRepository(dynamo, tableName);
  if (await campaigns.get(DEMO_CAMPAIGN)) return;
  await campaigns.saveSettings(
    {
      id: DEMO_CAMPAIGN,
      title: 'UNITED24: humanitarian aid for Ukraine',
      currency: 'usd',
      goal: 5_000_000,
      open: true,
      suggestedAmounts: [1000, 2500, 5000, 10000],
      ...defaultBounds('usd'),
    },
    new Date(),
  );
};
