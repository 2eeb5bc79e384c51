import { SqsBackfillQueue } from '../../adapters/sqs-backfill-queue.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SafeHttp } from '../../adapters/safe-http.js';
import { SqsDeliveryQueue } from '../../adapters/sqs-delivery-queue.js';
import { DynamoDeliveryLog, DynamoOutboundEvents, DynamoWebhookEndpoints } from '../../adapters/dynamo-webhooks.js';
import { DynamoConnectors } from '../../adapters/dynamo-connectors.js';
import { DynamoDonorLedger } from '../../adapters/dynamo-donor-ledger.js';
import { DynamoErasedAddresses } from '../../adapters/dynamo-erased-addresses.js';
import type { Connector } from '../../core/connectors/admin.js';
import type { NewsletterConnector } from '../../core/connectors/model.js';
import type { OutboundHttp } from '../../core/shared/outbound-http.js';
import type { WebhookEndpoint } from '../../core/events/endpoint.js';
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

export const deliveryQueue = (clients: ClientOptions, queueUrl: string) => {
  const sqs = recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs');
  // One SQS client for the deliveries and the backfill slices, which share the queue (and for any other queue the
  // function sends to).
  return { sqs, deliveries: new SqsDeliveryQueue(sqs, queueUrl), backfills: new SqsBackfillQueue(sqs, queueUrl) };
};

/** The guarded client for the newsroom's URLs: https to public addresses only, never the stage's own API. */
export const outboundHttp = (config: { PUBLIC_API_URL: string; OUTBOUND_LOOPBACK_HTTP: boolean }) =>
  new SafeHttp({ allowLoopbackHttp: config.OUTBOUND_LOOPBACK_HTTP, ownOrigins: [new URL(config.PUBLIC_API_URL).origin] });

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

/** The connectors (settings and secrets sealed under the token key, bound to each connector). */
export const connectorStore = (dynamo: DocumentClient, table: string, keys: Pick<Keys, 'token'>) => new DynamoConnectors(dynamo, table, keys.token);

/**
 * A newsletter tool's client per connector, built on first use and then reused (Mailchimp's connection limit is kept
 * per client). Each tool's code is loaded only when a delivery to it comes (most invocations deliver webhooks only).
 */
export const connectorClients = (http: OutboundHttp) => {
  const built = new Map<string, Promise<NewsletterConnector>>();
  const build = async ({ settings }: Connector): Promise<NewsletterConnector> => {
    if (settings.kind === 'mailchimp') {
      const { MailchimpConnector } = await import('../../adapters/mailchimp-connector.js');
      return new MailchimpConnector({ apiKey: settings.apiKey, listId: settings.list, ...(settings.apiUrl ? { apiUrl: settings.apiUrl } : {}) }, http);
    }
    const { ListmonkConnector } = await import('../../adapters/listmonk-connector.js');
    return new ListmonkConnector({ url: settings.url, username: settings.username, token: settings.token, lists: settings.lists }, http);
  };
  return (connector: Connector) => {
    let client = built.get(connector.id);
    if (!client) {
      client = build(connector);
      built.set(connector.id, client);
      client.catch(() => built.delete(connector.id));
    }
    return client;
  };
};

/** The erased addresses the connectors' deliveries still need, sealed under the key the connectors' secrets are. */
export const erasedAddresses = (dynamo: DocumentClient, table: string, keys: Pick<Keys, 'token'>) => new DynamoErasedAddresses(dynamo, table, keys.token);

/** Each donor's gifts and monthly gifts, for the status the newsletter tools carry. */
export const donorLedger = (dynamo: DocumentClient, table: string) => new DynamoDonorLedger(dynamo, table);
