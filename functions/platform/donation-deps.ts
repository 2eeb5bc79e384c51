import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoCampaignRepository,
  DynamoCheckoutAttempts,
  DynamoGiftLedger,
  DynamoMonthlyGifts,
} from '../adapters/dynamo-donations.js';
import { DynamoRateLimiter } from '../adapters/dynamo-rate-limiter.js';
import { loadSigningKey, loadStripeSecrets, secretsManagerSource } from '../adapters/secrets-manager.js';
import { SqsMailQueue } from '../adapters/sqs-mail-queue.js';
import { StripePaymentEvents, StripePayments, stripeClient } from '../adapters/stripe-payments.js';
import { CachedCampaigns } from '../core/donations/campaign-cache.js';
import type { DonationDeps } from '../core/donations/checkout.js';
import type { GiftDeps } from '../core/donations/gifts.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { documentClient, systemClock } from './clients.js';
import type { DonationConfig, WebhookConfig } from './config.js';

const clients = async (config: DonationConfig) => {
  const region = config.AWS_REGION;
  const secrets = secretsManagerSource(new SecretsManagerClient({ region }));
  const [signingKey, stripeSecrets] = await Promise.all([
    loadSigningKey(secrets, config.SIGNING_SECRET_ID),
    loadStripeSecrets(secrets, config.STRIPE_SECRET_ID),
  ]);
  const dynamo = documentClient(region);
  return {
    dynamo,
    keys: deriveKeys(signingKey),
    stripe: stripeClient({ secretKey: stripeSecrets.secretKey, apiUrl: config.STRIPE_API_URL }),
    webhookSecret: stripeSecrets.webhookSecret,
    campaigns: new DynamoCampaignRepository(dynamo, config.DONATIONS_TABLE_NAME, config.COUNTER_SHARDS),
  };
};

/** The donations function's dependencies (campaigns, checkout), built once per cold start. */
export const donationDeps = async (config: DonationConfig) => {
  const { dynamo, keys, stripe, campaigns } = await clients(config);
  const donations: DonationDeps = {
    clock: systemClock,
    campaigns: new CachedCampaigns(campaigns, systemClock, config.CAMPAIGN_CACHE_SECONDS),
    attempts: new DynamoCheckoutAttempts(dynamo, config.DONATIONS_TABLE_NAME),
    payments: new StripePayments(stripe),
    keys,
    settings: {
      apiBaseUrl: config.PUBLIC_API_URL,
      currencies: config.CURRENCIES,
      successUrl: config.DONATION_SUCCESS_URL,
      cancelUrl: config.DONATION_CANCEL_URL,
    },
  };
  return { donations, rateLimiter: new DynamoRateLimiter(dynamo, config.DONATIONS_TABLE_NAME) };
};

/** The Stripe webhook's dependencies (the gift ledger, the mail queue), built once per cold start. */
export const webhookDeps = async (config: WebhookConfig) => {
  const { dynamo, keys, stripe, webhookSecret, campaigns } = await clients(config);
  const table = config.DONATIONS_TABLE_NAME;
  const gifts: GiftDeps = {
    clock: systemClock,
    gifts: new DynamoGiftLedger(dynamo, table),
    campaigns,
    monthly: new DynamoMonthlyGifts(dynamo, table),
    queue: new SqsMailQueue(new SQSClient({ region: config.AWS_REGION }), config.MAIL_QUEUE_URL),
    keys,
    settings: {
      siteName: config.SITE_NAME,
      charityName: config.CHARITY_NAME,
      charityRegistration: config.CHARITY_REGISTRATION,
      apiBaseUrl: config.PUBLIC_API_URL,
      consentVersion: config.CONSENT_VERSION,
      defaultList: config.DEFAULT_LIST,
    },
  };
  return { gifts, events: new StripePaymentEvents(stripe, webhookSecret, config.STRIPE_LIVEMODE) };
};
