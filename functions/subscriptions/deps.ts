import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoRateLimiter } from '../adapters/dynamo-rate-limiter.js';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import { SqsSignupAndMailQueue } from '../adapters/sqs-signup-and-mail-queue.js';
import { deriveKeys } from '../core/shared/secrets.js';
import type { SubscriptionDeps } from '../core/subscriptions/subscriptions.js';
import type { SubscriptionRoutesOptions } from './routes.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import type { SubscriptionConfig } from '../configs.js';
import { brandOf } from '../platform/config.js';
import { subscriptionSettings } from '../platform/wiring/subscription-settings.js';
import { onDemand } from '../platform/on-demand.js';
import type { ReminderStore } from '../core/donors/ports.js';
import type { SubscriberRepository } from '../core/subscriptions/ports.js';

/** The subscriptions function's dependencies: DynamoDB, the queue, the signing key. Built once per cold start. */
export const buildSubscriptions = async (config: SubscriptionConfig, clients: ClientOptions, secrets: SecretSource) => {
  const dynamo = documentClient(clients);
  const table = config.SUBSCRIBERS_TABLE_NAME;
  const deps: SubscriptionDeps = {
    clock: systemClock,
    // Built with the first confirm or unsubscribe POST, from the module that holds those routes' writes (sections.ts):
    // the signup, the main route whose bursts start the containers, only validates, counts and queues; readers post
    // their links later, from the emails, and only those posts read or write a subscriber.
    subscribers: onDemand<SubscriberRepository>(
      async () => new (await import('./sections.js')).DynamoSubscriberRepository(dynamo, table, config.COUNTER_SHARDS),
    ),
    suppressions: onDemand(async () => new (await import('./sections.js')).DynamoSuppressionRemover(dynamo, table)),
    rateLimiter: new DynamoRateLimiter(dynamo, table),
    queue: new SqsSignupAndMailQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), config.SIGNUP_AND_MAIL_QUEUE_URL),
    keys: deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID)),
    settings: subscriptionSettings(config),
  };
  const options: SubscriptionRoutesOptions = {
    thankYouUrl: config.THANK_YOU_URL,
    confirmedUrl: config.CONFIRMED_URL,
    brand: brandOf(config),
    reminders: {
      clock: systemClock,
      keys: deps.keys,
      rateLimiter: deps.rateLimiter,
      // Built with the first reminder request, from the module that holds the reminder routes (sections.ts).
      reminders: onDemand<ReminderStore>(async () => new (await import('./sections.js')).DynamoReminders(dynamo, table)),
      settings: {
        timeZone: config.SITE_TIME_ZONE,
        limits: {
          reminderClient: { name: 'reminder-client', limit: config.REMINDER_CLIENT_LIMIT_PER_MINUTE, windowSeconds: 60 },
          reminderAddress: { name: 'reminder-address', limit: config.REMINDER_ADDRESS_LIMIT_PER_DAY, windowSeconds: 86_400 },
        },
      },
    },
    limits: {
      signupClient: { name: 'signup-client', limit: config.SIGNUP_CLIENT_LIMIT_PER_MINUTE, windowSeconds: 60 },
      linkClient: { name: 'link-client', limit: config.LINK_CLIENT_LIMIT_PER_MINUTE, windowSeconds: 60 },
    },
  };
  return { deps, options };
};
