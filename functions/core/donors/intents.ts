import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { EmailAddress } from '../shared/email-address.js';
import { LanguageCode } from '../subscriptions/model.js';

/**
 * The mail queue's intents about a monthly gift in trouble, put there by the Stripe webhook and rendered by the
 * mail worker: each goes to the donor's own address (Stripe's customer), never to one a stranger typed.
 */

/** A renewal that failed while Stripe will still retry it: once per invoice, with the link to change the card. */
export const PaymentFailedIntent = /* @__PURE__ */ onFirstUse(() => z.object({
  kind: z.literal('payment-failed'),
  id: z.string(),
  /** The invoice that failed: the email's dedupe key (`payment-failed:<invoice>`). */
  invoice: z.string().check(z.minLength(1)),
  email: EmailAddress,
  campaignTitle: z.string(),
  amount: z.int().check(z.gte(0)),
  currency: z.string(),
  /** The Stripe customer whose Customer Portal the email's signed link opens (no link without one). */
  customer: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  lang: z.optional(LanguageCode),
}));

/** A monthly gift Stripe ended for non-payment: once per subscription, with a way to give again. */
export const MonthlyEndedIntent = /* @__PURE__ */ onFirstUse(() => z.object({
  kind: z.literal('monthly-ended'),
  id: z.string(),
  /** The monthly gift's subscription: the email's dedupe key (`monthly-ended:<subscription>`). */
  subscription: z.string().check(z.minLength(1)),
  email: EmailAddress,
  campaignTitle: z.string(),
  /** The campaign the "give again" link opens; the site's donation page without one. */
  campaign: z.optional(z.string()),
  lang: z.optional(LanguageCode),
}));

export type PaymentFailedIntent = z.infer<typeof PaymentFailedIntent>;
export type MonthlyEndedIntent = z.infer<typeof MonthlyEndedIntent>;
