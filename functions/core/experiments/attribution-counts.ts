import type { Gift } from '../donations/model.js';
import type { Subscriber } from '../subscriptions/model.js';
import type { Attribution } from './attribution.js';

/**
 * The attribution counters behind `GET /v1/admin/attribution`: per UTC day, per page and per UTM source, medium and
 * campaign, the signups, confirmations, paid gifts and money they led to. Each is added beside the write that causes
 * it, in the same transaction (the subscriber's, the gift's), as the dashboard's day counters are, so a retried
 * write or a repeated webhook counts nothing twice.
 *
 * Why it stays bounded: a day's counters are one partition per table, one small item per page or UTM triple (and
 * shard), so a view of N days is N Queries per table whose size is the number of distinct pages and sources of
 * those days, never the number of readers, signups or gifts; the route caps N at 90 and answers the top 20 of each.
 */
export const ATTRIBUTION_MAX_DAYS = 90;
export const ATTRIBUTION_TOP = 20;

/** What an attribution counter is kept for: a page, or a UTM source, medium and campaign. */
export type AttributionKey =
  | { kind: 'page'; source: string }
  | { kind: 'utm'; utmSource?: string | undefined; utmMedium?: string | undefined; utmCampaign?: string | undefined };

/** Counter names: `signups`, `confirmations` (subscribers table); `gifts`, `raised:<currency>` (donations table). */
export interface AttributionChange {
  day: string;
  keys: AttributionKey[];
  counts: Record<string, number>;
}

const dayOf = (at: string) => new Date(at).toISOString().slice(0, 10);

/** The counters an attribution is kept under: its page, and its UTM triple when it has one. */
export const attributionKeys = (attribution: Attribution | undefined): AttributionKey[] => {
  if (!attribution) return [];
  const keys: AttributionKey[] = [];
  if (attribution.source) keys.push({ kind: 'page', source: attribution.source });
  const { utmSource, utmMedium, utmCampaign } = attribution;
  if (utmSource || utmMedium || utmCampaign) keys.push({ kind: 'utm', utmSource, utmMedium, utmCampaign });
  return keys;
};

/** A subscriber's attribution: the page is its `source`, kept beside the rest. */
export const subscriberAttribution = (subscriber: Subscriber | undefined): Attribution | undefined =>
  subscriber ? { ...subscriber.attribution, ...(subscriber.source ? { source: subscriber.source } : {}) } : undefined;

/**
 * What a subscriber write adds: a signup when it applies a signup job it had not applied last (as the day counters
 * count it, see subscriberDayChange), a confirmation when it enters `confirmed`; under the attribution it has now.
 */
export const subscriberAttributionChange = (from: Subscriber | undefined, to: Subscriber): AttributionChange | undefined => {
  const keys = attributionKeys(subscriberAttribution(to));
  if (keys.length === 0) return undefined;
  const counts: Record<string, number> = {};
  if (to.lastJob && to.lastJob.id !== from?.lastJob?.id) counts.signups = 1;
  if (to.status === 'confirmed' && from?.status !== 'confirmed') counts.confirmations = 1;
  return Object.keys(counts).length === 0 ? undefined : { day: dayOf(to.updatedAt), keys, counts };
};

/** What a gift counts for: its checkout's own payment, once its campaign counts it, by its net amount (as results.ts). */
const giftCounts = (gift: Gift | undefined): Record<string, number> => {
  if (!gift?.currency || gift.firstPayment !== true || !gift.paidAt || gift.contributed.unassigned) return {};
  return { gifts: gift.contributed.donations, [`raised:${gift.currency}`]: gift.contributed.raised };
};

/** What a gift write adds, on the day it was paid: the difference between what it counts for now and before. */
export const giftAttributionChange = (from: Gift | undefined, to: Gift): AttributionChange | undefined => {
  const keys = attributionKeys(to.attribution);
  if (keys.length === 0 || !to.paidAt) return undefined;
  const before = giftCounts(from);
  const after = giftCounts(to);
  const counts: Record<string, number> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = (after[name] ?? 0) - (before[name] ?? 0);
    if (delta !== 0) counts[name] = delta;
  }
  return Object.keys(counts).length === 0 ? undefined : { day: dayOf(to.paidAt), keys, counts };
};

/** One counter's totals over the days read. */
export interface AttributionRow {
  key: AttributionKey;
  signups: number;
  confirmations: number;
  gifts: number;
  /** Money by currency (minor units): a site may take gifts in several. */
  raised: Record<string, number>;
}

/** The attribution counters, read per day. */
export interface AttributionCounters {
  /** Every counter's totals over the days from `since` to `until` (UTC, both included). */
  totals(since: string, until: string): Promise<AttributionRow[]>;
}
