import type { Day } from './counters.js';

/** Each day's counters, summed over the items they are spread over: numbers by counter name (counters.ts). */
export type DayCounts = ReadonlyMap<Day, Readonly<Record<string, number>>>;

/**
 * The dashboard's counters, read by key: a bounded number of items per day (DAY_SHARDS in each table) and the running
 * count of active monthly gifts, whatever the number of subscribers and gifts.
 */
export interface DashboardCounters {
  /** The mailing list's (subscribers table) and the gifts' (donations table) counters of each day asked for. */
  read(days: readonly Day[]): Promise<{ list: DayCounts; gifts: DayCounts; activeMonthly: number }>;
}
