import { SqsBackfillQueue } from '../../adapters/sqs-backfill-queue.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsDeliveryQueue } from '../../adapters/sqs-delivery-queue.js';
import { DynamoDeliveryLog, DynamoOutboundEvents, DynamoWebhookEndpoints } from '../../adapters/dynamo-webhooks.js';
import type { WebhookEndpoint } from '../../core/events/endpoint.js';
import type { Clock } from '../../core/shared/ports.js';
import type { Keys } from '../../core/shared/secrets.js';
import { type ClientOptions, clientConfig, type documentClient, recorded } from '../clients.js';

type DocumentClient = ReturnType<typeof documentClient>;

// The guarded client (outbound-http.ts) and the connectors' pieces (connectors.ts) have modules of their own: a
// function that serves plain webhooks most of the time loads them only when it needs them.

/** The endpoints (secrets sealed under the token key, bound to each endpoint) and the delivery log. */
export const endpointStores = (dynamo: DocumentClient, table: string, keys: Pick<Keys, 'token'>) => ({
  endpoints: new DynamoWebhookEndpoints(dynamo, table, keys.token),
  deliveries: new DynamoDeliveryLog(dynamo, table),
});

/** The endpoints and the delivery log, and the kept events (which only the producer and the worker read). */
export const webhookStores = (dynamo: DocumentClient, table: string, keys: Pick<Keys, 'token'>) => ({
  ...endpointStores(dynamo, table, keys),
  events: new DynamoOutboundEvents(dynamo, table),
});

/** The function's SQS client (one for every queue it sends to). */
export const queueClient = (clients: ClientOptions) => recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs');

export const deliveryQueue = (clients: ClientOptions, queueUrl: string) => {
  const sqs = queueClient(clients);
  // One SQS client for the deliveries and the backfill slices, which share the queue (and for any other queue the
  // function sends to).
  return { sqs, deliveries: new SqsDeliveryQueue(sqs, queueUrl), backfills: new SqsBackfillQueue(sqs, queueUrl) };
};

/**
 * The endpoints' list, read at most once every `ttlMs` (every stream batch would read it otherwise); an endpoint
 * added or removed is seen that much later at most.
 */
export const cachedEndpointList = <T = WebhookEndpoint>(endpoints: { list(): Promise<T[]> }, clock: Clock, ttlMs: number): { list(): Promise<T[]> } => {
  let cached: { at: number; list: Promise<T[]> } | undefined;
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
