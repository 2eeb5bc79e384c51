import * as z from 'zod/mini';
import {
  addWebhook,
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
} from '../events/admin.js';
import {
  addConnector,
  type Connector,
  type ConnectorAdminDeps,
  connectorView,
  NewConnector,
  removeConnector,
  UNKNOWN_CONNECTOR,
} from '../connectors/admin.js';
import { type BackfillRequestDeps, requestBackfill } from '../connectors/backfill.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { instant, onFirstUse, safeParse, type Schema } from '../shared/schema.js';
import { type AuditDeps, recordAudit } from './audit.js';
import type { Actor } from './editors.js';

/**
 * What the console's webhook and connector pages work with: the admin API's own rules and stores (the same
 * functions as `POST /v1/admin/webhooks` and the CLI), and the audit log, which the console writes and the token
 * API does not.
 */
export interface ConsoleOutboundDeps extends AuditDeps {
  webhooks: WebhookAdminDeps;
  connectors: ConnectorAdminDeps;
  /** A connector's backfill, as `POST /v1/admin/connectors/{id}/backfill` starts it. */
  backfills: BackfillRequestDeps;
}

/** How many deliveries an endpoint's page shows, newest first. */
export const DELIVERY_PAGE = 100;

/** A form's fields as a schema's input; throws ValidationError (`invalid_field`) naming the first field it refuses. */
const fromForm = <T>(schema: Schema<T>, fields: unknown): T => {
  const result = safeParse(schema, fields);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  throw new ValidationError('invalid_field', issue?.message ?? 'Invalid input.', { field });
};

/** Only the URL's host goes into the audit log: a receiver's path or query may carry its own token. */
const hostOf = (url: string) => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

/** The add form as posted: the URL, the ticked event types (one or several), a description. */
export interface WebhookFormValues {
  url: string;
  events: string[];
  description: string;
}

/**
 * Adds an endpoint from the console's form, with the admin API's checks (the URL where every delivery may go, the
 * event types); records `webhook.add`. Answers the endpoint's view and its secret, shown this once. Throws
 * ValidationError (with its field: `url`, `events`, `description`), ForbiddenTargetError among them.
 */
export const addConsoleWebhook = async (deps: ConsoleOutboundDeps, who: Actor, form: WebhookFormValues) => {
  const description = form.description.trim();
  const input = fromForm(NewWebhook, { url: form.url.trim(), events: form.events.includes('*') ? ['*'] : form.events, ...(description ? { description } : {}) });
  const added = await addWebhook(deps.webhooks, input);
  await recordAudit(deps, { actor: who.actor, action: 'webhook.add', target: `${added.id} ${hostOf(added.url)}`, client: who.client });
  return added;
};

export const consoleWebhooks = (deps: ConsoleOutboundDeps) => listWebhooks(deps.webhooks);

/** One endpoint's view, or NotFoundError. */
export const consoleWebhook = async (deps: ConsoleOutboundDeps, id: string) => {
  const endpoint = (await listWebhooks(deps.webhooks)).find((e) => e.id === id);
  if (!endpoint) throw new NotFoundError(UNKNOWN_WEBHOOK);
  return endpoint;
};

/** An endpoint and its newest deliveries, for its page. */
export const consoleWebhookLog = async (deps: ConsoleOutboundDeps, id: string) => {
  const endpoint = await consoleWebhook(deps, id);
  return { endpoint, deliveries: await listDeliveries(deps.webhooks, id, DELIVERY_PAGE) };
};

export const removeConsoleWebhook = async (deps: ConsoleOutboundDeps, who: Actor, id: string) => {
  const endpoint = await consoleWebhook(deps, id);
  await removeWebhook(deps.webhooks, id);
  await recordAudit(deps, { actor: who.actor, action: 'webhook.remove', target: `${id} ${hostOf(endpoint.url)}`, client: who.client });
};

/** A new secret (shown once); the old one keeps signing for 24 hours. Records `webhook.rotate`. */
export const rotateConsoleWebhook = async (deps: ConsoleOutboundDeps, who: Actor, id: string) => {
  const rotated = await rotateWebhookSecret(deps.webhooks, id);
  await recordAudit(deps, { actor: who.actor, action: 'webhook.rotate', target: id, client: who.client });
  return rotated;
};

/** Enables a disabled endpoint again. Records `webhook.enable`. */
export const enableConsoleWebhook = async (deps: ConsoleOutboundDeps, who: Actor, id: string) => {
  const enabled = await enableWebhook(deps.webhooks, id);
  await recordAudit(deps, { actor: who.actor, action: 'webhook.enable', target: id, client: who.client });
  return enabled;
};

/** Sends one delivery again now. Records `webhook.retry`. */
export const retryConsoleDelivery = async (deps: ConsoleOutboundDeps, who: Actor, id: string, deliveryId: string) => {
  const retried = await retryDelivery(deps.webhooks, id, deliveryId);
  await recordAudit(deps, { actor: who.actor, action: 'webhook.retry', target: `${id} ${deliveryId}`, client: who.client });
  return retried;
};

/**
 * The replay form's time, as a browser's `datetime-local` field posts it (`2026-11-25T09:30`, no zone: read as UTC,
 * which the form says) or as an instant.
 */
const ReplaySince = /* @__PURE__ */ onFirstUse(() => z.pipe(
  z.string().check(z.trim(), z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/, 'Give a date and time, such as 2026-11-25T09:30.')),
  z.transform((value) => {
    const withSeconds = /T\d{2}:\d{2}$/.test(value) ? `${value}:00` : value;
    return /(Z|[+-]\d{2}:\d{2})$/.test(withSeconds) ? withSeconds : `${withSeconds}Z`;
  }),
));

/**
 * Sends again every delivery to the endpoint since a time (not in the future). Records `webhook.replay`; answers
 * how many. Throws ValidationError (`since`).
 */
export const replayConsoleWebhook = async (deps: ConsoleOutboundDeps, who: Actor, id: string, since: string) => {
  const at = fromForm(z.pipe(ReplaySince, instant()), since);
  fromForm(ReplayRequest, { since: at });
  if (Date.parse(at) > deps.clock.now().getTime()) throw new ValidationError('invalid_field', 'The time is in the future: nothing was sent since then.', { field: 'since' });
  const replayed = await replayDeliveries(deps.webhooks, id, new Date(at).toISOString());
  await recordAudit(deps, { actor: who.actor, action: 'webhook.replay', target: `${id} since ${replayed.since}`, client: who.client });
  return replayed;
};

/** A connector as its page shows it: its view (never a key, token or secret), with its backfill's progress if it had one. */
export type ConnectorListing = ReturnType<typeof connectorView>;

const listing = (connector: Connector): ConnectorListing => connectorView(connector);

export const consoleConnectors = async (deps: ConsoleOutboundDeps) => (await deps.connectors.connectors.list()).map(listing);

export const consoleConnector = async (deps: ConsoleOutboundDeps, id: string) => {
  const connector = await deps.connectors.connectors.get(id);
  if (!connector) throw new NotFoundError(UNKNOWN_CONNECTOR);
  return listing(connector);
};

/** The add form as posted, either kind's fields; a blank field is left out. */
export type ConnectorFormValues = Readonly<Record<string, string | undefined>>;

/**
 * Adds a connector from the console's form with the admin API's checks; records `connector.add`. Answers its view
 * and, for Mailchimp, the webhook URL to give Mailchimp. Throws ValidationError with its field.
 */
export const addConsoleConnector = async (deps: ConsoleOutboundDeps, who: Actor, form: ConnectorFormValues) => {
  const fields: Record<string, string> = {};
  const names = form.kind === 'mailchimp' ? ['kind', 'apiKey', 'list', 'apiUrl'] : form.kind === 'listmonk' ? ['kind', 'url', 'username', 'token', 'lists'] : ['kind'];
  for (const name of names) {
    const value = form[name]?.trim();
    if (value) fields[name] = value;
  }
  const added = await addConnector(deps.connectors, fromForm(NewConnector, fields));
  await recordAudit(deps, { actor: who.actor, action: 'connector.add', target: `${added.id} ${added.kind}`, client: who.client });
  return added;
};

export const removeConsoleConnector = async (deps: ConsoleOutboundDeps, who: Actor, id: string) => {
  const connector = await consoleConnector(deps, id);
  await removeConnector(deps.connectors, id);
  await recordAudit(deps, { actor: who.actor, action: 'connector.remove', target: `${id} ${connector.kind}`, client: who.client });
};

/**
 * Pushes every confirmed reader to the connector's tool, as the admin API's backfill does (a failed run resumes
 * from its cursor; a running one is nudged, not started twice); records `connector.backfill`. Answers the
 * progress. NotFoundError for an unknown connector.
 */
export const backfillConsoleConnector = async (deps: ConsoleOutboundDeps, who: Actor, id: string) => {
  const progress = await requestBackfill(deps.backfills, id);
  await recordAudit(deps, { actor: who.actor, action: 'connector.backfill', target: `${id} ${progress.state}`, client: who.client });
  return progress;
};

export { WebhookId, DeliveryId, UNKNOWN_WEBHOOK } from '../events/admin.js';
export { ConnectorId, UNKNOWN_CONNECTOR } from '../connectors/admin.js';
export { EVENT_TYPES } from '../events/model.js';

/** The delivery log's "not found", as the admin API says it. */
export const UNKNOWN_DELIVERY = 'There is no such delivery for this endpoint.';
