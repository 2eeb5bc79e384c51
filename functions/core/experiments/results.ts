import { NotFoundError } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import { CONTROL, type Experiment, type Variant } from './model.js';
import type { EventCounters, ExperimentStore } from './ports.js';
import { analyse, type ArmCounts, thompsonWeights, verdict } from './stats.js';

/** One variant's paid gifts: their count, and the sum, sum of squares and sum of cubes of their amounts (minor units). */
export interface GiftSums {
  gifts: number;
  raised: number;
  raisedSquares: number;
  raisedCubes: number;
}

/** The per-variant gift counters the gift ledger keeps. */
export interface VariantGiftCounters {
  /** Each variant's sums over the days from `since` to `until` (UTC days, both included). */
  totals(campaign: string, since: string, until: string): Promise<Record<string, GiftSums>>;
}

export interface ResultsDeps {
  clock: Clock;
  experiments: Pick<ExperimentStore, 'get'>;
  events: Pick<EventCounters, 'totals'>;
  gifts: VariantGiftCounters;
}

/** Each variant's counts since the experiment began: views and clicks from the event counters, gifts from the ledger's. */
export const armCounts = async (deps: ResultsDeps, experiment: Experiment): Promise<(ArmCounts & { clicks: number })[]> => {
  const since = experiment.since.slice(0, 10);
  const until = deps.clock.now().toISOString().slice(0, 10);
  const [events, gifts] = await Promise.all([deps.events.totals(experiment.campaign, since, until), deps.gifts.totals(experiment.campaign, since, until)]);
  return experiment.variants.map((variant) => {
    const sums = gifts[variant.id];
    return {
      id: variant.id,
      views: events[variant.id]?.views ?? 0,
      clicks: events[variant.id]?.clicks ?? 0,
      gifts: sums?.gifts ?? 0,
      raised: sums?.raised ?? 0,
      raisedSquares: sums?.raisedSquares ?? 0,
      raisedCubes: sums?.raisedCubes ?? 0,
    };
  });
};

/**
 * `GET /v1/admin/campaigns/{id}/results`: per variant its views, clicks, paid gifts and money, conversion and revenue
 * per 1,000 views with their 95 % intervals, the probability of beating the control, and the verdict in a sentence.
 * Throws NotFoundError for an unknown campaign.
 */
export const readResults = async (deps: ResultsDeps, campaign: string) => {
  const experiment = await deps.experiments.get(campaign);
  if (!experiment) throw new NotFoundError('There is no campaign with this id.');
  const arms = await armCounts(deps, experiment);
  const analysed = analyse(arms, CONTROL);
  // Variants at weight 0 (an ended experiment's) still show their results; the verdict weighs them too.
  const { sentence } = verdict(arms, CONTROL);
  return {
    campaign,
    since: experiment.since,
    allocation: experiment.allocation ?? 'weights',
    variants: analysed.map((result, i) => {
      const { id, views, gifts, raised, conversion, rpm, probabilityBeatsControl } = result;
      const clicks = arms[i]?.clicks ?? 0;
      return { id, views, clicks, gifts, raised, conversion, rpm, ...(probabilityBeatsControl === undefined ? {} : { probabilityBeatsControl }), weight: experiment.variants[i]?.weight ?? 0 };
    }),
    verdict: sentence,
  };
};

/**
 * The weights page views are drawn by: the set ones, or with Thompson sampling the share of posterior draws in which
 * each variant (but those at weight 0) is the best, from the results so far. Seeded by the counts, so one set of
 * counts gives one allocation.
 */
export const allocate = async (deps: ResultsDeps, experiment: Experiment): Promise<Variant[]> => {
  if (experiment.allocation !== 'thompson') return experiment.variants;
  const live = experiment.variants.filter((variant) => variant.weight > 0);
  if (live.length < 2) return experiment.variants;
  const arms = (await armCounts(deps, experiment)).filter((arm) => live.some((variant) => variant.id === arm.id));
  const seed = arms.reduce((sum, arm) => sum + arm.views * 31 + arm.gifts * 7, 1);
  const weights = thompsonWeights(arms, { draws: 4_000, seed });
  return experiment.variants.map((variant) => ({ ...variant, weight: variant.weight > 0 ? Math.round((weights[variant.id] ?? 0) * 1000) / 1000 : 0 }));
};

/** A campaign's variants as page views are to be drawn from them: undefined when there is no such campaign. */
export type VariantLookup = (campaign: string) => Promise<Variant[] | undefined>;

/**
 * The variants `GET /v1/campaigns/{id}` serves: the experiment as stored (read through `experiments`, itself cached
 * briefly), with Thompson weights where the experiment follows its results. Those are kept `thompsonSeconds` per
 * campaign (a minute): they read every day's counters since the experiment began, and an allocation that moves
 * once a minute learns as fast as one that moves per view at these rates.
 */
export const servedVariants = (deps: Omit<ResultsDeps, 'experiments'> & { experiments: (campaign: string) => Promise<Experiment | undefined> }, thompsonSeconds = 60): VariantLookup => {
  const kept = new Map<string, { until: number; variants: Promise<Variant[]> }>();
  return async (campaign) => {
    const experiment = await deps.experiments(campaign);
    if (!experiment) return undefined;
    if (experiment.allocation !== 'thompson') return experiment.variants;
    const now = deps.clock.now().getTime();
    const hit = kept.get(campaign);
    if (hit && hit.until > now) return hit.variants;
    const variants = allocate({ ...deps, experiments: { get: deps.experiments } }, experiment);
    if (kept.size >= 1_000) kept.clear();
    kept.set(campaign, { until: now + thompsonSeconds * 1000, variants });
    // A failed read is not kept: the next view tries again (and gets the set weights meanwhile).
    return variants.catch(() => {
      kept.delete(campaign);
      return experiment.variants;
    });
  };
};
