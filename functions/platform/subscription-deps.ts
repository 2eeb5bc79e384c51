import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoSuppressions } from '../adapters/dynamo-admin.js';
import { DynamoMailLedger } from '../adapters/dynamo-mail-ledger.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import type { MailDeps } from '../core/mail/mail.js';
import { DynamoRateLimiter } from '../adapters/dynamo-rate-limiter.js';
import { DynamoSubscriberRepository } from '../adapters/dynamo-subscriber-repository.js';
import { loadSigningKey, secretsManagerSource } from '../adapters/secrets-manager.js';
import { SqsMailQueue } from '../adapters/sqs-mail-queue.js';
import { deriveKeys } from '../core/shared/secrets.js';
import type { SubscriptionDeps } from '../core/subscriptions/subscriptions.js';
import { documentClient, systemClock } from './clients.js';
import type { MailerConfig, SubscriptionConfig } from './config.js';

/** The mailing-list dependencies, built once per cold start. */
export const subscriptionDeps = async (config: SubscriptionConfig) => {
  const region = config.AWS_REGION;
  const dynamo = documentClient(region);
  const signingKey = await loadSigningKey(secretsManagerSource(new SecretsManagerClient({ region })), config.SIGNING_SECRET_ID);
  const table = config.SUBSCRIBERS_TABLE_NAME;
  const deps: SubscriptionDeps = {
    clock: systemClock,
    // Every subscriber write also keeps the admin counts, in the same transaction.
    subscribers: new DynamoSubscriberRepository(dynamo, table, config.COUNTER_SHARDS),
    suppressions: new DynamoSuppressions(dynamo, table),
    rateLimiter: new DynamoRateLimiter(dynamo, table),
    queue: new SqsMailQueue(new SQSClient({ region }), config.MAIL_QUEUE_URL),
    keys: deriveKeys(signingKey),
    settings: {
      siteName: config.SITE_NAME,
      apiBaseUrl: config.PUBLIC_API_URL,
      lists: { ids: config.LIST_IDS, default: config.DEFAULT_LIST },
      consentVersion: config.CONSENT_VERSION,
      confirmTtlSeconds: config.CONFIRM_TTL_DAYS * 86400,
      mailIntervalSeconds: config.MAIL_INTERVAL_SECONDS,
      limits: {
        signupAddress: { name: 'signup-address', limit: config.SIGNUP_ADDRESS_LIMIT_PER_HOUR, windowSeconds: 3600 },
      },
    },
  };
  return { deps, dynamo };
};

/** The mail queue consumer: the mailing-list dependencies plus SES and the sent-mail ledger. */
export const mailerDeps = async (config: MailerConfig): Promise<MailDeps> => {
  const { deps, dynamo } = await subscriptionDeps(config);
  return {
    ...deps,
    mailer: new SesMailer(new SESv2Client({ region: config.AWS_REGION }), {
      from: config.MAIL_FROM,
      replyTo: config.MAIL_REPLY_TO,
      configurationSet: config.SES_CONFIGURATION_SET,
    }),
    ledger: new DynamoMailLedger(dynamo, config.SUBSCRIBERS_TABLE_NAME),
  };
};
