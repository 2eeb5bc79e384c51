import type { MailIntent, OutgoingEmail } from './model.js';

/** The queue between producers (signups, confirmations, payments) and the mail worker: it carries intents. */
export interface SignupAndMailQueue {
  enqueue(job: MailIntent): Promise<void>;
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

export type SuppressionReason = 'bounced' | 'complained' | 'erased';

/**
 * Keyed hashes of addresses we must not mail (bounced, complained, erased), kept without the address. An erased
 * address still gets the receipt of a gift; a bounced or complaining one gets nothing.
 */
export interface Suppressions {
  get(addressHash: string): Promise<{ reason: SuppressionReason; at: string } | undefined>;
  /**
   * Files the marker. An erase never replaces a bounce or a complaint (the mailbox still refuses mail, or its
   * owner still calls it spam): the marker keeps that reason, atomically with any concurrent put.
   */
  put(addressHash: string, reason: SuppressionReason, at: Date): Promise<void>;
  remove(addressHash: string): Promise<void>;
}
