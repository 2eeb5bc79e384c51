import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { OutboundRequestError } from '../shared/outbound-http.js';
import { instant, onFirstUse } from '../shared/schema.js';
import type { WebhookEndpoint } from './endpoint.js';
import { EventSelection } from './model.js';
import { deliveryView, endpointView, existing, UNKNOWN_WEBHOOK, type WebhookAdminDeps } from './admin-views.js';
import { newSigningSecret, rotateSecret } from './signing.js';

export {
  DeliveriesQuery,
  DeliveryId,
  deliveryView,
  endpointView,
  listDeliveries,
  listWebhooks,
  UNKNOWN_WEBHOOK,
  type WebhookAdminDeps,
  WebhookId,
} from './admin-views.js';

/** `events` as a list, or as the CLI's comma-separated text. */
const EventList = /* @__PURE__ */ onFirstUse(() => z.pipe(
  z.transform((value: unknown) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value)),
  EventSelection,
));

export const NewWebhook = /* @__PURE__ */ onFirstUse(() => z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(2048)),
  events: EventList,
  description: z.optional(z.string().check(z.maxLength(200))),
}));
export type NewWebhook = z.infer<typeof NewWebhook>;

export const ReplayRequest = /* @__PURE__ */ onFirstUse(() => z.strictObject({ since: instant() }));

const checked = async (deps: WebhookAdminDeps, url: string) => {
  try {
    await deps.checkUrl(url);
  } catch (error) {
    if (error instanceof OutboundRequestError) throw new ValidationError('invalid_url', 'The URL\'s host name does not resolve.', { field: 'url', cause: error });
    throw error;
  }
};

/**
 * Adds an endpoint: its URL checked as every delivery checks it (ForbiddenTargetError: 400 `forbidden_target`),
 * a new id and secret. Answers the endpoint's view and its secret, which is shown this once.
 */
export const addWebhook = async (deps: WebhookAdminDeps, input: NewWebhook) => {
  await checked(deps, input.url);
  const endpoint: WebhookEndpoint = {
    id: `wh_${randomBytes(8).toString('hex')}`,
    url: input.url,
    events: input.events,
    ...(input.description ? { description: input.description } : {}),
    secret: newSigningSecret(),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.endpoints.create(endpoint);
  return { ...endpointView(endpoint), secret: endpoint.secret };
};

export const removeWebhook = async (deps: Pick<WebhookAdminDeps, 'endpoints'>, id: string) => {
  if (!(await deps.endpoints.remove(id))) throw new NotFoundError(UNKNOWN_WEBHOOK);
};

/** A new secret, which signs from now on; the old one signs beside it for 24 hours. Answers the new one, shown this once. */
export const rotateWebhookSecret = async (deps: Pick<WebhookAdminDeps, 'endpoints' | 'clock'>, id: string) => {
  const endpoint = await existing(deps, id);
  const secrets = rotateSecret(endpoint, newSigningSecret(), deps.clock.now());
  await deps.endpoints.saveSecrets(id, secrets);
  return { id, secret: secrets.secret, previousSecretExpiresAt: secrets.previousSecretExpiresAt };
};

/** Enables a disabled endpoint again (its failures forgotten); deliveries that failed meanwhile can be replayed. */
export const enableWebhook = async (deps: Pick<WebhookAdminDeps, 'endpoints'>, id: string) => {
  if (!(await deps.endpoints.enable(id))) throw new NotFoundError(UNKNOWN_WEBHOOK);
  return endpointView(await existing(deps, id));
};

/** Sends one delivery again now, whatever became of it (a new generation: its attempts count from 1 again). */
export const retryDelivery = async (deps: WebhookAdminDeps, id: string, deliveryId: string) => {
  const endpoint = await existing(deps, id);
  const current = await deps.deliveries.get(deliveryId);
  if (!current || current.webhookId !== endpoint.id) throw new NotFoundError('There is no such delivery for this endpoint.');
  const rearmed = await deps.deliveries.rearm(deliveryId, deps.clock.now());
  if (!rearmed) throw new NotFoundError('There is no such delivery for this endpoint.');
  await deps.queue.send([{ delivery: rearmed.id, generation: rearmed.generation, delaySeconds: 0 }]);
  return deliveryView(rearmed);
};

/** How many deliveries one replay sends again at most (an endpoint's deliveries of a few busy days). */
export const MAX_REPLAY = 100_000;

/**
 * Sends again every delivery to the endpoint created at or after `since` (its events as they are kept: an erased
 * person's are gone), each as a new generation. Answers how many.
 */
export const replayDeliveries = async (deps: WebhookAdminDeps, id: string, since: string) => {
  await existing(deps, id);
  const due = await deps.deliveries.list(id, { limit: MAX_REPLAY, since });
  const now = deps.clock.now();
  let replayed = 0;
  for (let i = 0; i < due.length; i += 10) {
    const rearmed = (await Promise.all(due.slice(i, i + 10).map((d) => deps.deliveries.rearm(d.id, now)))).filter((d) => d !== undefined);
    if (rearmed.length > 0) await deps.queue.send(rearmed.map((d) => ({ delivery: d.id, generation: d.generation, delaySeconds: 0 })));
    replayed += rearmed.length;
  }
  return { id, since, deliveries: replayed };
};
