import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';
import { EmailAddress } from '../shared/email-address.js';
import { LanguageCode, SignupRequest } from '../subscriptions/model.js';
import { MonthlyEndedIntent, PaymentFailedIntent } from '../donors/intents.js';
import { Tribute } from '../donations/tribute.js';

/** An email as the worker renders it and the mailer sends it. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

/** What a receipt says about one counted payment: the facts of the gift, not its wording. */
export const ReceiptGift = /* @__PURE__ */ onFirstUse(() => z.object({
  /** The payment intent id: the receipt's reference and its dedupe key (`receipt:<reference>`). */
  reference: z.string().check(z.minLength(1)),
  email: EmailAddress,
  name: z.optional(z.string()),
  campaignTitle: z.string(),
  amount: z.int().check(z.gte(0)),
  currency: z.string(),
  monthly: z.boolean(),
  paidAt: instant(),
  /**
   * The Stripe customer of a monthly gift: its receipt carries a signed link to that customer's Customer Portal.
   * Absent on one-time gifts, and on a monthly one whose invoice named no customer (its receipt has no link).
   */
  customer: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  /** The donor's language, as they gave (the checkout's `lang`): the receipt speaks it. English when absent. */
  lang: z.optional(LanguageCode),
  /** The part of `amount` (what was charged) that is the fee the donor covered: the receipt shows both lines. */
  feeCovered: z.optional(z.int().check(z.gte(0))),
  /** In honour or in memory of someone, as the donor wrote it. */
  tribute: z.optional(Tribute),
  /** The donor made a Gift Aid declaration with this gift: the receipt says so, with the signed link to cancel it. */
  giftAid: z.optional(z.literal(true)),
}));

export type ReceiptGift = z.infer<typeof ReceiptGift>;

/**
 * What producers put on the mail queue: an intent, rendered by the mail worker (which holds the templates and
 * the settings they need), so that every email leaves through one path and a slow SES never slows a request.
 */
export const MailIntent = /* @__PURE__ */ onFirstUse(() => z.discriminatedUnion('kind', [
  /** Apply a signup and send what it calls for (a confirmation or an "already subscribed" note). */
  z.object({ kind: z.literal('signup'), id: z.string(), request: SignupRequest }),
  /** Welcome a confirmed subscriber, once per opt-in round. */
  z.object({ kind: z.literal('welcome'), id: z.string(), email: EmailAddress, name: z.optional(z.string()), round: z.string(), lang: z.optional(LanguageCode) }),
  /** Thank a donor for one counted payment, once per payment. */
  z.object({ kind: z.literal('receipt'), id: z.string(), gift: ReceiptGift }),
  /**
   * Mail a console sign-in link to this address if it is an editor's (the worker looks it up, so that the request
   * does the same work for any address); in the language of the page it was asked from, unless the editor has one.
   */
  z.object({ kind: z.literal('console-signin'), id: z.string(), email: EmailAddress, lang: z.optional(LanguageCode) }),
  /** Tell a monthly donor that a renewal failed (with the link to change the card), once per invoice. */
  PaymentFailedIntent,
  /** Tell a monthly donor that Stripe ended their gift for non-payment, once per subscription. */
  MonthlyEndedIntent,
  /**
   * Tell every admin of the console that a webhook endpoint was disabled after three days of failures, once per
   * disabling (`disabledAt` tells one from the next). `host` is the endpoint URL's host only: a receiver's path or
   * query may carry its own token.
   */
  z.object({ kind: z.literal('webhook-disabled'), id: z.string(), webhookId: z.string().check(z.maxLength(100)), host: z.string().check(z.maxLength(300)), disabledAt: instant() }),
]));

export type MailIntent = z.infer<typeof MailIntent>;
