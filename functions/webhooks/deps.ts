import { DynamoAdminTokens } from '../adapters/dynamo-admin.js';
import { SqsDeliveryQueue } from '../adapters/sqs-delivery-queue.js';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import type { BackfillQueue, BackfillStore } from '../core/connectors/backfill.js';
import type { ConnectorStore } from '../core/connectors/admin.js';
import type { Suppressions } from '../core/mail/ports.js';
import { deriveKeys } from '../core/shared/secrets.js';
import type { SubscriberRepository } from '../core/subscriptions/ports.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import { brandOf } from '../platform/config.js';
import { onDemand } from '../platform/on-demand.js';
import { endpointStores, queueClient } from '../platform/wiring/webhooks.js';
import type { WebhooksConfig } from './config.js';
import type { WebhooksApiDeps } from './routes.js';

/** The webhooks API's dependencies: the subscribers table (tokens, endpoints, deliveries), the delivery queue, the signing key. */
export const buildWebhooks = async (config: WebhooksConfig, clients: ClientOptions, secrets: SecretSource) => {
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const dynamo = documentClient(clients);
  const table = config.SUBSCRIBERS_TABLE_NAME;
  const { endpoints, deliveries } = endpointStores(dynamo, table, keys);
  const sqs = queueClient(clients);
  // Built on first use (sections.ts): the endpoints' list and delivery log, the routes most requests take, need
  // neither the guarded client (only adding an endpoint checks a URL) nor the connectors and their backfills, nor
  // the subscribers (only Mailchimp's webhooks read and write them).
  const http = onDemand(async () => (await import('./sections.js')).outboundHttp(config));
  const connectorsStore = onDemand<ConnectorStore & BackfillStore>(async () => (await import('./sections.js')).connectorStore(dynamo, table, keys));
  const subscribers = onDemand<Pick<SubscriberRepository, 'get' | 'save'>>(
    async () => new (await import('./sections.js')).DynamoSubscriberRepository(dynamo, table, config.COUNTER_SHARDS),
  );
  const suppressions = onDemand<Pick<Suppressions, 'put'>>(async () => new (await import('./sections.js')).DynamoSuppressions(dynamo, table));
  // The backfill slices share the delivery queue (their worker: functions/webhook-delivery).
  const backfillQueue = onDemand<BackfillQueue>(async () => new (await import('./sections.js')).SqsBackfillQueue(sqs, config.WEBHOOK_QUEUE_URL));
  const deps: WebhooksApiDeps = {
    tokens: new DynamoAdminTokens(dynamo, table),
    webhooks: { clock: systemClock, endpoints, deliveries, queue: new SqsDeliveryQueue(sqs, config.WEBHOOK_QUEUE_URL), checkUrl: (url) => http.check(url) },
    connectors: { clock: systemClock, connectors: connectorsStore, checkUrl: (url) => http.check(url), publicApiUrl: config.PUBLIC_API_URL },
    backfills: { clock: systemClock, connectors: connectorsStore, queue: backfillQueue },
    mailchimpHooks: { clock: systemClock, keys, connectors: connectorsStore, subscribers, suppressions },
  };
  return { deps, options: { siteName: config.SITE_NAME, brand: brandOf(config) } };
};
