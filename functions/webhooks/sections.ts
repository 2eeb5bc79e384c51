/**
 * What the webhooks API loads on first use, in one module: the endpoints' changes and the guarded client that checks
 * a new endpoint's URL, the connectors' routes, their store and their backfills' queue, Mailchimp's webhook and the
 * subscribers it marks. The endpoints' list and delivery log, the reads a cold start mostly serves, need none of it. One dynamic import, not one per
 * module: each chunk is one more file a first request reads (functions/console/sections.ts).
 */
import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';

export { addConnector, ConnectorId, listConnectors, NewConnector, removeConnector, UNKNOWN_CONNECTOR } from '../core/connectors/admin.js';
export { requestBackfill } from '../core/connectors/backfill.js';
export { checkMailchimpWebhook, MailchimpWebhook, receiveMailchimpWebhook } from '../core/connectors/mailchimp-webhook.js';
export { DynamoSubscriberRepository } from '../adapters/dynamo-subscriber-repository.js';
export { DynamoSuppressions } from '../adapters/dynamo-suppressions.js';
export { connectorStore } from '../platform/wiring/connectors.js';
export { outboundHttp } from '../platform/wiring/outbound-http.js';
export { addWebhook, enableWebhook, NewWebhook, removeWebhook, ReplayRequest, replayDeliveries, retryDelivery, rotateWebhookSecret } from '../core/events/admin.js';
export { SqsBackfillQueue } from '../adapters/sqs-backfill-queue.js';

/** The secret a Mailchimp webhook URL carries in its query. */
export const WebhookSecret = /* @__PURE__ */ onFirstUse(() => z.object({ secret: z.optional(z.string().check(z.maxLength(200))) }));
