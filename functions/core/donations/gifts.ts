import type { CampaignRecord, Contribution, DisputeState, Gift, GiftStatus, PaymentEvent } from './model.js';
import { addressKey, parseEmailAddress } from '../shared/email-address.js';
import type { CampaignRepository, GiftLedger, MonthlyGifts, TotalsChange } from './ports.js';
import type { Clock } from '../shared/ports.js';
import type { SignupAndMailQueue } from '../mail/ports.js';
import { TransientError } from '../shared/errors.js';
import { retryOnConflict } from '../shared/retry.js';
import { type Keys, newId } from '../shared/secrets.js';
import { queueSignup } from '../subscriptions/subscriptions.js';
import { tellOfEndedGift, tellOfFailedPayment } from '../donors/failed-payments.js';
import { offersGiftAid } from './gift-aid.js';

export interface GiftSettings {
  /** Names the gift on its receipt when its campaign is unknown. */
  siteName: string;
  apiBaseUrl: string;
  consentVersion: string;
  defaultList: string;
  /** Tell donors of failed monthly payments and of a gift Stripe ended for them (FAILED_PAYMENT_EMAILS); default true. */
  failedPaymentEmails?: boolean | undefined;
  /** The charity claims Gift Aid (GIFT_AID): the declarations of GBP gifts are kept with them; none otherwise. */
  giftAid?: boolean | undefined;
}

export interface GiftDeps {
  clock: Clock;
  gifts: GiftLedger;
  /** Only a campaign's settings: whether it counts a gift, and its title. */
  campaigns: Pick<CampaignRepository, 'getSettings'>;
  monthly: MonthlyGifts;
  queue: SignupAndMailQueue;
  keys: Keys;
  settings: GiftSettings;
}

const STATUS_RANK: Record<GiftStatus, number> = { unknown: 0, processing: 1, failed: 2, paid: 3 };
const NOTHING: Contribution = { raised: 0, donations: 0, donor: false };
/** A dispute only moves forward: opened, then closed won or lost for good (Stripe never reopens a closed one). */
const DISPUTE_RANK: Record<DisputeState, number> = { open: 0, won: 1, lost: 1 };

const emptyGift = (key: string, at: string): Gift => ({
  key,
  status: 'unknown',
  refunded: 0,
  disputed: false,
  createdAt: at,
  updatedAt: at,
  contributed: NOTHING,
  receiptQueued: false,
  signupQueued: false,
  version: 0,
});

/** The floor of a gift's refunds: none until a charge event has reported a cumulative figure. */
const refundFloor = (gift: Gift) => gift.refundedFloor ?? 0;

/**
 * What a gift's refunds took back: the refunds known by id that have not failed, or, when the charge's cumulative
 * figure says more was refunded than we know one by one, that figure less the refunds known to have failed since.
 * A refund that fails thus puts its money back whichever event told us about it. Stripe's `charge.refunded` need
 * not list the refunds (the API version the `stripe` package pins leaves `refunds` out of the charge), so the
 * per-refund state comes from `charge.refund.updated` / `refund.*` events, each naming one refund; the floor only
 * covers refunds no such event has named yet.
 */
export const netRefunded = (gift: Gift): number => {
  let live = 0;
  let failed = 0;
  for (const r of Object.values(gift.refunds ?? {})) {
    if (r.failed) failed += r.amount;
    else live += r.amount;
  }
  return Math.max(0, live, refundFloor(gift) - failed);
};

/** How an event moves a gift forward. Pure; a repeated or late event yields the gift unchanged. */
export const applyEvent = (gift: Gift, event: PaymentEvent, at: string): Gift => {
  switch (event.kind) {
    case 'payment': {
      const status = STATUS_RANK[event.status] > STATUS_RANK[gift.status] ? event.status : gift.status;
      return {
        ...gift,
        status,
        campaign: gift.campaign ?? event.campaign,
        amount: gift.amount ?? event.amount,
        currency: gift.currency ?? event.currency,
        frequency: gift.frequency ?? event.frequency,
        // Stored in its canonical form, whichever form the event gives (see EmailAddress): one we could not mail is none.
        donorEmail: gift.donorEmail ?? parseEmailAddress(event.email),
        donorName: gift.donorName ?? event.name,
        subscribe: gift.subscribe ?? (event.subscribe && event.offersSignup),
        checkoutSession: gift.checkoutSession ?? event.checkoutSession,
        invoice: gift.invoice ?? event.invoice,
        subscription: gift.subscription ?? event.subscription,
        customer: gift.customer ?? event.customer,
        lang: gift.lang ?? event.lang,
        feeCovered: gift.feeCovered ?? event.feeCovered,
        tribute: gift.tribute ?? event.tribute,
        anonymous: gift.anonymous ?? event.anonymous,
        paidAt: gift.paidAt ?? (status === 'paid' ? at : undefined),
        attribution: gift.attribution ?? event.attribution,
        firstPayment: gift.firstPayment ?? (event.offersSignup ? true : undefined),
        // The first declaration is the one kept: a repeated event never rewrites what the donor agreed to.
        giftAid: gift.giftAid ?? event.giftAid,
      };
    }
    case 'refund': {
      // Each refund is kept by its id: its amount never changes, and once it failed (or was canceled) it stays
      // failed (Stripe never retries a failed refund; a new attempt is a new refund). The charge's cumulative
      // figure only ever raises the floor. Both merge by max/or, so repeats and any order give the same state.
      const refunds = { ...gift.refunds };
      for (const r of event.refunds ?? []) {
        const known = refunds[r.id];
        const failed = known?.failed === true || r.failed;
        refunds[r.id] = { amount: known?.amount ?? r.amount, ...(failed ? { failed: true as const } : {}) };
      }
      const refundedFloor = Math.max(refundFloor(gift), event.refunded ?? 0);
      const moved = { ...gift, refundedFloor, ...(Object.keys(refunds).length > 0 ? { refunds } : {}) };
      return { ...moved, refunded: netRefunded(moved) };
    }
    case 'dispute': {
      // Stripe withdraws the money when a dispute opens and reinstates it only when the dispute is won: the gift
      // counts while no dispute is open or lost. Per dispute id, so repeats and any order give the same state.
      const known = gift.disputes?.[event.dispute];
      const state = known && DISPUTE_RANK[known] >= DISPUTE_RANK[event.state] ? known : event.state;
      const disputes = { ...gift.disputes, [event.dispute]: state };
      return { ...gift, disputes, disputed: Object.values(disputes).some((s) => s !== 'won') };
    }
    default:
      return gift;
  }
};

/**
 * What a gift should have added to its campaign: its net amount once paid, in the campaign's currency. A paid gift
 * that its campaign cannot count (no campaign, an unknown one, or one in another currency) is counted all the
 * same, as unassigned in its own currency: money was taken, and someone must refund or reassign it.
 * The donor rule, the same whatever order the events come in: a person counts as a donor once a payment of theirs
 * is paid, and refunds or disputes (earlier or later, partial or full) never change that; they only take the money
 * and, once nothing is left, the donation off. So `donor` depends on the payment alone, never on what arrived first.
 */
export const targetContribution = (gift: Gift, campaignCurrency: string | undefined): Contribution => {
  if (gift.status !== 'paid' || gift.amount === undefined || gift.currency === undefined) return NOTHING;
  // Money under an open or lost dispute is not held: it counts neither in `raised` nor as a donation.
  const net = gift.disputed ? 0 : Math.max(0, gift.amount - gift.refunded);
  // The covered fee is counted within `raised`, in proportion to what is left of the charge (a full refund gives
  // back all that was charged, fee included), rounded down so that it never exceeds the net.
  const fees = gift.feeCovered && gift.amount > 0 ? Math.floor((gift.feeCovered * net) / gift.amount) : 0;
  const counted = { raised: net, donations: net > 0 ? 1 : 0, ...(fees > 0 ? { feesCovered: fees } : {}) };
  return gift.currency === campaignCurrency ? { ...counted, donor: true } : { ...counted, donor: false, unassigned: true };
};

/** Why a paid gift is counted as unassigned. */
export type UnassignedReason = 'no campaign' | 'unknown campaign' | 'other currency';

/** A gift that an event has just made unassigned (once per gift): for the log line the alarm counts. */
export interface UnassignedGift {
  gift: string;
  reason: UnassignedReason;
  amount: number;
  currency: string;
}

const unassignedReason = (gift: Gift, campaign: CampaignRecord | undefined): UnassignedReason =>
  !gift.campaign ? 'no campaign' : campaign ? 'other currency' : 'unknown campaign';

/**
 * The changes to the totals that take a gift from what it has contributed (`from`) to what it should (`to`): one
 * change where both are counted in the same place, else one taking it out of the old place and one putting it in
 * the new (an unassigned gift whose campaign exists again in its currency; a counted gift whose campaign is gone).
 * A campaign that is gone is changed on its first shard: any shard of a campaign's totals is summed.
 */
const totalsChanges = (deps: GiftDeps, gift: Gift, from: Contribution, to: Contribution, campaign: CampaignRecord | undefined) => {
  const changes: TotalsChange[] = [];
  // The unassigned totals keep no fees: the covered fee is a campaign's figure.
  const add = (unassigned: boolean, raised: number, donations: number, newDonor: boolean, fees: number) => {
    if (raised === 0 && donations === 0 && !newDonor && fees === 0) return;
    if (unassigned && gift.currency) changes.push({ unassigned: gift.currency, raised, donations });
    if (!unassigned && gift.campaign) {
      const donor = newDonor ? donorKey(deps, gift) : undefined;
      changes.push({ campaign: gift.campaign, shards: campaign?.shards ?? 1, raised, donations, newDonor: donor, ...(fees !== 0 ? { feesCovered: fees } : {}) });
    }
  };
  const [wasUnassigned, isUnassigned] = [from.unassigned === true, to.unassigned === true];
  const [feesFrom, feesTo] = [from.feesCovered ?? 0, to.feesCovered ?? 0];
  if (wasUnassigned === isUnassigned) {
    add(isUnassigned, to.raised - from.raised, to.donations - from.donations, to.donor && !from.donor, feesTo - feesFrom);
  } else {
    add(wasUnassigned, -from.raised, -from.donations, false, -feesFrom);
    add(isUnassigned, to.raised, to.donations, to.donor, feesTo);
  }
  return changes;
};

/** One key per mailbox, the same as the suppression key of a reader with that address. */
const donorKey = (deps: GiftDeps, gift: Gift) => (gift.donorEmail ? addressKey(deps.keys, gift.donorEmail) : `payment:${gift.key}`);

const sameGift = (a: Gift, b: Gift) => JSON.stringify({ ...a, updatedAt: '' }) === JSON.stringify({ ...b, updatedAt: '' });

/**
 * Moves a gift forward by one event and brings its campaign's totals in line with it, in one transaction:
 * the gift's new state (conditional on the version read), the difference between what the gift should
 * contribute and what it has contributed (`ADD` on one of the campaign's total items, or on the unassigned totals),
 * and the donor's marker (counted once per campaign). A duplicate or late event changes nothing; a concurrent
 * writer makes the transaction fail whole, and the event is applied again to what that writer left. There is no
 * step between writes for a crash to fall into. Says so when this write made the gift unassigned.
 */
const applyToGift = (deps: GiftDeps, event: Extract<PaymentEvent, { kind: 'payment' | 'refund' | 'dispute' }>) =>
  retryOnConflict(async () => {
    const at = deps.clock.now().toISOString();
    const existing = await deps.gifts.get(event.key);
    const moved = applyEvent(existing ?? emptyGift(event.key, at), event, at);
    const campaign = moved.campaign ? await deps.campaigns.getSettings(moved.campaign) : undefined;
    const target = targetContribution(moved, campaign?.currency);
    const next: Gift = { ...moved, contributed: target, updatedAt: at };
    if (existing && sameGift(next, existing)) return { gift: existing, campaign, unassigned: undefined };
    const changes = totalsChanges(deps, next, moved.contributed, target, campaign);
    const saved = await deps.gifts.save(next, existing, changes.length > 0 ? changes : undefined);
    const unassigned: UnassignedGift | undefined =
      target.unassigned && !moved.contributed.unassigned && saved.amount !== undefined && saved.currency
        ? { gift: saved.key, reason: unassignedReason(saved, campaign), amount: saved.amount, currency: saved.currency }
        : undefined;
    return { gift: saved, campaign, unassigned };
  }, 10);

/**
 * Sets flags on a gift, starting from the version just written (no read); after a lost race it reads again. A gift
 * that has them already is left alone, so concurrent duplicates do not collide.
 */
const markGift = (deps: GiftDeps, written: Gift, change: Pick<Partial<Gift>, 'receiptQueued' | 'signupQueued'>) => {
  let known: Gift | undefined = written;
  return retryOnConflict(async () => {
    const gift = known ?? (await deps.gifts.get(written.key));
    known = undefined;
    if (!gift || Object.entries(change).every(([name, value]) => gift[name as keyof typeof change] === value)) return;
    await deps.gifts.save({ ...gift, ...change, updatedAt: deps.clock.now().toISOString() }, gift);
  }, 10);
};

/**
 * Queues the thank-you receipt (rendered and deduplicated by the mail worker) and the newsletter opt-in, each once.
 * A receipt goes out for every paid gift, counted by its campaign or as unassigned, whatever its refunds and
 * whichever came first: the donor did pay (a refund shows on their statement, not as a missing receipt), so the
 * order of events never decides.
 */
const followUp = async (deps: GiftDeps, gift: Gift, campaign: { title: string } | undefined) => {
  const email = gift.donorEmail;
  if (gift.status !== 'paid' || !email) return;
  const flags: Pick<Partial<Gift>, 'receiptQueued' | 'signupQueued'> = {};
  const counted = gift.contributed.donor || gift.contributed.unassigned === true;
  if (!gift.receiptQueued && counted && gift.amount !== undefined && gift.currency) {
    await deps.queue.enqueue({
      kind: 'receipt',
      id: newId(),
      gift: {
        reference: gift.key,
        email,
        name: gift.donorName,
        campaignTitle: campaign?.title ?? deps.settings.siteName,
        amount: gift.amount,
        currency: gift.currency,
        monthly: gift.frequency === 'monthly',
        paidAt: gift.paidAt ?? gift.updatedAt,
        // A monthly receipt links to the donor's Customer Portal (the mail worker signs the link).
        ...(gift.frequency === 'monthly' && gift.customer ? { customer: gift.customer } : {}),
        // In the language the donor gave in (English without one).
        ...(gift.lang ? { lang: gift.lang } : {}),
        // The gift and the fee they covered on their own lines, and the tribute.
        ...(gift.feeCovered ? { feeCovered: gift.feeCovered } : {}),
        ...(gift.tribute ? { tribute: gift.tribute } : {}),
        // The receipt confirms the declaration and carries the link to cancel it.
        ...(gift.giftAid ? { giftAid: true as const } : {}),
      },
    });
    flags.receiptQueued = true;
  }
  if (gift.subscribe && !gift.signupQueued) {
    await queueSignup(deps.queue, {
      email,
      name: gift.donorName,
      lists: [deps.settings.defaultList],
      source: `${deps.settings.apiBaseUrl}/v1/donate${gift.campaign ? `?campaign=${gift.campaign}` : ''}`,
      // The confirmation, and every email once they have confirmed, in the language they gave in.
      ...(gift.lang ? { lang: gift.lang } : {}),
      consent: { at: deps.clock.now().toISOString(), wordingVersion: deps.settings.consentVersion, origin: 'donation' },
    });
    flags.signupQueued = true;
  }
  // One write for both: a crash before it queues them again (the mail ledger sends a receipt once; a second
  // opt-in job for a pending address sends no second link within minutes).
  if (Object.keys(flags).length > 0) await markGift(deps, gift, flags);
};

/**
 * A monthly payment whose invoice does not name its campaign (metadata missing on the subscription) takes it from
 * the monthly gift's record, written when its checkout completed.
 */
type GiftEvent = Extract<PaymentEvent, { kind: 'payment' | 'refund' | 'dispute' }>;
const withCampaign = async (deps: GiftDeps, event: GiftEvent): Promise<GiftEvent> => {
  if (event.kind !== 'payment' || event.campaign || !event.subscription) return event;
  const campaign = await deps.monthly.campaignOf(event.subscription);
  if (campaign) return { ...event, campaign };
  // Stripe may deliver the invoice before the checkout that records the monthly gift: a payment stored now would
  // never be counted (nothing comes back to it), so answer 5xx and let Stripe deliver it again a little later.
  if (event.status === 'paid' && !(await deps.gifts.get(event.key))?.campaign) {
    throw new TransientError('a monthly payment arrived before its monthly gift was recorded');
  }
  return event;
};

/**
 * A declaration is kept only where it can be claimed: a GBP gift, on a site that claims Gift Aid. Each payment of a
 * monthly gift declared at its checkout takes the monthly gift's declaration (with its own time: the checkout's).
 * Stripe may deliver the first invoice before the checkout that records it: then answer 5xx, and Stripe delivers it
 * again a little later (a monthly gift recorded without a declaration gives its payments none).
 */
const withDeclaration = async (deps: GiftDeps, event: GiftEvent): Promise<GiftEvent> => {
  if (event.kind !== 'payment') return event;
  if (!offersGiftAid(deps.settings.giftAid, event.currency)) return event.giftAid ? { ...event, giftAid: undefined } : event;
  if (!event.monthlyGiftAid || !event.subscription || event.giftAid) return event;
  const declaration = await deps.monthly.declarationOf(event.subscription);
  if (declaration === undefined) throw new TransientError('a declared monthly payment arrived before its monthly gift was recorded');
  return declaration ? { ...event, giftAid: declaration } : event;
};

/** What recording an event did: a short outcome for the log, and the gift it has just made unassigned, if any. */
export interface RecordedEvent {
  outcome: string;
  unassigned?: UnassignedGift;
}

/**
 * Records what a verified Stripe event says about a gift, counts it in its campaign (or as unassigned) exactly
 * once, and queues the receipt and newsletter opt-in. Any number of deliveries, in any order, at once or after a
 * crash, give the same end state. Throws (so the webhook answers 5xx and Stripe retries) when storage fails.
 */
export const recordPaymentEvent = async (deps: GiftDeps, event: PaymentEvent): Promise<RecordedEvent> => {
  if (event.kind === 'ignored') return { outcome: `ignored: ${event.reason}` };
  if (event.kind === 'payment-failed') return { outcome: await tellOfFailedPayment(deps, event) };
  if (event.kind === 'subscription') {
    // A declaration is kept only on a site that claims Gift Aid (the currency is checked on each payment).
    const declaration = deps.settings.giftAid ? event.giftAid : undefined;
    await deps.monthly.record(event.subscription, event.status, event.campaign, event.at, declaration);
    const told = await tellOfEndedGift(deps, event);
    return { outcome: `subscription ${event.status}${told ? ': donor told' : ''}` };
  }
  const { gift, campaign, unassigned } = await applyToGift(deps, await withDeclaration(deps, await withCampaign(deps, event)));
  await followUp(deps, gift, campaign);
  return { outcome: `${event.kind} recorded`, ...(unassigned ? { unassigned } : {}) };
};
