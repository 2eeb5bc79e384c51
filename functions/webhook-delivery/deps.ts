import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import { SqsDeliveryQueue } from '../adapters/sqs-delivery-queue.js';
import { SqsSignupAndMailQueue } from '../adapters/sqs-signup-and-mail-queue.js';
import type { ConnectorStore } from '../core/connectors/admin.js';
import type { BackfillQueue, BackfillRunDeps, BackfillStore, ConfirmedReaders } from '../core/connectors/backfill.js';
import type { PullRefusalsDeps } from '../core/connectors/pull.js';
import type { ConnectorSyncDeps } from '../core/connectors/sync.js';
import type { ErasedAddresses } from '../core/events/ports.js';
import { endpointDisabledNotice } from '../core/events/disabled-notice.js';
import type { WorkerDeps } from '../core/events/worker.js';
import { deriveKeys } from '../core/shared/secrets.js';
import type { SubscriberRepository } from '../core/subscriptions/ports.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import { logger } from '../platform/logger.js';
import { onDemand } from '../platform/on-demand.js';
import { outboundHttp } from '../platform/wiring/outbound-http.js';
import { queueClient, webhookStores } from '../platform/wiring/webhooks.js';
import type { WebhookDeliveryConfig } from './config.js';

/**
 * The delivery worker's dependencies: the subscribers table, the delivery queue, the guarded client, the signing key;
 * and, for the connectors' backfills that run on the same queue, the status index and the same tools' clients; and
 * for the scheduled pull of listmonk's refusals, the connectors and those clients again.
 */
export const buildWebhookDelivery = async (config: WebhookDeliveryConfig, clients: ClientOptions, secrets: SecretSource) => {
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const dynamo = documentClient(clients);
  const table = config.SUBSCRIBERS_TABLE_NAME;
  const stores = webhookStores(dynamo, table, keys);
  const http = outboundHttp(config);
  const sqs = queueClient(clients);
  // Built on first use (sections.ts): only deliveries to a newsletter tool, backfill slices and the pull read the
  // connectors, the subscribers, the erased addresses and the ledger (most invocations deliver webhooks only).
  const sections = () => import('./sections.js');
  const connectors = onDemand<ConnectorStore & BackfillStore>(async () => (await sections()).connectorStore(dynamo, table, keys));
  const subscribers = onDemand<Pick<SubscriberRepository, 'get' | 'save'>>(
    async () => new (await sections()).DynamoSubscriberRepository(dynamo, table, config.COUNTER_SHARDS),
  );
  const donors = onDemand(async () => (await sections()).donorLedger(dynamo, table));
  // One client per tool for deliveries and backfills alike: Mailchimp's connection limit is kept per client.
  let clientsPerTool: ConnectorSyncDeps['connectorFor'] | undefined;
  const tellAdmins = endpointDisabledNotice({ endpoints: stores.endpoints, mail: new SqsSignupAndMailQueue(sqs, config.SIGNUP_AND_MAIL_QUEUE_URL) });
  const sync: ConnectorSyncDeps = {
    clock: systemClock,
    connectors,
    connectorFor: async (connector) => {
      const { connectorClients } = await sections();
      clientsPerTool ??= connectorClients(http);
      return clientsPerTool(connector);
    },
    subscribers,
    language: config.SITE_LANGUAGE,
    erasedAddresses: onDemand<ErasedAddresses>(async () => (await sections()).erasedAddresses(dynamo, table, keys)),
    donorStatus: async (email) => (await sections()).readDonorStatus({ keys, donors }, email),
  };
  const deps: WorkerDeps = {
    clock: systemClock,
    random: Math.random,
    ...stores,
    queue: new SqsDeliveryQueue(sqs, config.WEBHOOK_QUEUE_URL),
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
    // The backfill slices share the delivery queue.
    queue: onDemand<BackfillQueue>(async () => new (await sections()).SqsBackfillQueue(sqs, config.WEBHOOK_QUEUE_URL)),
    readers: onDemand<ConfirmedReaders>(async () => new (await sections()).DynamoConfirmedReaders(dynamo, table)),
    sync,
  };
  // The schedule's pull of listmonk's refusals: the same tools' clients, and the subscribers marked as deliveries mark them.
  const pull: PullRefusalsDeps = { clock: systemClock, connectors, connectorFor: sync.connectorFor, subscribers };
  return { deps, backfill, pull };
};
