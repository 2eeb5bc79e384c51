import type { Gift } from '../donations/model.js';

/** A UTC day, `YYYY-MM-DD`. */
const dayOf = (at: string) => new Date(at).toISOString().slice(0, 10);

/**
 * What one gift write adds to its variant's gift counters: the difference between what the gift counts for now and
 * what it counted for before, on the day it was paid (so every change of one gift lands on one day, and any range
 * of days that holds that day sums it exactly).
 *
 * A gift counts for its variant when its checkout named one, it is its checkout's own payment (a one-time gift or a
 * monthly gift's first month: what the page view led to), and its campaign counts it: then it adds one gift and its
 * net amount, exactly as it adds to the campaign's totals (`contributed`). So a refund takes its money off, a full
 * refund or an open dispute the gift too, and a won dispute puts them back: a variant's `raised` is the money it
 * brought in and kept. Sums of squares and cubes are whole numbers too large for a double once amounts reach tens
 * of thousands, so they are BigInts: DynamoDB adds them exactly (38 digits).
 */
export interface VariantGiftChange {
  campaign: string;
  variant: string;
  day: string;
  gifts: number;
  raised: number;
  squares: bigint;
  cubes: bigint;
}

const counted = (gift: Gift | undefined) => {
  if (!gift?.campaign || !gift.attribution?.variant || gift.firstPayment !== true || !gift.paidAt || gift.contributed.unassigned) return undefined;
  const raised = BigInt(gift.contributed.raised);
  return { gifts: gift.contributed.donations, raised: gift.contributed.raised, squares: raised * raised, cubes: raised * raised * raised };
};

export const variantGiftChange = (from: Gift | undefined, to: Gift): VariantGiftChange | undefined => {
  const after = counted(to);
  const before = counted(from);
  if (!after && !before) return undefined;
  const gift = (after ? to : from) as Gift & { campaign: string; paidAt: string; attribution: { variant: string } };
  const change = {
    campaign: gift.campaign,
    variant: gift.attribution.variant,
    day: dayOf(gift.paidAt),
    gifts: (after?.gifts ?? 0) - (before?.gifts ?? 0),
    raised: (after?.raised ?? 0) - (before?.raised ?? 0),
    squares: (after?.squares ?? 0n) - (before?.squares ?? 0n),
    cubes: (after?.cubes ?? 0n) - (before?.cubes ?? 0n),
  };
  return change.gifts === 0 && change.raised === 0 && change.squares === 0n ? undefined : change;
};
