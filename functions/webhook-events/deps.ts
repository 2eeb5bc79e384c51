import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import type { PublishDeps } from '../core/events/publish.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import { connectorStore, donorLedger, erasedAddresses } from '../platform/wiring/connectors.js';
import { cachedEndpointList, deliveryQueue, webhookStores } from '../platform/wiring/webhooks.js';
import type { WebhookEventsConfig } from './config.js';

/** The producer's dependencies: the subscribers table (endpoints, events, deliveries), the delivery queue, the signing key. */
export const buildWebhookEvents = async (config: WebhookEventsConfig, clients: ClientOptions, secrets: SecretSource) => {
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const dynamo = documentClient(clients);
  const stores = webhookStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys);
  const deps: PublishDeps = {
    clock: systemClock,
    keys,
    endpoints: cachedEndpointList(stores.endpoints, systemClock, config.WEBHOOK_ENDPOINTS_CACHE_SECONDS * 1000),
    events: stores.events,
    deliveries: stores.deliveries,
    queue: deliveryQueue(clients, config.WEBHOOK_QUEUE_URL).deliveries,
    language: config.SITE_LANGUAGE,
    // Read as often as the endpoints (a connector added gets events that much later at most).
    connectors: cachedEndpointList(connectorStore(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys), systemClock, config.WEBHOOK_ENDPOINTS_CACHE_SECONDS * 1000),
    erasedAddresses: erasedAddresses(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys),
    donors: donorLedger(dynamo, config.SUBSCRIBERS_TABLE_NAME),
  };
  return { deps, tables: { subscribers: config.SUBSCRIBERS_TABLE_NAME, donations: config.DONATIONS_TABLE_NAME } };
};
