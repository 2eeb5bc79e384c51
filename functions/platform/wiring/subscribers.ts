import { DynamoSuppressions } from '../../adapters/dynamo-suppressions.js';
import { DynamoSubscriberCounts, DynamoSubscriberRepository } from '../../adapters/dynamo-subscriber-repository.js';
import type { SubscriptionSettings } from '../../core/subscriptions/subscriptions.js';
import type { documentClient } from '../clients.js';
import type { SignupAndMailConfig, SubscriptionConfig } from '../../configs.js';

type DocumentClient = ReturnType<typeof documentClient>;

/** The subscribers (every write also keeps the counts, in the same transaction) and the suppression markers. */
export const subscriberStores = (dynamo: DocumentClient, table: string, shards: number) => ({
  subscribers: new DynamoSubscriberRepository(dynamo, table, shards),
  suppressions: new DynamoSuppressions(dynamo, table),
});

/** The subscriber counts, read by summing their shards. */
export const subscriberCounts = (dynamo: DocumentClient, table: string) => new DynamoSubscriberCounts(dynamo, table);

/** The mailing list's settings, as the subscriptions function and the mailer both apply them. */
export const subscriptionSettings = (config: SubscriptionConfig | SignupAndMailConfig): SubscriptionSettings => ({
  siteName: config.SITE_NAME,
  apiBaseUrl: config.PUBLIC_API_URL,
  lists: { ids: config.LIST_IDS, default: config.DEFAULT_LIST },
  consentVersion: config.CONSENT_VERSION,
  confirmTtlSeconds: config.CONFIRM_TTL_DAYS * 86400,
  mailIntervalSeconds: config.MAIL_INTERVAL_SECONDS,
  limits: {
    signupAddress: { name: 'signup-address', limit: config.SIGNUP_ADDRESS_LIMIT_PER_HOUR, windowSeconds: 3600 },
  },
});
