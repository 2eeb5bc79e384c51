import * as z from 'zod/mini';
import { NotFoundError } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import { onFirstUse, wholeNumber } from '../shared/schema.js';
import type { WebhookEndpoint } from './endpoint.js';
import type { Delivery, DeliveryLog, DeliveryQueue, WebhookEndpoints } from './ports.js';

// The endpoints and their delivery log as the admin tools read them: apart from the changes (admin.ts), so that a
// function serving the reads loads none of the writes.

export interface WebhookAdminDeps {
  clock: Clock;
  endpoints: WebhookEndpoints;
  deliveries: DeliveryLog;
  queue: DeliveryQueue;
  /**
   * Checks that a URL may be called (the guarded client's check: scheme, own API, every address it resolves to).
   * Throws ForbiddenTargetError, or OutboundRequestError when the name does not resolve.
   */
  checkUrl: (url: string) => Promise<unknown>;
}

export const WebhookId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^wh_[a-f0-9]{16}$/)));
export const DeliveryId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^msg_[a-f0-9]{32}$/)));
export const UNKNOWN_WEBHOOK = 'There is no webhook endpoint with this id.';

export const DeliveriesQuery = /* @__PURE__ */ onFirstUse(() => z.object({
  limit: z._default(wholeNumber(1, 1000), 100),
}));

/** A delivery as the log shows it (API.md): newest first, with its attempt, status, the answer's status and time. */
export const deliveryView = (d: Delivery) => ({
  id: d.id,
  webhookId: d.webhookId,
  type: d.type,
  attempt: d.attempts,
  status: d.status,
  responseStatus: d.responseStatus ?? null,
  at: d.at,
  ...(d.latencyMs !== undefined ? { latencyMs: d.latencyMs } : {}),
  ...(d.error ? { error: d.error } : {}),
  ...(d.nextAttemptAt && d.status === 'pending' ? { nextAttemptAt: d.nextAttemptAt } : {}),
});

/** An endpoint as the admin tools show it: never its secrets. */
export const endpointView = (e: WebhookEndpoint) => ({
  id: e.id,
  url: e.url,
  events: e.events,
  ...(e.description ? { description: e.description } : {}),
  createdAt: e.createdAt,
  status: e.disabledAt ? 'disabled' : 'enabled',
  ...(e.disabledAt ? { disabledAt: e.disabledAt } : {}),
  ...(e.failingSince ? { failingSince: e.failingSince } : {}),
  ...(e.previousSecretExpiresAt ? { previousSecretExpiresAt: e.previousSecretExpiresAt } : {}),
});

/** The endpoint with this id; NotFoundError (404) when there is none. */
export const existing = async (deps: Pick<WebhookAdminDeps, 'endpoints'>, id: string) => {
  const endpoint = await deps.endpoints.get(id);
  if (!endpoint) throw new NotFoundError(UNKNOWN_WEBHOOK);
  return endpoint;
};

export const listWebhooks = async (deps: Pick<WebhookAdminDeps, 'endpoints'>) => (await deps.endpoints.list()).map(endpointView);

export const listDeliveries = async (deps: Pick<WebhookAdminDeps, 'endpoints' | 'deliveries'>, id: string, limit: number) => {
  await existing(deps, id);
  return (await deps.deliveries.list(id, { limit })).map(deliveryView);
};
