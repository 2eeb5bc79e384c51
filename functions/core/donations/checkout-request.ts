import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { RequestedLanguage } from '../subscriptions/model.js';
import { attributionFieldSchemas, SourceField } from '../experiments/attribution.js';
import { CampaignId, CurrencyCode } from './campaign.js';
import { Frequency } from './frequency.js';
import { Tribute } from './tribute.js';

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
