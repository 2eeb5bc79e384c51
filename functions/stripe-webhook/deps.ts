import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoCampaignSettings, DynamoGiftLedger, DynamoMonthlyGifts } from '../adapters/dynamo-donations.js';
import type { SecretSource } from '../adapters/secret-values.js';
import { SqsSignupAndMailQueue } from '../adapters/sqs-signup-and-mail-queue.js';
import { StripePaymentEvents } from '../adapters/stripe-payment-events.js';
import type { GiftDeps } from '../core/donations/gifts.js';
import type { PaymentEvents } from '../core/donations/ports.js';
import type { WebhookDeps } from './routes.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import type { WebhookConfig } from '../configs.js';
import { brandOf } from '../platform/config.js';
import { type StripeAccount, type StripeConnection, stripeAndKeys } from '../platform/wiring/stripe.js';

/**
 * The webhook's events, verified with the signing secret the Stripe account has now; while it has none, every
 * delivery is answered 503 (DonationsNotConfiguredError) and Stripe delivers it again later.
 */
export class AccountPaymentEvents implements PaymentEvents {
  private last: { connection: StripeConnection; events: StripePaymentEvents } | undefined;

  constructor(private readonly account: StripeAccount) {}

  async read(rawBody: string, signature: string | undefined) {
    const connection = await this.account.connection();
    if (this.last?.connection !== connection) this.last = { connection, events: new StripePaymentEvents(connection.stripe, connection.webhookSecret, connection.livemode) };
    return this.last.events.read(rawBody, signature);
  }
}

/** The Stripe webhook's dependencies: the gift ledger, the mail queue (receipts, opt-ins), Stripe, the signing key. */
export const buildStripeWebhook = async (config: WebhookConfig, clients: ClientOptions, secrets: SecretSource) => {
  const { keys, account } = await stripeAndKeys(config, secrets);
  const dynamo = documentClient(clients);
  const table = config.DONATIONS_TABLE_NAME;
  const gifts: GiftDeps = {
    clock: systemClock,
    gifts: new DynamoGiftLedger(dynamo, table),
    campaigns: new DynamoCampaignSettings(dynamo, table),
    monthly: new DynamoMonthlyGifts(dynamo, table),
    queue: new SqsSignupAndMailQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), config.SIGNUP_AND_MAIL_QUEUE_URL),
    keys,
    settings: {
      siteName: config.SITE_NAME,
      apiBaseUrl: config.PUBLIC_API_URL,
      consentVersion: config.CONSENT_VERSION,
      defaultList: config.DEFAULT_LIST,
      failedPaymentEmails: config.FAILED_PAYMENT_EMAILS,
      giftAid: config.GIFT_AID,
    },
  };
  const deps: WebhookDeps = { gifts, events: new AccountPaymentEvents(account) };
  return { deps, options: { siteName: config.SITE_NAME, brand: brandOf(config) } };
};
