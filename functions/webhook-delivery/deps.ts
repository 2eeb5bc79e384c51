import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import type { WorkerDeps } from '../core/events/worker.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import { logger } from '../platform/logger.js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsSignupAndMailQueue } from '../adapters/sqs-signup-and-mail-queue.js';
import { endpointDisabledNotice } from '../core/events/disabled-notice.js';
import { clientConfig, recorded } from '../platform/clients.js';
import { connectorClients, connectorStore, deliveryQueue, outboundHttp, webhookStores } from '../platform/wiring/webhooks.js';
import type { Subscriber } from '../core/subscriptions/model.js';
import type { WebhookDeliveryConfig } from './config.js';

/** The delivery worker's dependencies: the subscribers table, the delivery queue, the guarded client, the signing key. */
export const buildWebhookDelivery = async (config: WebhookDeliveryConfig, clients: ClientOptions, secrets: SecretSource) => {
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const dynamo = documentClient(clients);
  const stores = webhookStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys);
  const http = outboundHttp(config);
  // Loaded on demand: only deliveries to a newsletter tool read subscribers (most deliver webhooks only).
  let loaded: Promise<import('../adapters/dynamo-subscriber-repository.js').DynamoSubscriberRepository> | undefined;
  const repository = () =>
    (loaded ??= import('../adapters/dynamo-subscriber-repository.js').then(({ DynamoSubscriberRepository }) => new DynamoSubscriberRepository(dynamo, config.SUBSCRIBERS_TABLE_NAME, config.COUNTER_SHARDS)));
  const mail = new SqsSignupAndMailQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), config.SIGNUP_AND_MAIL_QUEUE_URL);
  const tellAdmins = endpointDisabledNotice({ endpoints: stores.endpoints, mail });
  const deps: WorkerDeps = {
    clock: systemClock,
    random: Math.random,
    ...stores,
    queue: deliveryQueue(clients, config.WEBHOOK_QUEUE_URL),
    http,
    // The admins hear of it by email, and through the alarm on this line (infra/constructs/outbound-events.ts).
    onEndpointDisabled: async (webhookId) => {
      logger.error('webhook endpoint disabled', { webhookId });
      await tellAdmins(webhookId);
    },
    connectors: {
      clock: systemClock,
      connectors: connectorStore(dynamo, config.SUBSCRIBERS_TABLE_NAME, keys),
      connectorFor: connectorClients(http),
      subscribers: {
        get: async (email: string) => (await repository()).get(email),
        save: async (next: Subscriber, current: Subscriber | undefined) => (await repository()).save(next, current),
      },
      language: config.SITE_LANGUAGE,
    },
  };
  return { deps };
};
