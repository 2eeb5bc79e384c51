import { UNKNOWN_CAMPAIGN } from '../donations/campaigns.js';
import type { Campaign } from '../donations/model.js';
import type { CampaignRepository } from '../donations/ports.js';
import { type DailyEventCounters, type DailyVariantGiftCounters, rpmHistory } from '../experiments/history.js';
import { type Allocation, CONTROL, type Experiment } from '../experiments/model.js';
import type { EventCounters, ExperimentStore } from '../experiments/ports.js';
import { armCounts, type VariantGiftCounters } from '../experiments/results.js';
import { analyse, verdict } from '../experiments/stats.js';
import { NotFoundError } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import { type AuditDeps, recordAudit } from './audit.js';
import type { Actor } from './editors.js';

/** What the console reads an experiment from (the admin API's results stores, and their day counters) and changes it with. */
export interface ExperimentResultsDeps {
  clock: Clock;
  experiments: ExperimentStore;
  events: Pick<EventCounters, 'totals'> & DailyEventCounters;
  gifts: VariantGiftCounters & DailyVariantGiftCounters;
}

export interface ConsoleExperimentDeps extends AuditDeps {
  campaigns: Pick<CampaignRepository, 'get' | 'list'>;
  results: ExperimentResultsDeps;
}

/** An experiment is running while more than one variant is shown; kept ones leave the others at weight 0. */
export const isRunning = (experiment: Experiment) => experiment.variants.filter((variant) => variant.weight > 0).length > 1;

/** `/admin/experiments`: every campaign that has variants besides its own appeal, open campaigns first. */
export const listExperiments = async (deps: ConsoleExperimentDeps): Promise<{ campaign: Campaign; experiment: Experiment }[]> => {
  const campaigns = await deps.campaigns.list();
  const found = await Promise.all(campaigns.map(async (campaign) => ({ campaign, experiment: await deps.results.experiments.get(campaign.id) })));
  return found
    .filter((entry): entry is { campaign: Campaign; experiment: Experiment } => (entry.experiment?.variants.length ?? 0) > 1)
    .sort((a, b) => Number(b.campaign.open) - Number(a.campaign.open) || b.experiment.since.localeCompare(a.experiment.since));
};

const experimentOf = async (deps: ConsoleExperimentDeps, campaignId: string) => {
  const [campaign, experiment] = await Promise.all([deps.campaigns.get(campaignId), deps.results.experiments.get(campaignId)]);
  if (!campaign || !experiment) throw new NotFoundError(UNKNOWN_CAMPAIGN);
  return { campaign, experiment };
};

/**
 * `/admin/experiments/{campaign}`: the campaign, its experiment, each variant's results (those of the admin API's
 * results route, with its weight and clicks), the verdict, and cumulative revenue per 1,000 views day by day.
 * NotFoundError for an unknown campaign.
 */
export const readExperiment = async (deps: ConsoleExperimentDeps, campaignId: string) => {
  const { campaign, experiment } = await experimentOf(deps, campaignId);
  const [arms, history] = await Promise.all([armCounts(deps.results, experiment), rpmHistory(deps.results, experiment)]);
  const analysed = analyse(arms, CONTROL);
  const variants = analysed.map((result, i) => ({ ...result, clicks: arms[i]?.clicks ?? 0, weight: experiment.variants[i]?.weight ?? 0, variant: experiment.variants[i] }));
  return { campaign, experiment, variants, verdict: verdict(arms, CONTROL), arms, history };
};
export type ExperimentView = Awaited<ReturnType<typeof readExperiment>>;

/** The variant to keep, named on the confirmation page: NotFoundError for no such campaign or variant. */
export const variantToKeep = async (deps: ConsoleExperimentDeps, campaignId: string, variantId: string) => {
  const { campaign, experiment } = await experimentOf(deps, campaignId);
  const variant = experiment.variants.find((v) => v.id === variantId);
  if (!variant) throw new NotFoundError('The campaign has no variant with this id.');
  return { campaign, experiment, variant };
};

/**
 * Ends an experiment by keeping one variant (every other one goes to weight 0; the results stay), as
 * `campaign variant keep` does, and records `experiment.end`. NotFoundError for no such campaign or variant.
 */
export const endExperiment = async (deps: ConsoleExperimentDeps, who: Actor, campaignId: string, variantId: string) => {
  const experiment = await deps.results.experiments.keepVariant(campaignId, variantId, deps.clock.now());
  await recordAudit(deps, { actor: who.actor, action: 'experiment.end', target: `${campaignId} kept ${variantId}`, client: who.client });
  return experiment;
};

/**
 * Lets page views follow the results (Thompson sampling) or go back to the set weights, as `campaign variant allocate`
 * does, and records `experiment.allocate`. NotFoundError for no such campaign.
 */
export const allocateExperiment = async (deps: ConsoleExperimentDeps, who: Actor, campaignId: string, allocation: Allocation) => {
  const experiment = await deps.results.experiments.setAllocation(campaignId, allocation, deps.clock.now());
  await recordAudit(deps, { actor: who.actor, action: 'experiment.allocate', target: `${campaignId} ${allocation}`, client: who.client });
  return experiment;
};
