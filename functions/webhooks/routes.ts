import { authenticateAdmin } from '../core/admin/admin.js';
import type { AdminTokens } from '../core/admin/ports.js';
import {
  addWebhook,
  DeliveriesQuery,
  DeliveryId,
  enableWebhook,
  listDeliveries,
  listWebhooks,
  NewWebhook,
  removeWebhook,
  ReplayRequest,
  replayDeliveries,
  retryDelivery,
  rotateWebhookSecret,
  UNKNOWN_WEBHOOK,
  type WebhookAdminDeps,
  WebhookId,
} from '../core/events/admin.js';
import type { Brand } from '../core/shared/brand.js';
import { addConnector, type ConnectorAdminDeps, ConnectorId, listConnectors, NewConnector, removeConnector, UNKNOWN_CONNECTOR } from '../core/connectors/admin.js';
import { type BackfillRequestDeps, requestBackfill } from '../core/connectors/backfill.js';
import type { MailchimpWebhookDeps } from '../core/connectors/mailchimp-webhook.js';
import * as z from 'zod/mini';
import { httpHandler } from '../platform/http/handler.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { type HttpResponse, json, noContent } from '../platform/http/responses.js';

export interface WebhooksApiDeps {
  /** The admin tokens every route checks (Authorization: Bearer). */
  tokens: AdminTokens;
  webhooks: WebhookAdminDeps;
  /** The newsletter tools kept in step with the readers (the CLI's `connector` commands). */
  connectors: ConnectorAdminDeps;
  /** Starts or resumes a connector's backfill (a job on the delivery queue). */
  backfills: BackfillRequestDeps;
  /** Mailchimp's list webhook: its unsubscribes and cleaned addresses, into Appeal's subscribers. */
  mailchimpHooks: MailchimpWebhookDeps;
}

/** Loaded on first use: Mailchimp's webhooks are rare beside the admin routes, and its code is not on their cold start. */
let mailchimpCode: Promise<typeof import('../core/connectors/mailchimp-webhook.js')> | undefined;
const mailchimp = () => (mailchimpCode ??= import('../core/connectors/mailchimp-webhook.js'));

const WebhookSecret = z.object({ secret: z.optional(z.string().check(z.maxLength(200))) });

/** The newsroom's webhook endpoints and their delivery logs, for admin tokens (the CLI's `webhook` commands). */
export const makeHandler = ({ tokens, webhooks, connectors, backfills, mailchimpHooks }: WebhooksApiDeps, { siteName, brand }: { siteName: string; brand?: Brand | undefined }) => {
  const authorized = (route: (req: HttpRequest) => Promise<HttpResponse>) => async (req: HttpRequest) => {
    await authenticateAdmin({ tokens, clock: webhooks.clock }, req.headers.authorization);
    return route(req);
  };
  const webhookId = (req: HttpRequest) => req.pathParam('webhookId', WebhookId, UNKNOWN_WEBHOOK);
  const jsonBody = <T>(req: HttpRequest, schema: Parameters<HttpRequest['body']>[0]) => {
    checkBody(req, ['application/json']);
    return req.body(schema) as Promise<T>;
  };

  return httpHandler(
    {
      'POST /v1/admin/webhooks': authorized(async (req) => json(201, await addWebhook(webhooks, await jsonBody(req, NewWebhook)))),
      'GET /v1/admin/webhooks': authorized(async () => json(200, await listWebhooks(webhooks))),
      'DELETE /v1/admin/webhooks/{webhookId}': authorized(async (req) => {
        await removeWebhook(webhooks, webhookId(req));
        return noContent();
      }),
      'POST /v1/admin/webhooks/{webhookId}/rotate': authorized(async (req) => json(200, await rotateWebhookSecret(webhooks, webhookId(req)))),
      'POST /v1/admin/webhooks/{webhookId}/enable': authorized(async (req) => json(200, await enableWebhook(webhooks, webhookId(req)))),
      'GET /v1/admin/webhooks/{webhookId}/deliveries': authorized(async (req) =>
        json(200, await listDeliveries(webhooks, webhookId(req), req.queryParams(DeliveriesQuery).limit)),
      ),
      'POST /v1/admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry': authorized(async (req) =>
        json(202, await retryDelivery(webhooks, webhookId(req), req.pathParam('deliveryId', DeliveryId, 'There is no such delivery for this endpoint.'))),
      ),
      'POST /v1/admin/webhooks/{webhookId}/replay': authorized(async (req) => {
        const { since } = await jsonBody<{ since: string }>(req, ReplayRequest);
        return json(202, await replayDeliveries(webhooks, webhookId(req), since));
      }),
      'POST /v1/admin/connectors': authorized(async (req) => json(201, await addConnector(connectors, await jsonBody(req, NewConnector)))),
      'GET /v1/admin/connectors': authorized(async () => json(200, await listConnectors(connectors))),
      'DELETE /v1/admin/connectors/{connectorId}': authorized(async (req) => {
        await removeConnector(connectors, req.pathParam('connectorId', ConnectorId, UNKNOWN_CONNECTOR));
        return noContent();
      }),
      'POST /v1/admin/connectors/{connectorId}/backfill': authorized(async (req) =>
        json(202, await requestBackfill(backfills, req.pathParam('connectorId', ConnectorId, UNKNOWN_CONNECTOR))),
      ),
      // Mailchimp checks a webhook URL with a GET before it saves it.
      'GET /v1/connectors/{connectorId}/mailchimp': async (req) => {
        const { checkMailchimpWebhook } = await mailchimp();
        await checkMailchimpWebhook(mailchimpHooks, req.pathParam('connectorId', ConnectorId, UNKNOWN_CONNECTOR), req.queryParams(WebhookSecret).secret);
        return json(200, { status: 'ok' });
      },
      'POST /v1/connectors/{connectorId}/mailchimp': async (req) => {
        const id = req.pathParam('connectorId', ConnectorId, UNKNOWN_CONNECTOR);
        const { secret } = req.queryParams(WebhookSecret);
        const { checkMailchimpWebhook, MailchimpWebhook, receiveMailchimpWebhook } = await mailchimp();
        // The secret before the body: a caller without it learns nothing from the validation errors.
        await checkMailchimpWebhook(mailchimpHooks, id, secret);
        checkBody(req, ['application/x-www-form-urlencoded']);
        const result = await receiveMailchimpWebhook(mailchimpHooks, id, secret, await req.body(MailchimpWebhook));
        return json(200, { status: result });
      },
    },
    { siteName, brand },
  );
};
