import * as z from 'zod/mini';
import { httpUrl, nonEmpty, onFirstUse, wholeNumber } from '../core/shared/schema.js';
import { CurrencyCode } from '../core/donations/campaign.js';
import { DEFAULT_FEE_RATES, FeeRates } from '../core/donations/fees.js';
import { BaseConfig, COUNTER_SHARDS, flag, GIFT_AID, listOf, optionalUrl, positiveInt, SITE_TIME_ZONE, TAX_YEAR_START } from '../platform/config.js';
import { EVENT_COUNTER_SHARDS } from '../event-counter/config.js';

/** The currencies checkout accepts (a campaign is created in one of them): the console's campaign form reads them too. */
export const CURRENCIES = /* @__PURE__ */ onFirstUse(() => z._default(listOf(CurrencyCode), ['usd', 'eur', 'gbp']));

/** Donations: campaign progress and Stripe Checkout. */
export const DonationConfig = /* @__PURE__ */ onFirstUse(() => z.extend(BaseConfig, {
  DONATIONS_TABLE_NAME: nonEmpty(),
  /** Secrets Manager secret holding `{"secretKey": "sk_…", "webhookSecret": "whsec_…"}`. */
  STRIPE_SECRET_ID: nonEmpty(),
  /** Only for a stand-in of the Stripe API (the dev server's simulator). */
  STRIPE_API_URL: optionalUrl,
  CURRENCIES,
  DONATION_SUCCESS_URL: optionalUrl,
  DONATION_CANCEL_URL: optionalUrl,
  CHECKOUT_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 10),
  /** How long the donations function keeps a campaign's progress between reads (0: no cache). */
  CAMPAIGN_CACHE_SECONDS: z._default(wholeNumber(0, 60), 5),
  COUNTER_SHARDS,
  /** Each currency's payment fee, for donors who cover it: `currency:rate+fixed`, comma-separated (see fees.ts). */
  FEE_RATES: z.prefault(FeeRates, DEFAULT_FEE_RATES),
  /** Whether the site offers Stripe's embedded Checkout in its pages (`mode: "embedded"`); redirect is the default. */
  EMBEDDED_CHECKOUT: z._default(flag(), false),
  /** The Stripe account's publishable key (`pk_…`), which Stripe.js needs; required with EMBEDDED_CHECKOUT. */
  STRIPE_PUBLISHABLE_KEY: z.optional(z.string().check(z.regex(/^pk_(test|live)_[A-Za-z0-9_]+$/, 'A Stripe publishable key, pk_test_… or pk_live_….'))),
  /** Only for a stand-in of Stripe.js (the dev server's simulator). */
  STRIPE_JS_URL: optionalUrl,
  /** The origins of the site's pages (comma-separated), besides SITE_URL's: embedded Checkout returns donors only to them. */
  SITE_ORIGINS: z._default(listOf(httpUrl()), []),
  /** The event counters' shards (as the event counter's): an experiment that follows its results reads them. */
  EVENT_COUNTER_SHARDS,
  /** The charity a giving statement names, with its registration (as on receipts). */
  CHARITY_NAME: nonEmpty(),
  CHARITY_REGISTRATION: nonEmpty(),
  /** A giving statement's days are the site's; its year begins on TAX_YEAR_START. */
  SITE_TIME_ZONE,
  TAX_YEAR_START,
  /** `true`: donors to a GBP campaign may add Gift Aid (HMRC's declaration; Checkout collects their home address). */
  GIFT_AID,
}).check(
  z.refine((c) => !c.EMBEDDED_CHECKOUT || c.STRIPE_PUBLISHABLE_KEY !== undefined, {
    message: 'EMBEDDED_CHECKOUT needs STRIPE_PUBLISHABLE_KEY: Stripe.js cannot start without it.',
    path: ['STRIPE_PUBLISHABLE_KEY'],
  }),
));
export type DonationConfig = z.infer<typeof DonationConfig>;

/** Stripe.js, from Stripe (the versioned script of the API version the `stripe` package pins). */
export const STRIPE_JS_URL = 'https://js.stripe.com/endive/stripe.js';
