import type { Allocation, CountedEvent, CounterIncrement, EventTotals, Experiment, Variant } from './model.js';

/** A campaign's variants, where they are kept. */
export interface ExperimentStore {
  /** The campaign's experiment (the control alone when it has no variant); undefined when there is no such campaign. */
  get(campaign: string): Promise<Experiment | undefined>;
  /** Sets one variant (adds it or replaces it); NotFoundError when there is no such campaign. */
  setVariant(campaign: string, variant: Variant, now: Date): Promise<Experiment>;
  /** Removes one variant (not the control); NotFoundError when there is no such campaign or variant. */
  removeVariant(campaign: string, variant: string, now: Date): Promise<Experiment>;
  /**
   * Ends an experiment by keeping one variant: every other one goes to weight 0 (shown to nobody, its results kept).
   * Keeping the control ends the experiment too. NotFoundError when there is no such campaign or variant.
   */
  keepVariant(campaign: string, variant: string, now: Date): Promise<Experiment>;
  /** How page views are shared (see Allocation). NotFoundError when there is no such campaign. */
  setAllocation(campaign: string, allocation: Allocation, now: Date): Promise<Experiment>;
}

/** Where a counted event waits for the counter (a queue): `send` returns once it is kept. */
export interface EventQueue {
  send(event: CountedEvent): Promise<void>;
}

/** The view and click counters, spread over shards so that no item takes every write. */
export interface EventCounters {
  /**
   * Adds a batch's counts at once: all or nothing, and a batch with the same `batchId` added again changes nothing
   * (a queue delivering a batch twice).
   */
  add(increments: readonly CounterIncrement[], batchId: string): Promise<void>;
  /** The totals per variant, from `since` (a day, UTC) to `until` (inclusive). */
  totals(campaign: string, since: string, until: string): Promise<EventTotals>;
}
