import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoCampaignRepository, DynamoGiftLedger, DynamoMonthlyGifts } from '../adapters/dynamo-donations.js';
import type { SecretSource } from '../adapters/secret-values.js';
import { SqsSignupAndMailQueue } from '../adapters/sqs-signup-and-mail-queue.js';
import { StripePaymentEvents } from '../adapters/stripe-payment-events.js';
import type { GiftDeps } from '../core/donations/gifts.js';
import type { WebhookDeps } from './routes.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import type { WebhookConfig } from '../configs.js';
import { brandOf } from '../platform/config.js';
import { stripeAndKeys } from '../platform/wiring/stripe.js';

/** The Stripe webhook's dependencies: the gift ledger, the mail queue (receipts, opt-ins), Stripe, the signing key. */
export const buildStripeWebhook = async (config: WebhookConfig, clients: ClientOptions, secrets: SecretSource) => {
  const { keys, stripe, webhookSecret, livemode } = await stripeAndKeys(config, secrets);
  const dynamo = documentClient(clients);
  const table = config.DONATIONS_TABLE_NAME;
  const gifts: GiftDeps = {
    clock: systemClock,
    gifts: new DynamoGiftLedger(dynamo, table),
    campaigns: new DynamoCampaignRepository(dynamo, table, config.COUNTER_SHARDS),
    monthly: new DynamoMonthlyGifts(dynamo, table),
    queue: new SqsSignupAndMailQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), config.SIGNUP_AND_MAIL_QUEUE_URL),
    keys,
    settings: {
      siteName: config.SITE_NAME,
      apiBaseUrl: config.PUBLIC_API_URL,
      consentVersion: config.CONSENT_VERSION,
      defaultList: config.DEFAULT_LIST,
    },
  };
  const deps: WebhookDeps = { gifts, events: new StripePaymentEvents(stripe, webhookSecret, livemode) };
  return { deps, options: { siteName: config.SITE_NAME, brand: brandOf(config) } };
};
