import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import type { WorkerDeps } from '../core/events/worker.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import { logger } from '../platform/logger.js';
import { deliveryQueue, outboundHttp, webhookStores } from '../platform/wiring/webhooks.js';
import type { WebhookDeliveryConfig } from './config.js';

/** The delivery worker's dependencies: the subscribers table, the delivery queue, the guarded client, the signing key. */
export const buildWebhookDelivery = async (config: WebhookDeliveryConfig, clients: ClientOptions, secrets: SecretSource) => {
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const stores = webhookStores(documentClient(clients), config.SUBSCRIBERS_TABLE_NAME, keys);
  const deps: WorkerDeps = {
    clock: systemClock,
    random: Math.random,
    ...stores,
    queue: deliveryQueue(clients, config.WEBHOOK_QUEUE_URL),
    http: outboundHttp(config),
    // The admins hear of it through the alarm on this line (infra/constructs/outbound-events.ts).
    onEndpointDisabled: async (webhookId) => logger.error('webhook endpoint disabled', { webhookId }),
  };
  return { deps };
};
