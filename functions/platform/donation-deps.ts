import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoCampaignRepository,
  DynamoCheckoutAttempts,
  DynamoDonorRegistry,
  DynamoGiftLedger,
  DynamoMonthlyGifts,
} from '../adapters/dynamo-donations.js';
import { DynamoRateLimiter } from '../adapters/dynamo-rate-limiter.js';
import { loadSigningKey, loadStripeSecrets } from '../adapters/secrets-manager.js';
import { SqsMailQueue } from '../adapters/sqs-mail-queue.js';
import { StripePaymentEvents, StripePayments, stripeClient } from '../adapters/stripe-payments.js';
import type { DonationDeps } from '../core/donations.js';
import type { GiftDeps } from '../core/gifts.js';
import { deriveKeys } from '../core/secrets.js';
import { documentClient, systemClock } from './clients.js';
import type { DonationConfig } from './config.js';

/** Everything the donations and webhook functions need, built once per cold start. */
export const donationDeps = async (config: DonationConfig) => {
  const region = config.AWS_REGION;
  const dynamo = documentClient(region);
  const secrets = new SecretsManagerClient({ region });
  const [signingKey, stripeSecrets] = await Promise.all([
    loadSigningKey(secrets, config.SIGNING_SECRET_ID),
    loadStripeSecrets(secrets, config.STRIPE_SECRET_ID),
  ]);
  const stripe = stripeClient({ secretKey: stripeSecrets.secretKey, apiUrl: config.STRIPE_API_URL });
  const table = config.DONATIONS_TABLE_NAME;
  const keys = deriveKeys(signingKey);
  const campaigns = new DynamoCampaignRepository(dynamo, table);
  const donations: DonationDeps = {
    clock: systemClock,
    campaigns,
    attempts: new DynamoCheckoutAttempts(dynamo, table),
    payments: new StripePayments(stripe),
    keys,
    settings: {
      apiBaseUrl: config.PUBLIC_API_URL,
      currencies: config.CURRENCIES,
      successUrl: config.DONATION_SUCCESS_URL,
      cancelUrl: config.DONATION_CANCEL_URL,
    },
  };
  const gifts: GiftDeps = {
    clock: systemClock,
    gifts: new DynamoGiftLedger(dynamo, table),
    campaigns,
    donors: new DynamoDonorRegistry(dynamo, table),
    monthly: new DynamoMonthlyGifts(dynamo, table),
    queue: new SqsMailQueue(new SQSClient({ region }), config.MAIL_QUEUE_URL),
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
  return {
    donations,
    gifts,
    events: new StripePaymentEvents(stripe, stripeSecrets.webhookSecret, config.STRIPE_LIVEMODE),
    rateLimiter: new DynamoRateLimiter(dynamo, table),
  };
};
