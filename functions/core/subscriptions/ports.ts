import type { Subscriber } from './model.js';

/**
 * Subscribers keyed by normalised email. Every write also moves the subscriber counts (see `countChange`) in the
 * same transaction, so the counts can never miss or double a change, whatever crashes or races.
 */
export interface SubscriberRepository {
  get(email: string): Promise<Subscriber | undefined>;
  /**
   * Writes `next` in place of `current` (undefined: no item may exist) only if the stored item is still at
   * `current.version`, and stores it at the next version; the counts move from `current` to `next` atomically.
   * Throws ConflictError when another writer got there first (nothing is written then).
   */
  save(next: Subscriber, current: Subscriber | undefined): Promise<Subscriber>;
  /** Deletes the subscriber, and takes it out of the counts, if it is still at its version. Throws ConflictError. */
  delete(current: Subscriber): Promise<void>;
}

/** The subscriber counts (`status:<status>`, `list:<list>:<status>`), kept by the subscriber writes themselves. */
export interface SubscriberCounts {
  read(): Promise<Record<string, number>>;
}
