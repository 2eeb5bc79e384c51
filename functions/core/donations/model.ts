import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';
import { type EmailAddress, hasControlCharacters } from '../shared/email-address.js';
import { DomainError } from '../shared/errors.js';
import { LANGUAGES, type Language } from '../shared/i18n/index.js';
import { RequestedLanguage } from '../subscriptions/model.js';
import { Attribution, attributionFieldSchemas, SourceField } from '../experiments/attribution.js';

export { RequestedLanguage };
import { MAX_SHARDS } from '../subscriptions/counting.js';
import { GiftAidDeclaration } from './gift-aid.js';

export const CurrencyCode = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^[a-z]{3}$/, 'A lowercase ISO 4217 code, such as usd.')));
export const CampaignId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Lowercase letters, digits and dashes.')));
import { Frequency } from './frequency.js';

export { Frequency };

export const CAMPAIGN_TITLE_MAX_LENGTH = 200;

import { Tribute, TRIBUTE_NAME_MAX_LENGTH } from './tribute.js';

export { Tribute, TRIBUTE_NAME_MAX_LENGTH };

/**
 * One step of a campaign's monthly ask: to a donor who chose at least `amount` once, the chooser offers `monthly`
 * a month instead. The highest `amount` at or below the chosen one applies (see upsellFor).
 */
export const UpsellStep = /* @__PURE__ */ onFirstUse(() => z.object({ amount: z.int().check(z.positive()), monthly: z.int().check(z.positive()) }));
export type UpsellStep = z.infer<typeof UpsellStep>;

/** A campaign's monthly ask, by ascending one-time amount, each amount once. */
export const Upsell = /* @__PURE__ */ onFirstUse(() => z.array(UpsellStep).check(
  z.maxLength(8),
  z.refine((steps) => steps.every((step, i) => i === 0 || (steps[i - 1]?.amount ?? 0) < step.amount), 'Upsell amounts must be given once each, smallest first.'),
));
export type Upsell = z.infer<typeof Upsell>;

/** The appeal's settings an admin may leave out: what a campaign made before they existed reads as. */
export const APPEAL_DEFAULTS = { defaultFrequency: 'once', thankDays: 90, snoozeDays: 14 } as const;

/**
 * A campaign's title as an admin sets it: shown on the banner and the chooser, and put in the Subject of every
 * receipt, so it is one line: no C0 or C1 control characters (CR, LF, tab...) and no U+2028/U+2029 line or
 * paragraph separators, which would break the Subject header or forge lines in the text part.
 */
export const CampaignTitle = /* @__PURE__ */ onFirstUse(() => z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(CAMPAIGN_TITLE_MAX_LENGTH),
    z.refine((s) => !hasControlCharacters(s), 'A campaign title must be one line: no line breaks or other control characters.'),
  ));

/** What an admin sets (the admin CLI's `campaign create`, the smoke test), as saveCampaign accepts it. */
export const CampaignSettings = /* @__PURE__ */ onFirstUse(() => z.object({
  id: CampaignId,
  title: CampaignTitle,
  currency: CurrencyCode,
  goal: z.int().check(z.gte(0)),
  open: z.boolean(),
  suggestedAmounts: z.array(z.int().check(z.positive())).check(z.maxLength(8)),
  minAmount: z.int().check(z.positive()),
  maxAmount: z.int().check(z.positive()),
  /** The frequency the chooser (and the banner) starts on: monthly-first asks raise more monthly gifts. */
  defaultFrequency: z.optional(Frequency),
  /** The monthly ask offered after a one-time amount is chosen (see UpsellStep); none when absent or empty. */
  upsell: z.optional(Upsell),
  /** Days the embed thanks a browser that gave, instead of asking again (APPEAL_DEFAULTS when absent). */
  thankDays: z.optional(z.int().check(z.gte(0), z.lte(3650))),
  /** Days the embed stays hidden after its close button (APPEAL_DEFAULTS when absent). */
  snoozeDays: z.optional(z.int().check(z.gte(0), z.lte(3650))),
}));
export type CampaignSettings = z.infer<typeof CampaignSettings>;

/** A campaign's settings (set by admins) and its totals (kept by the ledger, never written by admins). */
export const Campaign = /* @__PURE__ */ onFirstUse(() => z.extend(CampaignSettings, {
  /**
   * How many items the totals are spread over (fixed when the campaign is created), so that hundreds of gifts a
   * second neither exceed one item's write rate nor collide in transactions.
   */
  shards: z.int().check(z.gte(1), z.lte(MAX_SHARDS)),
  raised: z.int(),
  donations: z.int(),
  donors: z.int(),
  /** The fees donors chose to cover, within `raised` (absent: none yet). */
  feesCovered: z.optional(z.int()),
  createdAt: instant(),
  updatedAt: instant(),
}));
export type Campaign = z.infer<typeof Campaign>;

/** The monthly amount a campaign offers instead of a one-time `amount`; undefined when no step applies. */
export const upsellFor = (campaign: Pick<CampaignSettings, 'upsell'>, amount: number): number | undefined =>
  (campaign.upsell ?? []).filter((step) => step.amount <= amount).at(-1)?.monthly;
/**
 * A campaign's currency is fixed when it is created: its totals, its gifts' receipts and its refunds are all in
 * that currency, and a gift in another one is never counted. Thrown by CampaignRepository.saveSettings.
 */
export class CampaignCurrencyLockedError extends DomainError {
  readonly code = 'currency_locked';
  constructor(
    readonly campaign: string,
    readonly currency: string,
    options?: ErrorOptions,
  ) {
    super(
      `Campaign ${campaign} takes gifts in ${currency.toUpperCase()}: a campaign's currency cannot change once it is created. Create a new campaign for another currency.`,
      { ...options, field: 'currency' },
    );
  }
}

/** The stored campaign without its totals. */
export const CampaignRecord = /* @__PURE__ */ onFirstUse(() => z.omit(Campaign, { raised: true, donations: true, donors: true, feesCovered: true }));
export type CampaignRecord = z.infer<typeof CampaignRecord>;

/** What a gift has added to its campaign's totals so far (or, when `unassigned`, to the unassigned totals). */
export const Contribution = /* @__PURE__ */ onFirstUse(() => z.object({
  raised: z.int(),
  donations: z.int(),
  donor: z.boolean(),
  /** The part of `raised` that is a fee the donor covered (absent: none). */
  feesCovered: z.optional(z.int()),
  /**
   * Counted in the unassigned totals of the gift's currency: paid, but no campaign can count it (its campaign is
   * unknown, or takes another currency). A donor is never counted there.
   */
  unassigned: z.optional(z.literal(true)),
}));
export type Contribution = z.infer<typeof Contribution>;

/** One refund of a gift, by Stripe's refund id. A failed (or canceled) refund gives the money back for good. */
export const Refund = /* @__PURE__ */ onFirstUse(() => z.object({ amount: z.int().check(z.gte(0)), failed: z.optional(z.literal(true)) }));
export type Refund = z.infer<typeof Refund>;

/** A refund as one Stripe event reports it. */
export interface RefundReport {
  id: string;
  amount: number;
  /** The refund failed or was canceled: the money stays with the payment. */
  failed: boolean;
}

export const GiftStatus = /* @__PURE__ */ onFirstUse(() => z.enum(['unknown', 'processing', 'paid', 'failed']));
export type GiftStatus = z.infer<typeof GiftStatus>;

/**
 * One payment, keyed by Stripe's payment intent id: a one-time gift, or one month of a monthly gift. Events about
 * it, in any order and any number of times, only ever move it forward.
 */
export const Gift = /* @__PURE__ */ onFirstUse(() => z.object({
  key: z.string(),
  status: GiftStatus,
  campaign: z.optional(z.string()),
  amount: z.optional(z.int().check(z.gte(0))),
  currency: z.optional(z.string()),
  frequency: z.optional(Frequency),
  /** The donor's address in its canonical form (see EmailAddress); absent when Stripe gave none we could mail. */
  donorEmail: z.optional(z.string()),
  donorName: z.optional(z.string()),
  subscribe: z.optional(z.boolean()),
  checkoutSession: z.optional(z.string()),
  invoice: z.optional(z.string()),
  subscription: z.optional(z.string()),
  /** The Stripe customer paying a monthly gift: its receipts link to that customer's Customer Portal. */
  customer: z.optional(z.string()),
  /**
   * Net refunded amount: what the refunds that have not failed took back (see `netRefunded`), derived from
   * `refunds` and `refundedFloor` on every change.
   */
  refunded: z.int().check(z.gte(0)),
  /**
   * The largest cumulative `amount_refunded` seen on a `charge.refunded` event: refunds we may not know one by one
   * (Stripe's charge event need not list them). A refund that fails later is taken off it.
   */
  refundedFloor: z.optional(z.int().check(z.gte(0))),
  /** Each refund of the payment by Stripe's refund id: its amount, and `failed` once it failed or was canceled (final). */
  refunds: z.optional(z.record(z.string(), Refund)),
  /** Whether Stripe holds the money back now: a dispute is open or lost (a won one counts again). */
  disputed: z.boolean(),
  /** Each dispute of the payment by Stripe's dispute id (a gift has few), at the furthest state seen. */
  disputes: z.optional(z.record(z.string(), z.enum(['open', 'won', 'lost']))),
  createdAt: instant(),
  updatedAt: instant(),
  paidAt: z.optional(instant()),
  /** What this gift has added to its campaign's totals: changed only in the same transaction as the totals. */
  contributed: Contribution,
  /** The donor's language, from the checkout's metadata: their receipt and newsletter opt-in speak it. */
  lang: z.optional(z.enum(LANGUAGES)),
  /** The part of `amount` (what was charged) that is the payment fee the donor chose to cover: the gift is the rest. */
  feeCovered: z.optional(z.int().check(z.gte(0))),
  /** In honour or in memory of someone, as the donor wrote it at checkout. */
  tribute: z.optional(Tribute),
  /** The donor asked that their name appear on no public surface. */
  anonymous: z.optional(z.boolean()),
  receiptQueued: z.boolean(),
  signupQueued: z.boolean(),
  version: z.int().check(z.gte(0)),
  /** Where the gift came from (the page, referrer, UTM fields, component, variant), from its checkout's metadata. */
  attribution: z.optional(Attribution),
  /**
   * The payment its checkout took: a one-time gift, or a monthly gift's first month (not the months after). An
   * appeal's results and the attribution counters count these: what a page view led to.
   */
  firstPayment: z.optional(z.boolean()),
  /** The donor's Gift Aid declaration, made at this gift's checkout (GBP gifts on a site that claims Gift Aid). */
  giftAid: z.optional(GiftAidDeclaration),
}));
export type Gift = z.infer<typeof Gift>;

export type DisputeState = 'open' | 'won' | 'lost';

/** What a Stripe event means for us, after the adapter has verified and read it. */
export type PaymentEvent =
  | {
      kind: 'payment';
      key: string;
      status: 'paid' | 'processing' | 'failed';
      campaign?: string | undefined;
      frequency: Frequency;
      amount: number;
      currency: string;
      /** The donor's address, in its canonical form (see EmailAddress). */
      email?: EmailAddress | undefined;
      name?: string | undefined;
      subscribe: boolean;
      checkoutSession?: string | undefined;
      invoice?: string | undefined;
      subscription?: string | undefined;
      /** The Stripe customer of a monthly payment (whose Customer Portal manages the gift). */
      customer?: string | undefined;
      /** The donor's newsletter choice applies once: on a one-time gift, or the first month of a monthly one. */
      offersSignup: boolean;
      /** The language the donor gave in (the checkout's metadata), when it is one of ours. */
      lang?: Language | undefined;
      /** The fee the donor covered, within `amount` (the checkout's metadata). */
      feeCovered?: number | undefined;
      tribute?: Tribute | undefined;
      anonymous?: boolean | undefined;
      at: Date;
      /** Where the gift came from (the checkout's metadata). */
      attribution?: Attribution | undefined;
      /** The Gift Aid declaration the donor made at checkout, with the name and home address Checkout collected. */
      giftAid?: GiftAidDeclaration | undefined;
      /** A monthly payment whose checkout took a Gift Aid declaration: it is the monthly gift's (MonthlyGifts). */
      monthlyGiftAid?: boolean | undefined;
    }
  /**
   * What an event says about a payment's refunds: `refunded`, the charge's cumulative `amount_refunded` when the
   * event is a charge (a lower bound: it counts refunds that may fail later), and `refunds`, each refund it names.
   */
  | { kind: 'refund'; key: string; refunded?: number | undefined; refunds?: RefundReport[] | undefined; at: Date }
  /** A dispute opened (or its funds withdrawn), or closed won (funds reinstated) or lost. */
  | { kind: 'dispute'; key: string; dispute: string; state: DisputeState; at: Date }
  | {
      kind: 'subscription';
      subscription: string;
      status: 'active' | 'ended';
      campaign?: string | undefined;
      at: Date;
      /** The Gift Aid declaration made at the monthly gift's checkout, which covers each of its payments. */
      giftAid?: GiftAidDeclaration | undefined;
      /** Why Stripe ended it, when it gave up collecting (`cancellation_details.reason` `payment_failed`). */
      endedFor?: 'payment_failed' | undefined;
      /** The donor's address and language (a monthly gift that Stripe ended for non-payment: its "ended" email). */
      email?: EmailAddress | undefined;
      lang?: Language | undefined;
    }
  /**
   * A monthly payment that failed (`invoice.payment_failed` of a renewal): the donor is told once per invoice, with
   * the link to change the card, while Stripe will still retry it (`willRetry`).
   */
  | {
      kind: 'payment-failed';
      invoice: string;
      subscription?: string | undefined;
      campaign?: string | undefined;
      customer?: string | undefined;
      email?: EmailAddress | undefined;
      amount: number;
      currency: string;
      lang?: Language | undefined;
      willRetry: boolean;
      at: Date;
    }
  | { kind: 'ignored'; reason: string };

/** How Checkout is shown: Stripe's page (the default), or Stripe's embedded form in the page the donor is on. */
export const CheckoutMode = /* @__PURE__ */ onFirstUse(() => z.enum(['redirect', 'embedded']));
export type CheckoutMode = z.infer<typeof CheckoutMode>;

export const CheckoutRequest = /* @__PURE__ */ onFirstUse(() => z.object({
  campaign: CampaignId,
  amount: z
    .number({ error: 'The amount must be a whole number of minor units.' })
    .check(z.refine(Number.isSafeInteger, 'The amount must be a whole number of minor units.')),
  currency: CurrencyCode,
  frequency: z._default(Frequency, 'once'),
  email: z.optional(z.string().check(z.maxLength(320))),
  subscribe: z._default(z.boolean(), false),
  /** The donor's language: Checkout's, the pages it returns to, the receipt's and the opt-in's (contract extension). */
  lang: RequestedLanguage,
  /** The donor adds the payment fee, so that all of `amount` reaches the campaign (see fees.ts). */
  coverFee: z._default(z.boolean(), false),
  tribute: z.optional(Tribute),
  /** The donor's name appears on no public surface (it stays on their receipt and in the admins' export). */
  anonymous: z._default(z.boolean(), false),
  mode: z._default(CheckoutMode, 'redirect'),
  /**
   * Embedded mode: the page the donor is on, where Stripe brings them back after paying. Only a page on one of the
   * site's origins (no open redirect); the built-in thank-you page when absent.
   */
  returnUrl: z.optional(z.string().check(z.maxLength(2000))),
  /** The page the gift was made from (its origin and path are kept) and where the reader came from (API.md). */
  source: SourceField,
  ...attributionFieldSchemas(),
  /**
   * The donor makes HMRC's Gift Aid declaration (a GBP campaign on a site that claims Gift Aid): Checkout then collects
   * their name and home address.
   */
  giftAid: z._default(z.boolean(), false),
}));
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;
