import { DynamoAdminTokens } from '../adapters/dynamo-admin.js';
import { DynamoConnectors } from '../adapters/dynamo-connectors.js';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import { brandOf } from '../platform/config.js';
import { deliveryQueue, outboundHttp, webhookStores } from '../platform/wiring/webhooks.js';
import type { WebhooksConfig } from './config.js';
import type { WebhooksApiDeps } from './routes.js';
import type { Subscriber } from '../core/subscriptions/model.js';
import type { SubscriberRepository } from '../core/subscriptions/ports.js';

/** The webhooks API's dependencies: the subscribers table (tokens, endpoints, deliveries), the delivery queue, the signing key. */
export const buildWebhooks = async (config: WebhooksConfig, clients: ClientOptions, secrets: SecretSource) => {
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const dynamo = documentClient(clients);
  const { endpoints, deliveries } = webhookStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys);
  const http = outboundHttp(config);
  // Loaded on demand: only Mailchimp's webhooks read and write subscribers (the admin routes never do).
  let loaded: Promise<{ subscribers: SubscriberRepository; suppressions: import('../adapters/dynamo-suppressions.js').DynamoSuppressions }> | undefined;
  const stores = () =>
    (loaded ??= Promise.all([import('../adapters/dynamo-subscriber-repository.js'), import('../adapters/dynamo-suppressions.js')]).then(([repository, suppressions]) => ({
      subscribers: new repository.DynamoSubscriberRepository(dynamo, config.SUBSCRIBERS_TABLE_NAME, config.COUNTER_SHARDS),
      suppressions: new suppressions.DynamoSuppressions(dynamo, config.SUBSCRIBERS_TABLE_NAME),
    })));
  const connectorsStore = new DynamoConnectors(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys.token);
  const queue = deliveryQueue(clients, config.WEBHOOK_QUEUE_URL);
  const deps: WebhooksApiDeps = {
    tokens: new DynamoAdminTokens(dynamo, config.SUBSCRIBERS_TABLE_NAME),
    webhooks: { clock: systemClock, endpoints, deliveries, queue: queue.deliveries, checkUrl: (url) => http.check(url) },
    connectors: { clock: systemClock, connectors: connectorsStore, checkUrl: (url) => http.check(url), publicApiUrl: config.PUBLIC_API_URL },
    // A backfill runs on the delivery queue, a slice per job (its worker: functions/webhook-delivery).
    backfills: { clock: systemClock, connectors: connectorsStore, queue: queue.backfills },
    mailchimpHooks: {
      clock: systemClock,
      keys,
      connectors: connectorsStore,
      subscribers: {
        get: async (email: string) => (await stores()).subscribers.get(email),
        save: async (next: Subscriber, current: Subscriber | undefined) => (await stores()).subscribers.save(next, current),
      },
      suppressions: { put: async (...args) => (await stores()).suppressions.put(...args) },
    },
  };
  return { deps, options: { siteName: config.SITE_NAME, brand: brandOf(config) } };
};
