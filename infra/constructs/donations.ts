import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DonationConfig, WebhookConfig } from '../../functions/configs.js';
import type { StageConfig } from '../config.js';
import { acceptFinding } from '../nag.js';
import { AppFunction, type Bind, type TableAccess } from './app-function.js';
import { Feature } from './feature.js';
import type { SiteEnvironment } from './site.js';

export interface DonationsProps {
  config: StageConfig;
  site: SiteEnvironment;
  signingSecret: ISecret;
  donationsTable: ITable;
  /** The mailing list's work queue: the webhook puts receipts and donors' opt-ins on it. */
  mailQueue: IQueue;
}

/**
 * Donations through Stripe: campaign progress and Checkout (the donations function), and the Stripe webhook, the
 * only writer of the gift ledger. Both read the Stripe keys from one secret that a person fills in.
 */
export class Donations extends Feature {
  readonly functions: { donations: AppFunction; 'stripe-webhook': AppFunction };
  /** `{"secretKey", "webhookSecret"}` from the Stripe dashboard. */
  readonly stripeSecret: Secret;

  constructor(scope: Construct, id: string, props: DonationsProps) {
    super(scope, id);
    const { config, site, signingSecret } = props;

    // Stripe keys are entered by a person after the first deploy (README): generated placeholder until then.
    this.stripeSecret = new Secret(this, 'StripeSecret', {
      description: 'Appeal: {"secretKey": "sk_…", "webhookSecret": "whsec_…"} from the Stripe dashboard',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder', excludePunctuation: true },
    });
    acceptFinding(
      this.stripeSecret,
      'AwsSolutions-SMG4',
      'AwsSolutions-SMG4: Stripe keys are rolled in the Stripe dashboard and put here by a person; Secrets Manager has no rotation for them.',
    );

    // Both Stripe functions: the donations table (each its own access to it), the keys, and the Stripe account's mode.
    const stripe = (bind: Bind, donationsAccess: TableAccess) => ({
      DONATIONS_TABLE_NAME: bind.table(props.donationsTable, donationsAccess),
      SIGNING_SECRET_ID: bind.secret(signingSecret),
      STRIPE_SECRET_ID: bind.secret(this.stripeSecret),
      STRIPE_API_URL: undefined, // only for the dev server's Stripe simulator
      COUNTER_SHARDS: undefined,
    });

    const donations = new AppFunction(this, 'DonationsFunction', {
      entry: 'donations',
      secretsExtension: true,
      description: 'Donations: campaign progress, Stripe Checkout, the donate link',
      config: DonationConfig,
      environment: (bind) => ({
        ...site,
        // Public: reads campaigns and their totals, keeps checkout attempts and the rate windows; reads (never writes)
        // the gifts of the donor a statement link was sealed for.
        ...stripe(bind, {
          items: {
            // and each campaign's variants (with the counters, for an experiment that follows its results).
            'dynamodb:GetItem': ['CAMPAIGN#', 'ATTEMPT#', 'VARIANTS#'],
            // A giving statement's page: the donor's markers of each campaign, then those campaigns' gifts on gsi1.
            'dynamodb:BatchGetItem': ['CAMPAIGN#', 'TOTALS#', 'EVENTS#', 'RESULTS#', 'DONOR#'],
            'dynamodb:PutItem': ['ATTEMPT#'],
            // and a donor's Gift Aid cancellation (the link in a declared gift's receipt).
            'dynamodb:UpdateItem': ['RATE#', 'GIFTAID#'],
          },
          query: ['gsi1'],
        }),
        CURRENCIES: config.currencies.join(','),
        DONATION_SUCCESS_URL: config.donationSuccessUrl,
        DONATION_CANCEL_URL: config.donationCancelUrl,
        CHECKOUT_CLIENT_LIMIT_PER_MINUTE: String(config.limits.checkoutClientPerMinute),
        CAMPAIGN_CACHE_SECONDS: undefined,
        // The appeal: Stripe's standard fees unless the stage sets its account's; the in-page checkout stays off until
        // a stage offers it.
        FEE_RATES: config.feeRates,
        EMBEDDED_CHECKOUT: config.embeddedCheckout ? 'true' : undefined,
        STRIPE_PUBLISHABLE_KEY: config.stripePublishableKey,
        STRIPE_JS_URL: undefined, // only for the dev server's Stripe.js stand-in
        SITE_ORIGINS: config.siteOrigins.join(','),
        EVENT_COUNTER_SHARDS: undefined,
        CHARITY_NAME: config.charityName,
        CHARITY_REGISTRATION: config.charityRegistration,
        SITE_TIME_ZONE: config.timeZone,
        TAX_YEAR_START: config.taxYearStart,
        GIFT_AID: config.giftAid ? 'true' : undefined,
      }),
    });

    const stripeWebhook = new AppFunction(this, 'StripeWebhookFunction', {
      entry: 'stripe-webhook',
      secretsExtension: true,
      description: 'Stripe webhook: the gift ledger, receipts, donor opt-ins',
      timeout: Duration.seconds(30),
      config: WebhookConfig,
      environment: (bind) => ({
        ...site,
        // The gift ledger: gifts, the campaigns' totals, donor markers, monthly gifts; campaign settings read.
        ...stripe(bind, {
          items: {
            'dynamodb:GetItem': ['GIFT#', 'CAMPAIGN#', 'MONTHLY#'],
            'dynamodb:PutItem': ['GIFT#', 'DONOR#'],
            // and, in the gift's transaction, its variant's results and its page's and source's counters.
            'dynamodb:UpdateItem': ['TOTALS#', 'MONTHLY#', 'DAY#', 'COUNTS#MONTHLY#', 'RESULTS#', 'ATTR#'],
          },
        }),
        SIGNUP_AND_MAIL_QUEUE_URL: bind.queueSender(props.mailQueue),
        CONSENT_VERSION: config.consentVersion,
        DEFAULT_LIST: config.defaultList,
        FAILED_PAYMENT_EMAILS: config.failedPaymentEmails ? undefined : 'false',
        GIFT_AID: config.giftAid ? 'true' : undefined,
      }),
    });
    this.functions = { donations, 'stripe-webhook': stripeWebhook };
  }
}
