import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Keys } from '../core/shared/secrets.js';
import type { ClientOptions } from '../platform/clients.js';
import { connectorStore } from '../platform/wiring/connectors.js';
import { outboundHttp } from '../platform/wiring/outbound-http.js';
import { deliveryQueue, webhookStores } from '../platform/wiring/webhooks.js';

/**
 * What the webhooks and connectors pages use, as the webhooks API builds it: the endpoints, the delivery log, the
 * delivery queue (a retry, a replay, a backfill's first slice), the guarded client's URL check, and the connectors. Loaded with the first of
 * those pages (sections.ts), so the console's cold start reads none of it.
 */
export const outboundStores = (
  dynamo: DynamoDBDocumentClient,
  config: { SUBSCRIBERS_TABLE_NAME: string; WEBHOOK_QUEUE_URL: string; PUBLIC_API_URL: string; OUTBOUND_LOOPBACK_HTTP: boolean },
  clients: ClientOptions,
  keys: Pick<Keys, 'token'>,
) => {
  const { endpoints, deliveries } = webhookStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys);
  const http = outboundHttp(config);
  const queues = deliveryQueue(clients, config.WEBHOOK_QUEUE_URL);
  return {
    endpoints,
    deliveries,
    queue: queues.deliveries,
    backfills: queues.backfills,
    checkUrl: (url: string) => http.check(url),
    connectors: connectorStore(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys),
  };
};
