import * as z from 'zod/mini';
import { httpUrl, nonEmpty, onFirstUse } from '../core/shared/schema.js';
import { BaseConfig, COUNTER_SHARDS, flag, GIFT_AID, optionalUrl } from '../platform/config.js';

/** The Stripe webhook: the gift ledger, plus receipts and newsletter opt-ins put on the mail queue. */
export const WebhookConfig = /* @__PURE__ */ onFirstUse(() => z.extend(BaseConfig, {
  DONATIONS_TABLE_NAME: nonEmpty(),
  STRIPE_SECRET_ID: nonEmpty(),
  STRIPE_API_URL: optionalUrl,
  COUNTER_SHARDS,
  SIGNUP_AND_MAIL_QUEUE_URL: httpUrl(),
  CONSENT_VERSION: nonEmpty(),
  DEFAULT_LIST: nonEmpty(),
  /** `false` leaves the emails about failed monthly payments, and about a gift ended for them, to Stripe. */
  FAILED_PAYMENT_EMAILS: z._default(flag(), true),
  /** `true`: the Gift Aid declarations of GBP gifts are kept with them (see DonationConfig). */
  GIFT_AID,
}));
export type WebhookConfig = z.infer<typeof WebhookConfig>;
