import { SQSClient } from '@aws-sdk/client-sqs';
import { SafeHttp } from '../../adapters/safe-http.js';
import { SqsDeliveryQueue } from '../../adapters/sqs-delivery-queue.js';
import { DynamoDeliveryLog, DynamoOutboundEvents, DynamoWebhookEndpoints } from '../../adapters/dynamo-webhooks.js';
import type { WebhookEndpoint } from '../../core/events/endpoint.js';
import type { WebhookEndpoints } from '../../core/events/ports.js';
import type { Clock } from '../../core/shared/ports.js';
import type { Keys } from '../../core/shared/secrets.js';
import { type ClientOptions, clientConfig, type documentClient, recorded } from '../clients.js';

type DocumentClient = ReturnType<typeof documentClient>;

/** The endpoints (secrets sealed under the token key, bound to each endpoint), the kept events and the delivery log. */
export const webhookStores = (dynamo: DocumentClient, table: string, keys: Pick<Keys, 'token'>) => ({
  endpoints: new DynamoWebhookEndpoints(dynamo, table, keys.token),
  events: new DynamoOutboundEvents(dynamo, table),
  deliveries: new DynamoDeliveryLog(dynamo, table),
});

export const deliveryQueue = (clients: ClientOptions, queueUrl: string) =>
  new SqsDeliveryQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), queueUrl);

/** The guarded client for the newsroom's URLs: https to public addresses only, never the stage's own API. */
export const outboundHttp = (config: { PUBLIC_API_URL: string; OUTBOUND_LOOPBACK_HTTP: boolean }) =>
  new SafeHttp({ allowLoopbackHttp: config.OUTBOUND_LOOPBACK_HTTP, ownOrigins: [new URL(config.PUBLIC_API_URL).origin] });

/**
 * The endpoints' list, read at most once every `ttlMs` (every stream batch would read it otherwise); an endpoint
 * added or removed is seen that much later at most.
 */
export const cachedEndpointList = (endpoints: Pick<WebhookEndpoints, 'list'>, clock: Clock, ttlMs: number): Pick<WebhookEndpoints, 'list'> => {
  let cached: { at: number; list: Promise<WebhookEndpoint[]> } | undefined;
  return {
    list() {
      const now = clock.now().getTime();
      if (!cached || now - cached.at >= ttlMs) {
        const list = endpoints.list();
        cached = { at: now, list };
        list.catch(() => {
          if (cached?.list === list) cached = undefined;
        });
      }
      return cached.list;
    },
  };
};
