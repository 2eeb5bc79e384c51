import { DynamoAdminTokens } from '../adapters/dynamo-admin.js';
import { DynamoConnectors } from '../adapters/dynamo-connectors.js';
import { SqsBackfillQueue } from '../adapters/sqs-backfill-queue.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import { brandOf } from '../platform/config.js';
import { deliveryQueue, outboundHttp, webhookStores } from '../platform/wiring/webhooks.js';
import type { WebhooksConfig } from './config.js';
import type { WebhooksApiDeps } from './routes.js';

/** The webhooks API's dependencies: the subscribers table (tokens, endpoints, deliveries), the delivery queue, the signing key. */
export const buildWebhooks = async (config: WebhooksConfig, clients: ClientOptions, secrets: SecretSource) => {
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const dynamo = documentClient(clients);
  const { endpoints, deliveries } = webhookStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys);
  const http = outboundHttp(config);
  const connectors = new DynamoConnectors(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys.token);
  const deps: WebhooksApiDeps = {
    tokens: new DynamoAdminTokens(dynamo, config.SUBSCRIBERS_TABLE_NAME),
    webhooks: { clock: systemClock, endpoints, deliveries, queue: deliveryQueue(clients, config.WEBHOOK_QUEUE_URL), checkUrl: (url) => http.check(url) },
    connectors: { clock: systemClock, connectors, checkUrl: (url) => http.check(url), publicApiUrl: config.PUBLIC_API_URL },
    // A backfill runs on the delivery queue, a slice per job (its worker: functions/webhook-delivery).
    backfills: { clock: systemClock, connectors, queue: new SqsBackfillQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), config.WEBHOOK_QUEUE_URL) },
  };
  return { deps, options: { siteName: config.SITE_NAME, brand: brandOf(config) } };
};
