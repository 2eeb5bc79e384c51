import * as z from 'zod/mini';
import { nonEmpty } from '../core/shared/schema.js';
import { CurrencyCode } from '../core/donations/model.js';
import { BaseConfig, COUNTER_SHARDS, csv, optionalUrl, positiveInt } from '../platform/config.js';
import { EVENT_COUNTER_SHARDS } from '../event-counter/config.js';

/** Donations: campaign progress and Stripe Checkout. */
export const DonationConfig = z.extend(BaseConfig, {
  DONATIONS_TABLE_NAME: nonEmpty(),
  /** Secrets Manager secret holding `{"secretKey": "sk_…", "webhookSecret": "whsec_…"}`. */
  STRIPE_SECRET_ID: nonEmpty(),
  /** Only for a stand-in of the Stripe API (the dev server's simulator). */
  STRIPE_API_URL: optionalUrl,
  CURRENCIES: z._default(z.pipe(csv, z.array(CurrencyCode).check(z.minLength(1))), ['usd', 'eur', 'gbp']),
  DONATION_SUCCESS_URL: optionalUrl,
  DONATION_CANCEL_URL: optionalUrl,
  CHECKOUT_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 10),
  /** How long the donations function keeps a campaign's progress between reads (0: no cache). */
  CAMPAIGN_CACHE_SECONDS: z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(0), z.lte(60))), 5),
  COUNTER_SHARDS,
  /** The event counters' shards (as the event counter's): an experiment that follows its results reads them. */
  EVENT_COUNTER_SHARDS,
});
export type DonationConfig = z.infer<typeof DonationConfig>;
