import type { Gift } from '../donations/model.js';
import type { Subscriber } from '../subscriptions/model.js';

/**
 * The dashboard's daily counters: numbers kept per UTC day beside the writes that change them, in the same
 * transaction (the subscriber's or the gift's), so that a view reads a few items per day whatever the list size, and
 * a retried write or a repeated webhook, which finds nothing to change, counts nothing twice.
 *
 * Each day's counters are spread over DAY_SHARDS items, a partition key each, and a write picks one at random: at
 * 100 signups and 50 gifts a second no item takes more than a few writes a second (transactions that touch one item
 * at the same moment cancel each other, see architecture, sizing the counters). The count is fixed, not configured:
 * a reader must know every item a day may be on, and reading the 99 a configurable count could reach would cost
 * five times as much for every view.
 */
export const DAY_SHARDS = 20;

/** A UTC day, `YYYY-MM-DD`. */
export type Day = string;

/** The UTC day of an ISO 8601 instant or a Date. */
export const dayOf = (at: string | Date): Day => (typeof at === 'string' ? new Date(at) : at).toISOString().slice(0, 10);

/** The counters one write adds to one day's items: numbers by name (see the names below). */
export interface DayChange {
  day: Day;
  counts: Record<string, number>;
}

/** The mailing list's daily counters (subscribers table). */
export const LIST_COUNTERS = ['signups', 'confirmations', 'unsubscribes', 'bounces', 'complaints'] as const;
export type ListCounter = (typeof LIST_COUNTERS)[number];

/** The status a subscriber enters that a day counts, and the counter it counts in. */
const STATUS_COUNTER: Partial<Record<Subscriber['status'], ListCounter>> = {
  confirmed: 'confirmations',
  unsubscribed: 'unsubscribes',
  bounced: 'bounces',
  complained: 'complaints',
};

/**
 * What a subscriber write adds to its day (the day of `to.updatedAt`): a confirmation, an unsubscribe, a bounce or
 * a complaint when the status enters one, and a signup when the write applies a signup job the subscriber had not
 * applied last (`signupJob`: the writer counts it only once per job, see SubscriberRepository). Undefined when it
 * counts nothing (a fresh link's timestamp, an erase).
 */
export const subscriberDayChange = (
  from: Subscriber | undefined,
  to: Subscriber,
): (DayChange & { signupJob?: string | undefined }) | undefined => {
  const counts: Record<string, number> = {};
  const entered = from?.status === to.status ? undefined : STATUS_COUNTER[to.status];
  if (entered) counts[entered] = 1;
  const signupJob = to.lastJob && to.lastJob.id !== from?.lastJob?.id ? to.lastJob.id : undefined;
  if (signupJob) counts.signups = 1;
  if (Object.keys(counts).length === 0) return undefined;
  return { day: dayOf(to.updatedAt), counts, ...(signupJob ? { signupJob } : {}) };
};

/**
 * Counter names of the donations table's day items:
 * - `gifts`, `gifts:once`, `gifts:monthly`: paid gifts (each monthly payment one);
 * - `raised:<currency>`: their amounts; `refunded:<currency>`: net refunds (a refund that fails comes off again);
 * - `campaign:<id>:gifts`, `campaign:<id>:raised:<currency>`, `campaign:<id>:refunded:<currency>`: the same by campaign;
 * - `monthly:started`, `monthly:ended`: monthly gifts that began and ended (see MONTHLY_ACTIVE for the running total).
 */
export const giftCounter = {
  gifts: 'gifts',
  byFrequency: (frequency: 'once' | 'monthly') => `gifts:${frequency}`,
  raised: (currency: string) => `raised:${currency}`,
  refunded: (currency: string) => `refunded:${currency}`,
  campaignGifts: (campaign: string) => `campaign:${campaign}:gifts`,
  campaignRaised: (campaign: string, currency: string) => `campaign:${campaign}:raised:${currency}`,
  campaignRefunded: (campaign: string, currency: string) => `campaign:${campaign}:refunded:${currency}`,
  monthlyStarted: 'monthly:started',
  monthlyEnded: 'monthly:ended',
} as const;

/** The running count of active monthly gifts, on its own sharded items (not per day). */
export const MONTHLY_ACTIVE = 'active';

/**
 * What a gift in this state has added to the day counters over its life: once paid, one gift of its frequency and
 * its amount; its net refunds once its currency is known (a refund that arrives before its payment is counted when
 * the payment tells the currency). By campaign too, when the gift names one.
 */
const giftCounts = (gift: Gift | undefined): Record<string, number> => {
  const counts: Record<string, number> = {};
  if (!gift?.currency) return counts;
  const { currency, campaign } = gift;
  if (gift.status === 'paid' && gift.amount !== undefined) {
    counts[giftCounter.gifts] = 1;
    counts[giftCounter.byFrequency(gift.frequency ?? 'once')] = 1;
    counts[giftCounter.raised(currency)] = gift.amount;
    if (campaign) {
      counts[giftCounter.campaignGifts(campaign)] = 1;
      counts[giftCounter.campaignRaised(campaign, currency)] = gift.amount;
    }
  }
  if (gift.refunded !== 0) {
    counts[giftCounter.refunded(currency)] = gift.refunded;
    if (campaign) counts[giftCounter.campaignRefunded(campaign, currency)] = gift.refunded;
  }
  return counts;
};

/**
 * What a gift write adds to its day (the day of `to.updatedAt`: the day it was paid, or refunded): the difference
 * between what the gift counts for now and what it counted for before, so that the sum over all days is always what
 * the ledger's gifts say, and a write that changes nothing countable adds nothing. Undefined when nothing moves.
 */
export const giftDayChange = (from: Gift | undefined, to: Gift): DayChange | undefined => {
  const before = giftCounts(from);
  const after = giftCounts(to);
  const counts: Record<string, number> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = (after[name] ?? 0) - (before[name] ?? 0);
    if (delta !== 0) counts[name] = delta;
  }
  return Object.keys(counts).length === 0 ? undefined : { day: dayOf(to.updatedAt), counts };
};
