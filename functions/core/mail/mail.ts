import { TransientError } from '../shared/errors.js';
import type { MailJob, OutgoingEmail } from './model.js';
import type { Clock } from '../shared/ports.js';
import type { MailLedger, Mailer } from './ports.js';
import type { SubscriberRepository } from '../subscriptions/ports.js';
import { keyedHash } from '../shared/secrets.js';
import { processSignup, type SubscriptionDeps } from '../subscriptions/subscriptions.js';

export interface MailDeps extends SubscriptionDeps {
  mailer: Mailer;
  ledger: MailLedger;
  clock: Clock;
  subscribers: SubscriberRepository;
}

/** How long a claimed-but-unconfirmed send blocks another attempt (longer than one SES call with retries). */
const SEND_LEASE_SECONDS = 120;

/**
 * Bounced, complaining and erased addresses are never mailed again, whatever asked for the email, until they
 * sign up and confirm afresh (confirming removes the marker). Only the confirmation of a new signup, which the
 * reader has just asked for, goes out regardless.
 */
const isSuppressed = async (deps: MailDeps, to: string): Promise<boolean> => {
  const email = to.toLowerCase();
  const [subscriber, marker] = await Promise.all([
    deps.subscribers.get(email),
    deps.suppressions.get(keyedHash(deps.keys.email, email)),
  ]);
  if (subscriber?.status === 'bounced' || subscriber?.status === 'complained') return true;
  return marker !== undefined && subscriber?.status !== 'confirmed';
};

export type Delivery = 'sent' | 'duplicate' | 'suppressed';

/**
 * Sends one email unless its address is suppressed. With a dedupe key it goes out at most once: the ledger is
 * claimed before the send and marked after it, so only a crash between SES accepting the mail and the mark
 * can repeat it (SES has no idempotency key; one repeat beats a lost receipt). Throws TransientError to retry.
 */
export const deliverEmail = async (deps: MailDeps, email: OutgoingEmail, dedupeKey?: string): Promise<Delivery> => {
  if (await isSuppressed(deps, email.to)) return 'suppressed';
  if (dedupeKey === undefined) {
    await deps.mailer.send(email);
    return 'sent';
  }
  const claim = await deps.ledger.claim(dedupeKey, deps.clock.now(), SEND_LEASE_SECONDS);
  if (claim === 'sent') return 'duplicate';
  if (claim === 'busy') throw new TransientError('another delivery of this email is in progress');
  await deps.mailer.send(email);
  await deps.ledger.markSent(dedupeKey, deps.clock.now());
  return 'sent';
};

/** Processes one mail-queue job. Throws to have the queue deliver it again later. */
export const processMailJob = async (deps: MailDeps, job: MailJob): Promise<string> => {
  switch (job.kind) {
    case 'signup':
      return processSignup({ ...deps, send: (email) => deps.mailer.send(email) }, job);
    case 'email':
      return deliverEmail(deps, job.email, job.dedupeKey);
  }
};
