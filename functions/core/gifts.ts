import type { Contribution, Gift, GiftStatus, PaymentEvent } from './donations-model.js';
import { receiptEmail } from './emails.js';
import { ConflictError, TransientError } from './errors.js';
import type { CampaignRepository, Clock, DonorRegistry, GiftLedger, MailQueue, MonthlyGifts } from './ports.js';
import { retryOnConflict } from './retry.js';
import { type Keys, keyedHash, newId } from './secrets.js';
import { queueSignup } from './subscriptions.js';

export interface GiftSettings {
  siteName: string;
  charityName: string;
  charityRegistration: string;
  apiBaseUrl: string;
  consentVersion: string;
  defaultList: string;
}

export interface GiftDeps {
  clock: Clock;
  gifts: GiftLedger;
  campaigns: CampaignRepository;
  donors: DonorRegistry;
  monthly: MonthlyGifts;
  queue: MailQueue;
  keys: Keys;
  settings: GiftSettings;
}

const STATUS_RANK: Record<GiftStatus, number> = { unknown: 0, processing: 1, failed: 2, paid: 3 };
const NOTHING: Contribution = { raised: 0, donations: 0, donor: false };

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
        donorEmail: gift.donorEmail ?? event.email,
        donorName: gift.donorName ?? event.name,
        subscribe: gift.subscribe ?? (event.subscribe && event.offersSignup),
        checkoutSession: gift.checkoutSession ?? event.checkoutSession,
        invoice: gift.invoice ?? event.invoice,
        subscription: gift.subscription ?? event.subscription,
        paidAt: gift.paidAt ?? (status === 'paid' ? at : undefined),
      };
    }
    case 'refund':
      // Stripe reports the cumulative refunded amount: the largest one seen is the truth, whatever the order.
      return { ...gift, refunded: Math.max(gift.refunded, event.refunded) };
    case 'dispute':
      return { ...gift, disputed: true };
    default:
      return gift;
  }
};

/** What a gift should have added to its campaign: its net amount once paid, in the campaign's currency. */
export const targetContribution = (gift: Gift, campaignCurrency: string | undefined): Contribution => {
  if (gift.status !== 'paid' || gift.amount === undefined || gift.currency !== campaignCurrency) return NOTHING;
  const net = Math.max(0, gift.amount - gift.refunded);
  return { raised: net, donations: net > 0 ? 1 : 0, donor: gift.contributed.donor || net > 0 };
};

const donorKey = (deps: GiftDeps, gift: Gift) =>
  gift.donorEmail ? keyedHash(deps.keys.email, gift.donorEmail.toLowerCase()) : `payment:${gift.key}`;

/**
 * Brings the campaign's totals in line with the gift, exactly once, without transactions:
 * 1. compute the difference between what the gift should contribute and what it has; write it on the gift as
 *    a pending op with a fresh id (conditional on the gift's version);
 * 2. register the donor for the campaign on behalf of that op (first registration wins, replays answer alike);
 * 3. add the op to the campaign's totals, guarded by the op id (a repeat is a no-op);
 * 4. move the op into the gift's `contributed` and clear it (conditional on the version);
 * 5. retire the op on the campaign, which forgets its id only after a grace period (see retireOp).
 * A crash between any two writes leaves the op on the gift; whoever comes next (a redelivery, a concurrent
 * duplicate) finishes it from the step it reached, and the guards make every step count once.
 */
export const settleGift = async (deps: GiftDeps, key: string): Promise<Gift | undefined> => {
  for (let attempt = 0; attempt < 8; attempt++) {
    let gift = await deps.gifts.get(key);
    if (!gift?.campaign) return gift;
    const campaignId = gift.campaign;
    let op = gift.pending;
    if (!op) {
      const campaign = await deps.campaigns.get(campaignId);
      const target = targetContribution(gift, campaign?.currency);
      const current = gift.contributed;
      const delta = {
        raised: target.raised - current.raised,
        donations: target.donations - current.donations,
        registerDonor: target.donor && !current.donor,
      };
      if (delta.raised === 0 && delta.donations === 0 && !delta.registerDonor) {
        if (gift.lastOp) await deps.campaigns.retireOp(campaignId, gift.lastOp, deps.clock.now());
        return gift;
      }
      op = { id: newId(), ...delta };
      try {
        gift = await deps.gifts.save({ ...gift, pending: op, updatedAt: deps.clock.now().toISOString() }, gift.version);
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
    }
    const firstGiftOfDonor = op.registerDonor && (await deps.donors.registerFirstGift(campaignId, donorKey(deps, gift), op.id));
    await deps.campaigns.applyOp(
      campaignId,
      { id: op.id, raised: op.raised, donations: op.donations, donors: firstGiftOfDonor ? 1 : 0 },
      deps.clock.now(),
    );
    const contributed = {
      raised: gift.contributed.raised + op.raised,
      donations: gift.contributed.donations + op.donations,
      donor: gift.contributed.donor || op.registerDonor,
    };
    try {
      await deps.gifts.save(
        { ...gift, contributed, pending: undefined, lastOp: op.id, updatedAt: deps.clock.now().toISOString() },
        gift.version,
      );
    } catch (error) {
      if (error instanceof ConflictError) continue; // someone else finished it or changed the gift: look again
      throw error;
    }
    await deps.campaigns.retireOp(campaignId, op.id, deps.clock.now());
  }
  throw new TransientError('the gift kept changing while it was being counted');
};

const markGift = (deps: GiftDeps, key: string, change: Partial<Gift>) =>
  retryOnConflict(async () => {
    const gift = await deps.gifts.get(key);
    if (gift) await deps.gifts.save({ ...gift, ...change, updatedAt: deps.clock.now().toISOString() }, gift.version);
  });

/** Queues the thank-you receipt (deduplicated by the mailer) and the newsletter opt-in, each once. */
const followUp = async (deps: GiftDeps, gift: Gift) => {
  if (gift.status !== 'paid' || !gift.donorEmail) return;
  if (!gift.receiptQueued && gift.contributed.donations === 1 && gift.amount !== undefined && gift.currency) {
    const campaign = gift.campaign ? await deps.campaigns.get(gift.campaign) : undefined;
    await deps.queue.enqueue({
      kind: 'email',
      id: newId(),
      dedupeKey: `receipt:${gift.key}`,
      email: receiptEmail({
        to: gift.donorEmail,
        name: gift.donorName,
        siteName: deps.settings.siteName,
        charityName: deps.settings.charityName,
        charityRegistration: deps.settings.charityRegistration,
        campaignTitle: campaign?.title ?? deps.settings.siteName,
        amount: gift.amount,
        currency: gift.currency,
        monthly: gift.frequency === 'monthly',
        paidAt: gift.paidAt ?? gift.updatedAt,
        reference: gift.key,
      }),
    });
    await markGift(deps, gift.key, { receiptQueued: true });
  }
  if (gift.subscribe && !gift.signupQueued) {
    await queueSignup(deps.queue, {
      email: gift.donorEmail.toLowerCase(),
      name: gift.donorName,
      lists: [deps.settings.defaultList],
      source: `${deps.settings.apiBaseUrl}/v1/donate${gift.campaign ? `?campaign=${gift.campaign}` : ''}`,
      consent: { at: deps.clock.now().toISOString(), wordingVersion: deps.settings.consentVersion, origin: 'donation' },
    });
    await markGift(deps, gift.key, { signupQueued: true });
  }
};

/**
 * Records what a verified Stripe event says about a gift, counts it in its campaign exactly once, and queues
 * the receipt and newsletter opt-in. Any number of deliveries, in any order, give the same end state.
 * Throws (so the webhook answers 5xx and Stripe retries) when storage fails.
 */
export const recordPaymentEvent = async (deps: GiftDeps, event: PaymentEvent): Promise<string> => {
  if (event.kind === 'ignored') return `ignored: ${event.reason}`;
  if (event.kind === 'subscription') {
    await deps.monthly.record(event.subscription, event.status, event.campaign, event.at);
    return `subscription ${event.status}`;
  }
  const at = deps.clock.now().toISOString();
  await retryOnConflict(async () => {
    const existing = await deps.gifts.get(event.key);
    const base = existing ?? emptyGift(event.key, at);
    const next = applyEvent(base, event, at);
    if (existing && JSON.stringify(next) === JSON.stringify(existing)) return;
    await deps.gifts.save({ ...next, updatedAt: at }, existing?.version);
  });
  const gift = await settleGift(deps, event.key);
  if (gift) await followUp(deps, gift);
  return `${event.kind} recorded`;
};
