import * as z from 'zod/mini';
import { instant } from '../shared/schema.js';
import { EmailAddress } from '../shared/email-address.js';
import { LanguageCode, SignupRequest } from '../subscriptions/model.js';

export const OutgoingEmail = z.object({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  headers: z.record(z.string(), z.string()),
});

export type OutgoingEmail = z.infer<typeof OutgoingEmail>;

/** What a receipt says about one counted payment: the facts of the gift, not its wording. */
export const ReceiptGift = z.object({
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
   * Absent on one-time gifts and in intents queued before it existed (their receipts go out without the link).
   */
  customer: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  /** The donor's language, as they gave (the checkout's `lang`): the receipt speaks it. English when absent. */
  lang: z.optional(LanguageCode),
});

export type ReceiptGift = z.infer<typeof ReceiptGift>;

/**
 * What producers put on the mail queue: an intent, rendered by the mail worker (which holds the templates and
 * the settings they need), so that every email leaves through one path and a slow SES never slows a request.
 */
export const MailIntent = z.discriminatedUnion('kind', [
  /** Apply a signup and send what it calls for (a confirmation or an "already subscribed" note). */
  z.object({ kind: z.literal('signup'), id: z.string(), request: SignupRequest }),
  /** Welcome a confirmed subscriber, once per opt-in round. */
  z.object({ kind: z.literal('welcome'), id: z.string(), email: EmailAddress, name: z.optional(z.string()), round: z.string(), lang: z.optional(LanguageCode) }),
  /** Thank a donor for one counted payment, once per payment. */
  z.object({ kind: z.literal('receipt'), id: z.string(), gift: ReceiptGift }),
]);

export type MailIntent = z.infer<typeof MailIntent>;

/**
 * A message as the worker reads it: an intent, or an email rendered by a producer before intents existed.
 * The rendered shape is still accepted, and sent as before, so that a deploy strands no queued mail.
 */
export const MailJob = z.union([
  MailIntent,
  z.object({ kind: z.literal('email'), id: z.string(), dedupeKey: z.optional(z.string()), email: OutgoingEmail }),
]);

export type MailJob = z.infer<typeof MailJob>;
