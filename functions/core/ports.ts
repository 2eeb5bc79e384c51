import type { MailJob, OutgoingEmail, Subscriber } from './model.js';

export interface Clock {
  now(): Date;
}

/** Subscribers keyed by normalised email. */
export interface SubscriberRepository {
  get(email: string): Promise<Subscriber | undefined>;
  /**
   * Writes `next` only if the stored item is still at `expectedVersion` (undefined: no item may exist), and
   * stores it at `expectedVersion + 1`. Throws ConflictError when another writer got there first.
   */
  save(next: Subscriber, expectedVersion: number | undefined): Promise<Subscriber>;
}

export interface RateLimit {
  /** Counter name: one family of limits, e.g. `signup-client`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** Fixed-window counters; `hit` counts one request and throws RateLimitedError once the window is full. */
export interface RateLimiter {
  hit(rule: RateLimit, key: string, now: Date): Promise<void>;
}

export interface MailQueue {
  enqueue(job: MailJob): Promise<void>;
}

/** Sends one email now. Throws TransientError when a retry may succeed. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/**
 * Remembers which deduplicated emails went out. `claim` answers `sent` when the key was sent before,
 * `claimed` when the caller may send it now (first time, or an earlier claim whose lease ran out).
 */
export interface MailLedger {
  claim(key: string, now: Date, leaseSeconds: number): Promise<'claimed' | 'sent' | 'busy'>;
  markSent(key: string, now: Date): Promise<void>;
}
