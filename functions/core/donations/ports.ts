import type { Language } from '../shared/i18n/index.js';
import type { Attribution } from '../experiments/attribution.js';
import type { Campaign, CampaignRecord, CampaignSettings, Gift, PaymentEvent, Tribute } from './model.js';
import type { GiftAidDeclaration } from './gift-aid.js';

export interface CampaignRepository {
  /** The campaign with its totals (summed from the items they are spread over). */
  get(id: string): Promise<Campaign | undefined>;
  /** The campaign's settings alone (one small read): what the gift ledger needs to count a gift. */
  getSettings(id: string): Promise<CampaignRecord | undefined>;
  list(): Promise<Campaign[]>;
  /**
   * Creates a campaign or updates its settings; never touches its totals. Throws CampaignCurrencyLockedError when
   * the campaign exists in another currency (a campaign's currency is fixed at creation).
   */
  saveSettings(settings: CampaignSettings, now: Date): Promise<Campaign>;
  /**
   * The totals of the paid gifts that no campaign counts (their campaign is unknown, or in another currency), by
   * currency: money taken that an operator must refund or reassign (docs/operating.md).
   */
  unassigned(): Promise<Record<string, UnassignedTotals>>;
}

/** A campaign read: what the donations function's routes ask of the campaigns (they never list or write them). */
export type CampaignReads = Pick<CampaignRepository, 'get' | 'getSettings'>;

/** What the unassigned gifts of one currency add up to: their net amount and how many still hold money. */
export interface UnassignedTotals {
  raised: number;
  donations: number;
}

/**
 * A change to the totals a gift counts in, written in the same transaction as the gift that causes it: one
 * campaign's totals, or the unassigned totals of the gift's currency.
 */
export type TotalsChange = CampaignTotalsChange | UnassignedTotalsChange;

/** A change to the unassigned totals of one currency (see CampaignRepository.unassigned). */
export interface UnassignedTotalsChange {
  unassigned: string;
  raised: number;
  donations: number;
}

/** A change to one campaign's totals. */
export interface CampaignTotalsChange {
  campaign: string;
  /** The campaign's shard count: the change goes to one of that many total items, chosen at random. */
  shards: number;
  raised: number;
  donations: number;
  /**
   * The donor's key (a keyed hash of the address) when this gift makes them a donor of the campaign: they are
   * counted unless an earlier gift already counted them.
   */
  newDonor?: string | undefined;
  /** The change to the fees donors covered, within `raised` (absent: none). */
  feesCovered?: number | undefined;
}

/** Gifts keyed by payment intent id, written with version checks like subscribers. */
export interface GiftLedger {
  get(key: string): Promise<Gift | undefined>;
  /**
   * Writes `next` in place of `current` (undefined: no gift may exist) only if the stored gift is still at
   * `current.version`, and stores it at the next version. `totals`, when given (one change, or one per place a
   * gift leaves and enters, never two on one place), is applied in the same transaction: all of it or nothing,
   * exactly once per gift version. Throws ConflictError when the gift changed.
   */
  save(next: Gift, current: Gift | undefined, totals?: TotalsChange | readonly TotalsChange[]): Promise<Gift>;
}

export interface MonthlyGifts {
  /**
   * Records a monthly gift's subscription as active or ended; an ended one never becomes active again. `giftAid`: the
   * declaration the donor made at its checkout, kept with it (the first one written stays), which covers every month.
   */
  record(subscription: string, status: 'active' | 'ended', campaign: string | undefined, at: Date, giftAid?: GiftAidDeclaration): Promise<void>;
  /**
   * The Gift Aid declaration made at a monthly gift's checkout: undefined when the monthly gift is not recorded yet,
   * null when it was recorded without one.
   */
  declarationOf(subscription: string): Promise<GiftAidDeclaration | null | undefined>;
  /** The campaign a monthly gift's subscription was recorded for; undefined when unknown. */
  campaignOf(subscription: string): Promise<string | undefined>;
}

/** Server-side ids for checkout attempts, so that a double click or a retry reuses one Stripe idempotency key. */
export interface CheckoutAttempts {
  /** The live attempt id for a fingerprint, created if there is none (or the last one expired). */
  attemptFor(fingerprint: string, now: Date, ttlSeconds: number): Promise<string>;
  /** Replaces a spent attempt id (its session was completed or expired) with a fresh one. */
  renew(fingerprint: string, spentId: string, now: Date, ttlSeconds: number): Promise<string>;
}

export interface CheckoutParams {
  mode: 'payment' | 'subscription';
  campaign: CampaignRecord;
  amount: number;
  currency: string;
  frequency: 'once' | 'monthly';
  email?: string | undefined;
  subscribe: boolean;
  successUrl: string;
  cancelUrl: string;
  /** The donor's language: Checkout's locale (where Stripe has it) and `lang` in the metadata, for the receipt. */
  lang?: Language | undefined;
  /** The part of `amount` that is the fee the donor covers (metadata, so the ledger keeps it apart). */
  feeCovered?: number | undefined;
  tribute?: Tribute | undefined;
  anonymous?: boolean | undefined;
  /**
   * Stripe's embedded form instead of its page: no success or cancel URL, and Stripe brings the donor back to
   * `returnUrl` (with `{CHECKOUT_SESSION_ID}` filled in).
   */
  embedded?: { returnUrl: string } | undefined;
  /** Where the gift came from: in the metadata, so that the webhook keeps it with the gift. */
  attribution?: Attribution | undefined;
  /**
   * The version of the Gift Aid declaration the donor ticked (metadata): Checkout must then collect their name and
   * home address (its required billing address), which the webhook keeps with the declaration.
   */
  giftAid?: string | undefined;
}

export interface CheckoutSummary {
  complete: boolean;
  /**
   * Whether the money has arrived (Stripe's `payment_status` is `paid`). A session paid by a delayed method (a bank
   * debit) is `complete` but not paid until the bank confirms, days later.
   */
  paid: boolean;
  amount: number;
  currency: string;
  frequency: 'once' | 'monthly';
  campaign?: string | undefined;
  /** The Stripe customer a monthly gift's checkout created (whose Customer Portal manages the gift). */
  customer?: string | undefined;
}

export interface Payments {
  /** Creates a Checkout Session; the same idempotency key returns the same session. */
  createCheckout(
    params: CheckoutParams,
    idempotencyKey: string,
  ): Promise<{ id: string; url: string | null; open: boolean; clientSecret?: string | null | undefined }>;
  /** What a Checkout Session was for, to thank the donor by amount; undefined when Stripe does not know it. */
  describeCheckout(sessionId: string): Promise<CheckoutSummary | undefined>;
  /**
   * Opens a short-lived Customer Portal session for a customer (cancel the monthly gift, change its card) that
   * returns them to `returnUrl`; answers its URL. Throws NotFoundError when Stripe knows no such customer.
   */
  createPortalSession(customer: string, returnUrl: string): Promise<string>;
}

/** Verifies a webhook delivery and says what it means. Throws InvalidSignatureError for a bad signature. */
export interface PaymentEvents {
  read(rawBody: string, signature: string | undefined): Promise<PaymentEvent>;
}
