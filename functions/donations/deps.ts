import { DynamoCampaignReader, DynamoCheckoutAttempts } from '../adapters/dynamo-campaigns.js';
import { DynamoExperimentReader } from '../adapters/dynamo-experiment-reader.js';
import { DynamoRateLimiter } from '../adapters/dynamo-rate-limiter.js';
import type { SecretSource } from '../adapters/secret-values.js';
import { StripeCheckout } from '../adapters/stripe-checkout.js';
import type { DonationConfig } from '../configs.js';
import { CachedCampaigns } from '../core/donations/campaign-cache.js';
import type { DonationDeps } from '../core/donations/checkout.js';
import type { Payments } from '../core/donations/ports.js';
import type { GiftAidCancellations } from '../core/donations/gift-aid-cancel.js';
import type { StatementPageDeps } from '../core/donors/statements.js';
import { cachedExperiments } from '../core/experiments/events.js';
import type { VariantLookup } from '../core/experiments/results.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import { brandOf } from '../platform/config.js';
import { onDemand } from '../platform/on-demand.js';
import { stripeAndKeys } from '../platform/wiring/stripe.js';
import { STRIPE_JS_URL } from './config.js';
import { type DonationRoutesOptions, sections } from './routes.js';

/** The origins embedded Checkout may bring a donor back to: the site's home page's and SITE_ORIGINS. */
const returnOrigins = (config: DonationConfig) =>
  [...new Set([...(config.SITE_URL ? [config.SITE_URL] : []), ...config.SITE_ORIGINS].map((url) => new URL(url).origin))];

/**
 * The donations function's dependencies: the donations table, the Stripe account (its secret re-read as it ages), the
 * signing key. What only some requests need comes with the module the link routes load on first use (sections): the
 * rare links' stores, and the allocation of an experiment that follows its results.
 */
export const buildDonations = async (config: DonationConfig, clients: ClientOptions, secrets: SecretSource) => {
  const { keys, account } = await stripeAndKeys(config, secrets);
  const dynamo = documentClient(clients);
  const table = config.DONATIONS_TABLE_NAME;
  const campaigns = new DynamoCampaignReader(dynamo, table, config.COUNTER_SHARDS);
  const experiments = new DynamoExperimentReader(dynamo, table);
  // A campaign's variants are kept as long as its progress (a changed variant reaches the embed as soon as its total).
  const experimentOf = cachedExperiments((campaign) => experiments.get(campaign), systemClock, config.CAMPAIGN_CACHE_SECONDS);
  // An experiment that follows its results (Thompson sampling) is allocated from its counters, with the statistics
  // loaded with the first such campaign's view (servedVariants keeps each allocation a minute).
  const followed = onDemand<{ variants: VariantLookup }>(async () => {
    const { DynamoEventCounters, DynamoVariantGiftCounters, servedVariants } = await sections();
    const events = new DynamoEventCounters(dynamo, table, config.EVENT_COUNTER_SHARDS);
    return { variants: servedVariants({ clock: systemClock, experiments: experimentOf, events, gifts: new DynamoVariantGiftCounters(dynamo, table) }) };
  });
  // Any other campaign's variants are its experiment's as stored (none without one: the answer then holds the
  // control alone), as servedVariants serves them.
  const variants: VariantLookup = async (campaign) => {
    const experiment = await experimentOf(campaign);
    return experiment?.allocation === 'thompson' ? followed.variants(campaign) : experiment?.variants;
  };
  // A checkout is Stripe's on the hot path; what a Checkout Session was for (the thank-you page) and the Customer
  // Portal (the manage link) come with the module the link routes load.
  const connection = () => account.connection();
  const checkouts = new StripeCheckout(connection);
  const later = onDemand<Pick<Payments, 'describeCheckout' | 'createPortalSession'>>(async () => new (await sections()).StripePayments(connection));
  const payments: Payments = {
    createCheckout: (params, idempotencyKey) => checkouts.createCheckout(params, idempotencyKey),
    describeCheckout: (sessionId) => later.describeCheckout(sessionId),
    createPortalSession: (customer, returnUrl) => later.createPortalSession(customer, returnUrl),
  };
  const deps: DonationDeps = {
    clock: systemClock,
    campaigns: new CachedCampaigns(campaigns, systemClock, config.CAMPAIGN_CACHE_SECONDS),
    attempts: new DynamoCheckoutAttempts(dynamo, table),
    payments,
    keys,
    settings: {
      apiBaseUrl: config.PUBLIC_API_URL,
      currencies: config.CURRENCIES,
      successUrl: config.DONATION_SUCCESS_URL,
      cancelUrl: config.DONATION_CANCEL_URL,
      // The Customer Portal's way back: the site's home page (the built-in donation page when there is none).
      manageReturnUrl: config.SITE_URL,
      feeRates: config.FEE_RATES,
      giftAid: config.GIFT_AID,
      embedded:
        config.EMBEDDED_CHECKOUT && config.STRIPE_PUBLISHABLE_KEY
          ? {
              publishableKey: config.STRIPE_PUBLISHABLE_KEY,
              stripeJsUrl: config.STRIPE_JS_URL ?? STRIPE_JS_URL,
              returnOrigins: returnOrigins(config),
            }
          : undefined,
    },
    variants,
  };
  const options: DonationRoutesOptions = {
    siteName: config.SITE_NAME,
    brand: brandOf(config),
    rateLimiter: new DynamoRateLimiter(dynamo, table),
    charityName: config.CHARITY_NAME,
    // Kept even when GIFT_AID is turned off: a donor may still cancel a declaration made while it was on.
    giftAidCancellations: onDemand<GiftAidCancellations>(async () => new (await sections()).DynamoGiftAidCancellations(dynamo, table)),
    checkoutLimit: { name: 'checkout-client', limit: config.CHECKOUT_CLIENT_LIMIT_PER_MINUTE, windowSeconds: 60 },
    // Until the Stripe secret is filled in, the donation routes answer 503 (and pick it up within minutes once it is).
    ready: () => account.connection(),
    statements: {
      keys,
      clock: systemClock,
      donorGifts: onDemand<StatementPageDeps['donorGifts']>(async () => new (await sections()).DynamoDonorGifts(dynamo, table)),
      campaignTitle: async (id) => (await deps.campaigns.get(id))?.title,
      settings: { taxYearStart: config.TAX_YEAR_START, timeZone: config.SITE_TIME_ZONE },
      charity: { name: config.CHARITY_NAME, registration: config.CHARITY_REGISTRATION },
    },
  };
  return { deps, options };
};
