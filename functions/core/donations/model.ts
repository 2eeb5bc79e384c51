import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';
import type { EmailAddress } from '../shared/email-address.js';
import { LANGUAGES, type Language } from '../shared/i18n/index.js';
import { RequestedLanguage } from '../subscriptions/model.js';
import { Attribution } from '../experiments/attribution.js';
import { GiftAidDeclaration } from './gift-aid.js';
import { Frequency } from './frequency.js';
import { Tribute, TRIBUTE_NAME_MAX_LENGTH } from './tribute.js';

// A campaign and a checkout's request have modules of their own, which the donations function's hot routes load
// without the gifts' schemas; everything else imports them from here.
export * from './campaign.js';
export * from './checkout-request.js';
export { Frequency, RequestedLanguage, Tribute, TRIBUTE_NAME_MAX_LENGTH };

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
