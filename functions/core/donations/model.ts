import * as z from 'zod';
import type { EmailAddress } from '../shared/email-address.js';
import { DomainError } from '../shared/errors.js';
import { MAX_SHARDS } from '../subscriptions/counting.js';

export const CurrencyCode = z.string().regex(/^[a-z]{3}$/, 'A lowercase ISO 4217 code, such as usd.');
export const CampaignId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Lowercase letters, digits and dashes.');
export const Frequency = z.enum(['once', 'monthly']);
export type Frequency = z.infer<typeof Frequency>;

/** A campaign's settings (set by admins) and its totals (kept by the ledger, never written by admins). */
export const Campaign = z.object({
  id: CampaignId,
  title: z.string().min(1).max(200),
  currency: CurrencyCode,
  goal: z.number().int().nonnegative(),
  open: z.boolean(),
  suggestedAmounts: z.array(z.number().int().positive()).max(8),
  minAmount: z.number().int().positive(),
  maxAmount: z.number().int().positive(),
  /**
   * How many items the totals are spread over (fixed when the campaign is created), so that hundreds of gifts a
   * second neither exceed one item's write rate nor collide in transactions.
   */
  shards: z.number().int().min(1).max(MAX_SHARDS),
  raised: z.number().int(),
  donations: z.number().int(),
  donors: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Campaign = z.infer<typeof Campaign>;
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

/** What an admin sets. */
export type CampaignSettings = Omit<Campaign, 'shards' | 'raised' | 'donations' | 'donors' | 'createdAt' | 'updatedAt'>;
/** The stored campaign without its totals. */
export const CampaignRecord = Campaign.omit({ raised: true, donations: true, donors: true });
export type CampaignRecord = z.infer<typeof CampaignRecord>;

/** What a gift has added to its campaign's totals so far. */
export const Contribution = z.object({
  raised: z.number().int(),
  donations: z.number().int(),
  donor: z.boolean(),
});
export type Contribution = z.infer<typeof Contribution>;

/** One refund of a gift, by Stripe's refund id. A failed (or canceled) refund gives the money back for good. */
export const Refund = z.object({ amount: z.number().int().nonnegative(), failed: z.literal(true).optional() });
export type Refund = z.infer<typeof Refund>;

/** A refund as one Stripe event reports it. */
export interface RefundReport {
  id: string;
  amount: number;
  /** The refund failed or was canceled: the money stays with the payment. */
  failed: boolean;
}

export const GiftStatus = z.enum(['unknown', 'processing', 'paid', 'failed']);
export type GiftStatus = z.infer<typeof GiftStatus>;

/**
 * One payment, keyed by Stripe's payment intent id: a one-time gift, or one month of a monthly gift. Events about
 * it, in any order and any number of times, only ever move it forward.
 */
export const Gift = z.object({
  key: z.string(),
  status: GiftStatus,
  campaign: z.string().optional(),
  amount: z.number().int().nonnegative().optional(),
  currency: z.string().optional(),
  frequency: Frequency.optional(),
  donorEmail: z.string().optional(),
  donorName: z.string().optional(),
  subscribe: z.boolean().optional(),
  checkoutSession: z.string().optional(),
  invoice: z.string().optional(),
  subscription: z.string().optional(),
  /**
   * Net refunded amount: what the refunds that have not failed took back (see `netRefunded`), derived from
   * `refunds` and `refundedFloor` on every change. On gifts stored before refunds were kept one by one, it is the
   * largest cumulative figure seen and is read as the floor.
   */
  refunded: z.number().int().nonnegative(),
  /**
   * The largest cumulative `amount_refunded` seen on a `charge.refunded` event: refunds we may not know one by one
   * (Stripe's charge event need not list them). A refund that fails later is taken off it.
   */
  refundedFloor: z.number().int().nonnegative().optional(),
  /** Each refund of the payment by Stripe's refund id: its amount, and `failed` once it failed or was canceled (final). */
  refunds: z.record(z.string(), Refund).optional(),
  /** Whether Stripe holds the money back now: a dispute is open or lost (a won one counts again). */
  disputed: z.boolean(),
  /** Each dispute of the payment by Stripe's dispute id (a gift has few), at the furthest state seen. */
  disputes: z.record(z.string(), z.enum(['open', 'won', 'lost'])).optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  paidAt: z.iso.datetime().optional(),
  /** What this gift has added to its campaign's totals: changed only in the same transaction as the totals. */
  contributed: Contribution,
  receiptQueued: z.boolean(),
  signupQueued: z.boolean(),
  version: z.number().int().nonnegative(),
});
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
      /** The donor's newsletter choice applies once: on a one-time gift, or the first month of a monthly one. */
      offersSignup: boolean;
      at: Date;
    }
  /**
   * What an event says about a payment's refunds: `refunded`, the charge's cumulative `amount_refunded` when the
   * event is a charge (a lower bound: it counts refunds that may fail later), and `refunds`, each refund it names.
   */
  | { kind: 'refund'; key: string; refunded?: number | undefined; refunds?: RefundReport[] | undefined; at: Date }
  /** A dispute opened (or its funds withdrawn), or closed won (funds reinstated) or lost. */
  | { kind: 'dispute'; key: string; dispute: string; state: DisputeState; at: Date }
  | { kind: 'subscription'; subscription: string; status: 'active' | 'ended'; campaign?: string | undefined; at: Date }
  | { kind: 'ignored'; reason: string };

export const CheckoutRequest = z.object({
  campaign: CampaignId,
  amount: z.number({ error: 'The amount must be a whole number of minor units.' }).int('The amount must be a whole number of minor units.'),
  currency: CurrencyCode,
  frequency: Frequency.default('once'),
  email: z.string().max(320).optional(),
  subscribe: z.boolean().default(false),
});
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;
