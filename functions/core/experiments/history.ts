import type { EventTotals, Experiment } from './model.js';
import type { GiftSums } from './results.js';
import { daysBetween } from './days.js';
import type { Clock } from '../shared/ports.js';

/** The event counters day by day: what they keep per day already, so a history reads the same items as a total. */
export interface DailyEventCounters {
  /** Views and clicks per variant for each day from `since` to `until` (UTC, inclusive) that has any; days without are absent. */
  daily(campaign: string, since: string, until: string): Promise<Record<string, EventTotals>>;
}

/** The variant gift counters day by day (the day a gift was paid), as the gift ledger keeps them. */
export interface DailyVariantGiftCounters {
  /** Each variant's gift sums for each day from `since` to `until` (UTC, inclusive) that has any; days without are absent. */
  daily(campaign: string, since: string, until: string): Promise<Record<string, Record<string, GiftSums>>>;
}

export interface HistoryDeps {
  clock: Clock;
  events: DailyEventCounters;
  gifts: DailyVariantGiftCounters;
}

/** One variant's cumulative revenue per 1,000 views (minor units) at the end of each day; null before its first view. */
export interface RpmSeries {
  id: string;
  values: (number | null)[];
}

/**
 * Cumulative revenue per 1,000 views per variant, day by day since the experiment began: at the end of each day, the
 * money its gifts brought so far over its views so far (the curve an editor watches settle). Reads the day counters
 * the results read, once: no scan.
 */
export const rpmHistory = async (deps: HistoryDeps, experiment: Experiment): Promise<{ days: string[]; series: RpmSeries[] }> => {
  const since = experiment.since.slice(0, 10);
  const until = deps.clock.now().toISOString().slice(0, 10);
  const days = daysBetween(since, until);
  const [events, gifts] = await Promise.all([deps.events.daily(experiment.campaign, since, until), deps.gifts.daily(experiment.campaign, since, until)]);
  const series = experiment.variants.map((variant) => {
    let views = 0;
    let raised = 0;
    const values = days.map((day) => {
      views += events[day]?.[variant.id]?.views ?? 0;
      raised += gifts[day]?.[variant.id]?.raised ?? 0;
      return views > 0 ? (1000 * raised) / views : null;
    });
    return { id: variant.id, values };
  });
  return { days, series };
};
