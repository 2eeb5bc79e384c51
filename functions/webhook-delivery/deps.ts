
import { DynamoConfirmedReaders } from '../adapters/dynamo-confirmed-readers.js';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import type { BackfillRunDeps } from '../core/connectors/backfill.js';
import type { PullRefusalsDeps } from '../core/connectors/pull.js';
import type { ConnectorSyncDeps } from '../core/connectors/sync.js';
import type { WorkerDeps } from '../core/events/worker.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import { logger } from '../platform/logger.js';
import { connectorClients, connectorStore, donorLedger, erasedAddresses } from '../platform/wiring/connectors.js';
import { outboundHttp } from '../platform/wiring/outbound-http.js';
import { deliveryQueue, webhookStores } from '../platform/wiring/webhooks.js';
import { readDonorStatus } from '../core/connectors/sync.js';
import { SqsSignupAndMailQueue } from '../adapters/sqs-signup-and-mail-queue.js';
import { endpointDisabledNotice } from '../core/events/disabled-notice.js';
import type { Subscriber } from '../core/subscriptions/model.js';
import type { WebhookDeliveryConfig } from './config.js';

/**
 * The delivery worker's dependencies: the subscribers table, the delivery queue, the guarded client, the signing key;
 * and, for the connectors' backfills that run on the same queue, the status index and the same tools' clients; and
 * for the scheduled pull of listmonk's refusals, the connectors and those clients again.
 */
export const buildWebhookDelivery = async (config: WebhookDeliveryConfig, clients: ClientOptions, secrets: SecretSource) => {
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const dynamo = documentClient(clients);
  const stores = webhookStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys);
  const http = outboundHttp(config);
  // Loaded on demand: only deliveries to a newsletter tool read subscribers (most deliver webhooks only).
  let loaded: Promise<import('../adapters/dynamo-subscriber-repository.js').DynamoSubscriberRepository> | undefined;
  const repository = () =>
    (loaded ??= import('../adapters/dynamo-subscriber-repository.js').then(({ DynamoSubscriberRepository }) => new DynamoSubscriberRepository(dynamo, config.SUBSCRIBERS_TABLE_NAME, config.COUNTER_SHARDS)));
  const connectors = connectorStore(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys);
  const donors = donorLedger(dynamo, config.SUBSCRIBERS_TABLE_NAME);
  const queue = deliveryQueue(clients, config.WEBHOOK_QUEUE_URL);
  const tellAdmins = endpointDisabledNotice({ endpoints: stores.endpoints, mail: new SqsSignupAndMailQueue(queue.sqs, config.SIGNUP_AND_MAIL_QUEUE_URL) });
  const sync: ConnectorSyncDeps = {
    clock: systemClock,
    connectors,
    // One client per tool for deliveries and backfills alike: Mailchimp's connection limit is kept per client.
    connectorFor: connectorClients(http),
    subscribers: {
      get: async (email: string) => (await repository()).get(email),
      save: async (next: Subscriber, current: Subscriber | undefined) => (await repository()).save(next, current),
    },
    language: config.SITE_LANGUAGE,
    erasedAddresses: erasedAddresses(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys),
    donorStatus: (email) => readDonorStatus({ keys, donors }, email),
  };
  const deps: WorkerDeps = {
    clock: systemClock,
    random: Math.random,
    ...stores,
    queue: queue.deliveries,
    http,
    // The admins hear of it by email, and through the alarm on this line (infra/constructs/outbound-events.ts).
    onEndpointDisabled: async (webhookId) => {
      logger.error('webhook endpoint disabled', { webhookId });
      await tellAdmins(webhookId);
    },
    connectors: sync,
  };
  const backfill: BackfillRunDeps = {
    clock: systemClock,
    connectors,
    queue: queue.backfills,
    readers: new DynamoConfirmedReaders(dynamo, config.SUBSCRIBERS_TABLE_NAME),
    sync,
  };
  // The schedule's pull of listmonk's refusals: the same tools' clients, and the subscribers marked as deliveries mark them.
  const pull: PullRefusalsDeps = { clock: systemClock, connectors, connectorFor: sync.connectorFor, subscribers: sync.subscribers };
  return { deps, backfill, pull };
};
