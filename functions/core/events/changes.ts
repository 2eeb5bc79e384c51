import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { Gift } from '../donations/model.js';
import type { Language } from '../shared/i18n/index.js';
import { safeParse, onFirstUse } from '../shared/schema.js';
import { Subscriber } from '../subscriptions/model.js';
import type { DonorGift } from '../connectors/donors.js';
import type { DonationEventData, EventType, SubscriberEventData } from './model.js';

/**
 * The kinds of item whose changes become events, by partition key prefix. The change stream of each table carries
 * every write; only these reach the producer (the event source mapping's filter in AWS, the poller on the dev server).
 */
export const WATCHED_PREFIXES = {
  subscribers: ['SUB#', 'SUPPRESS#'],
  donations: ['GIFT#', 'MONTHLY#'],
} as const;

export type WatchedTable = keyof typeof WATCHED_PREFIXES;

/** One item's change, as a table's change stream tells it: the item before and after (absent: created or deleted). */
export interface ItemChange {
  table: WatchedTable;
  pk: string;
  old?: Record<string, unknown> | undefined;
  new?: Record<string, unknown> | undefined;
}

/**
 * What a change means for the newsroom's tools, before it is kept and addressed:
 * - `event`: an event to publish, with `material`, what makes its id (the same change read twice gives the same id),
 *   and `email` when it is about a person (its events are then filed under the person's keyed hash, for an erase);
 * - `erased`: a person was erased: every event kept about them loses their address;
 * - `monthly`: a monthly gift ended; its `monthly.cancelled` is told with what its start was told with.
 */
export type Derived =
  | {
      kind: 'event';
      type: EventType;
      material: string;
      timestamp: string;
      data: SubscriberEventData | DonationEventData | { emailHash: string };
      email?: string | undefined;
      startsMonthly?: string;
      /** `subscriber.erased`: the address the newsletter tools must still erase (never kept in the event). */
      erasedEmail?: string;
      /** A paid gift's facts as they are now, for its donor's status in the newsletter tools. */
      gift?: DonorGift;
    }
  | { kind: 'erased'; email?: string; subject?: string }
  | { kind: 'monthly-ended'; subscription: string; timestamp: string };

/** SHA-256 of the canonical address, hex: what `subscriber.erased` tells, so the newsroom can find the person in its own tools. */
export const emailSha256 = (email: string) => createHash('sha256').update(email).digest('hex');

const subscriberOf = (image: Record<string, unknown> | undefined) => {
  if (!image) return undefined;
  const parsed = safeParse(Subscriber, image);
  return parsed.success ? parsed.data : undefined;
};

const SUPPRESSED = new Set(['bounced', 'complained']);

const subscriberEventType = (before: string | undefined, after: string): EventType | undefined => {
  if (after === before) return undefined;
  if (after === 'confirmed') return 'subscriber.confirmed';
  if (after === 'unsubscribed') return 'subscriber.unsubscribed';
  if (SUPPRESSED.has(after) && !SUPPRESSED.has(before ?? '')) return 'subscriber.suppressed';
  return undefined;
};

const subscriberChange = (change: ItemChange, language: Language): Derived[] => {
  const before = subscriberOf(change.old);
  const after = subscriberOf(change.new);
  if (before && !change.new) {
    // Only an erase deletes a subscriber: the event names no one, and everything kept about them loses the address.
    return [
      { kind: 'erased', email: before.email },
      {
        kind: 'event',
        type: 'subscriber.erased',
        material: `${change.pk}|erased|${before.version}`,
        timestamp: before.updatedAt,
        data: { emailHash: emailSha256(before.email) },
        erasedEmail: before.email,
      },
    ];
  }
  if (!after) return [];
  const type = subscriberEventType(before?.status, after.status);
  if (!type) return [];
  const data: SubscriberEventData = {
    email: after.email,
    ...(after.name ? { name: after.name } : {}),
    lists: after.lists,
    lang: after.lang ?? language,
    status: after.status,
    ...(after.confirmedAt && after.status === 'confirmed' ? { confirmedAt: after.confirmedAt } : {}),
  };
  return [{ kind: 'event', type, material: `${change.pk}|${type}|${after.version}`, timestamp: after.updatedAt, data, email: after.email }];
};

const SuppressionItem = /* @__PURE__ */ onFirstUse(() => z.object({ reason: z.string() }));

/** An erase of an address that may have no subscriber (a donor): its marker is what tells it, by the keyed hash. */
const suppressionChange = (change: ItemChange): Derived[] => {
  const after = change.new && safeParse(SuppressionItem, change.new);
  if (!after?.success || after.data.reason !== 'erased') return [];
  return [{ kind: 'erased', subject: change.pk.slice('SUPPRESS#'.length) }];
};

/** What a gift tells once it is paid and its details are known (before that it tells nothing). */
const factsOf = (image: Record<string, unknown> | undefined) => {
  if (!image) return undefined;
  const parsed = safeParse(Gift, image);
  if (!parsed.success) return undefined;
  const gift = parsed.data;
  if (gift.status !== 'paid' || gift.amount === undefined || gift.currency === undefined) return undefined;
  return gift;
};

const giftData = (gift: Gift, status: DonationEventData['status']): DonationEventData => ({
  id: gift.key,
  campaign: gift.campaign ?? '',
  amount: gift.amount ?? 0,
  currency: gift.currency ?? '',
  frequency: gift.frequency ?? 'once',
  status,
  ...(gift.donorEmail ? { email: gift.donorEmail } : {}),
  ...(gift.donorName ? { name: gift.donorName } : {}),
});

/**
 * A gift's events: paid once it is paid; refunded when its net refunds grow; disputed when a dispute opens; and
 * dispute_closed when one is won or lost. Each from the difference between what the gift told before and after,
 * so a change that tells nothing new (a repeated webhook, a receipt marked sent) makes none, in whatever order
 * the webhooks came.
 */
const giftChange = (change: ItemChange): Derived[] => {
  const before = factsOf(change.old);
  const after = factsOf(change.new);
  if (!after) return [];
  const out: Derived[] = [];
  const event = (type: EventType, material: string, status: DonationEventData['status'], startsMonthly?: string): Derived => ({
    kind: 'event',
    type,
    material: `${change.pk}|${material}`,
    timestamp: after.updatedAt,
    data: giftData(after, status),
    email: after.donorEmail,
    ...(startsMonthly ? { startsMonthly } : {}),
    gift: {
      key: after.key,
      at: after.paidAt ?? after.createdAt,
      amount: after.amount ?? 0,
      refunded: after.refunded,
      currency: after.currency ?? '',
      frequency: after.frequency ?? 'once',
      version: after.version,
    },
  });
  if (!before) {
    // The first paid month of a monthly gift starts it (whichever month is seen first: no order is promised).
    out.push(event('donation.paid', 'paid', 'paid', after.frequency === 'monthly' ? after.subscription : undefined));
  }
  const refundedBefore = before?.refunded ?? 0;
  if (after.refunded > refundedBefore) {
    out.push(event('donation.refunded', `refunded|${after.refunded}`, after.refunded >= (after.amount ?? 0) ? 'refunded' : 'partially_refunded'));
  }
  for (const [dispute, state] of Object.entries(after.disputes ?? {})) {
    const was = before?.disputes?.[dispute];
    if (state === 'open' && was === undefined) out.push(event('donation.disputed', `disputed|${dispute}`, 'disputed'));
    if ((state === 'won' || state === 'lost') && was !== 'won' && was !== 'lost') out.push(event('donation.dispute_closed', `closed|${dispute}`, state));
  }
  return out;
};

const MonthlyItem = /* @__PURE__ */ onFirstUse(() => z.object({ status: z.string(), updatedAt: z.optional(z.string()), endedAt: z.optional(z.string()) }));

const monthlyChange = (change: ItemChange): Derived[] => {
  const before = change.old && safeParse(MonthlyItem, change.old);
  const after = change.new && safeParse(MonthlyItem, change.new);
  if (!after?.success || after.data.status !== 'ended') return [];
  if (before?.success && before.data.status === 'ended') return [];
  return [{ kind: 'monthly-ended', subscription: change.pk.slice('MONTHLY#'.length), timestamp: after.data.endedAt ?? after.data.updatedAt ?? new Date(0).toISOString() }];
};

/**
 * What one item's change means for the newsroom's tools (see Derived). Items of other kinds, and items that do
 * not read as their kind, mean nothing. `language` is the site's, for a subscriber whose own is not known.
 */
export const deriveEvents = (change: ItemChange, language: Language): Derived[] => {
  if (change.table === 'subscribers') {
    if (change.pk.startsWith('SUB#')) return subscriberChange(change, language);
    if (change.pk.startsWith('SUPPRESS#')) return suppressionChange(change);
    return [];
  }
  if (change.pk.startsWith('GIFT#')) return giftChange(change);
  if (change.pk.startsWith('MONTHLY#')) return monthlyChange(change);
  return [];
};
