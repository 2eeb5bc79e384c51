import type { Frequency } from '../donations/model.js';
import type { DonorStatus } from './model.js';

/** A paid gift as its donor's status counts it: `at` is when it was paid; `version` is the ledger item's. */
export interface DonorGift {
  key: string;
  at: string;
  amount: number;
  refunded: number;
  currency: string;
  frequency: Frequency;
  version: number;
}

/** What the ledger told about one donor: their paid gifts and their monthly gifts' states. */
export interface DonorRecord {
  gifts: DonorGift[];
  monthly: { subscription: string; state: 'active' | 'ended' }[];
}

/**
 * Each donor's gifts and monthly gifts, filed under the keyed hash of their address (so one Query reads one donor,
 * and an erase's scrub finds them). Kept from the donations table's changes by the events producer.
 */
export interface DonorLedger {
  /** Records a paid gift's facts; an older version never replaces a newer one (a change read again). */
  recordGift(subject: string, gift: DonorGift, now: Date): Promise<void>;
  /** Records a monthly gift's state; an ended one never becomes active again. */
  recordMonthly(subject: string, subscription: string, state: 'active' | 'ended', now: Date): Promise<void>;
  read(subject: string): Promise<DonorRecord>;
}

/**
 * A donor's status as the newsletter tools carry it, or null when nothing they gave still counts (every gift
 * refunded): `monthly donor` while a monthly gift is active, `former monthly donor` once every one ended, else
 * `donor`; the last counted gift's time and amount (net of refunds), and the total given net of refunds in the
 * last gift's currency.
 */
export const donorStatusOf = (record: DonorRecord): DonorStatus | null => {
  const counted = record.gifts.filter((g) => g.refunded < g.amount).sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
  const last = counted.at(-1);
  if (!last) return null;
  const active = record.monthly.some((m) => m.state === 'active') || (record.monthly.length === 0 && counted.some((g) => g.frequency === 'monthly'));
  const status = active ? 'monthly donor' : record.monthly.length > 0 ? 'former monthly donor' : 'donor';
  const total = counted.filter((g) => g.currency === last.currency).reduce((sum, g) => sum + g.amount - g.refunded, 0);
  return { status, lastGiftAt: last.at, lastGiftAmount: last.amount - last.refunded, total, currency: last.currency };
};
