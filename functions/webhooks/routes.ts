import { authenticateAdmin } from '../core/admin/authenticate.js';
import type { AdminTokens } from '../core/admin/ports.js';
import { DeliveriesQuery, DeliveryId, listDeliveries, listWebhooks, UNKNOWN_WEBHOOK, type WebhookAdminDeps, WebhookId } from '../core/events/admin-views.js';
import type { Brand } from '../core/shared/brand.js';
import type { ConnectorAdminDeps } from '../core/connectors/admin.js';
import type { BackfillRequestDeps } from '../core/connectors/backfill.js';
import type { MailchimpWebhookDeps } from '../core/connectors/mailchimp-webhook.js';
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

/**
 * Loaded on first use: the endpoints' changes, the connectors' routes and Mailchimp's webhooks are rare beside the
 * reads of the endpoints and their logs, and their code is not on a cold start that serves those.
 */
const sections = () => import('./sections.js');

/** The newsroom's webhook endpoints and their delivery logs, for admin tokens (the CLI's `webhook` commands). */
export const makeHandler = ({ tokens, webhooks, connectors, backfills, mailchimpHooks }: WebhooksApiDeps, { siteName, brand }: { siteName: string; brand?: Brand | undefined }) => {
  const authorized = (route: (req: HttpRequest) => Promise<HttpResponse>) => async (req: HttpRequest) => {
    await authenticateAdmin({ tokens, clock: webhooks.clock }, req.headers.authorization);
    return route(req);
  };
  const webhookId = (req: HttpRequest) => req.pathParam('webhookId', WebhookId, UNKNOWN_WEBHOOK);
  const connectorId = async (req: HttpRequest) => {
    const { ConnectorId, UNKNOWN_CONNECTOR } = await sections();
    return req.pathParam('connectorId', ConnectorId, UNKNOWN_CONNECTOR);
  };
  const jsonBody = <T>(req: HttpRequest, schema: Parameters<HttpRequest['body']>[0]) => {
    checkBody(req, ['application/json']);
    return req.body(schema) as Promise<T>;
  };

  return httpHandler(
    {
      'POST /v1/admin/webhooks': authorized(async (req) => {
        const { addWebhook, NewWebhook } = await sections();
        return json(201, await addWebhook(webhooks, await jsonBody(req, NewWebhook)));
      }),
      'GET /v1/admin/webhooks': authorized(async () => json(200, await listWebhooks(webhooks))),
      'DELETE /v1/admin/webhooks/{webhookId}': authorized(async (req) => {
        const id = webhookId(req);
        await (await sections()).removeWebhook(webhooks, id);
        return noContent();
      }),
      'POST /v1/admin/webhooks/{webhookId}/rotate': authorized(async (req) => {
        const id = webhookId(req);
        return json(200, await (await sections()).rotateWebhookSecret(webhooks, id));
      }),
      'POST /v1/admin/webhooks/{webhookId}/enable': authorized(async (req) => {
        const id = webhookId(req);
        return json(200, await (await sections()).enableWebhook(webhooks, id));
      }),
      'GET /v1/admin/webhooks/{webhookId}/deliveries': authorized(async (req) =>
        json(200, await listDeliveries(webhooks, webhookId(req), req.queryParams(DeliveriesQuery).limit)),
      ),
      'POST /v1/admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry': authorized(async (req) => {
        const id = webhookId(req);
        const delivery = req.pathParam('deliveryId', DeliveryId, 'There is no such delivery for this endpoint.');
        return json(202, await (await sections()).retryDelivery(webhooks, id, delivery));
      }),
      'POST /v1/admin/webhooks/{webhookId}/replay': authorized(async (req) => {
        const id = webhookId(req);
        const { ReplayRequest, replayDeliveries } = await sections();
        const { since } = await jsonBody<{ since: string }>(req, ReplayRequest);
        return json(202, await replayDeliveries(webhooks, id, since));
      }),
      'POST /v1/admin/connectors': authorized(async (req) => {
        const { addConnector, NewConnector } = await sections();
        return json(201, await addConnector(connectors, await jsonBody(req, NewConnector)));
      }),
      'GET /v1/admin/connectors': authorized(async () => json(200, await (await sections()).listConnectors(connectors))),
      'DELETE /v1/admin/connectors/{connectorId}': authorized(async (req) => {
        const { removeConnector } = await sections();
        await removeConnector(connectors, await connectorId(req));
        return noContent();
      }),
      'POST /v1/admin/connectors/{connectorId}/backfill': authorized(async (req) => {
        const { requestBackfill } = await sections();
        return json(202, await requestBackfill(backfills, await connectorId(req)));
      }),
      // Mailchimp checks a webhook URL with a GET before it saves it.
      'GET /v1/connectors/{connectorId}/mailchimp': async (req) => {
        const { checkMailchimpWebhook, WebhookSecret } = await sections();
        const id = await connectorId(req);
        await checkMailchimpWebhook(mailchimpHooks, id, req.queryParams(WebhookSecret).secret);
        return json(200, { status: 'ok' });
      },
      'POST /v1/connectors/{connectorId}/mailchimp': async (req) => {
        const id = await connectorId(req);
        const { checkMailchimpWebhook, MailchimpWebhook, receiveMailchimpWebhook, WebhookSecret } = await sections();
        const { secret } = req.queryParams(WebhookSecret);
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
