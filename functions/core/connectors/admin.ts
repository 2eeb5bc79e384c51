import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { OutboundRequestError } from '../shared/outbound-http.js';
import type { Clock } from '../shared/ports.js';
import { instant, onFirstUse } from '../shared/schema.js';
import { Backfill, backfillView } from './backfill-model.js';

/** Mailchimp's API key: the key and, after a dash, its data centre (which picks the API's host). */
const MailchimpKey = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^[A-Za-z0-9]{8,64}-[a-z]+\d+$/, 'A Mailchimp API key is the key, a dash and its data centre, such as …-us6.')));

/** A base URL as given: http(s), at most 2,048 characters; where it may point is the guarded client's check. */
const BaseUrl = /* @__PURE__ */ onFirstUse(() => z.pipe(
  z.url({ protocol: /^https?$/, error: 'Not an absolute http(s) URL.' }).check(z.maxLength(2048)),
  z.transform((u) => u.replace(/\/+$/, '')),
));

/** listmonk list ids, as a list or as the CLI's comma-separated text. */
const ListIds = /* @__PURE__ */ onFirstUse(() => z.pipe(
  z.transform((value: unknown) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean).map(Number) : value)),
  z.array(z.int().check(z.gte(1))).check(z.minLength(1, 'Name at least one listmonk list.'), z.maxLength(50)),
));

export const MailchimpSettings = /* @__PURE__ */ onFirstUse(() => z.strictObject({
  kind: z.literal('mailchimp'),
  apiKey: MailchimpKey,
  /** The audience (list) id. */
  list: z.string().check(z.regex(/^[A-Za-z0-9]{1,40}$/, 'A Mailchimp audience id is letters and digits.')),
  /** Replaces `https://<dc>.api.mailchimp.com` (a stand-in). */
  apiUrl: z.optional(BaseUrl),
}));
export type MailchimpSettings = z.infer<typeof MailchimpSettings>;

export const ListmonkSettings = /* @__PURE__ */ onFirstUse(() => z.strictObject({
  kind: z.literal('listmonk'),
  /** listmonk's base URL (its API is under /api). */
  url: BaseUrl,
  username: z.string().check(z.minLength(1), z.maxLength(200)),
  token: z.string().check(z.minLength(1), z.maxLength(500)),
  lists: ListIds,
}));
export type ListmonkSettings = z.infer<typeof ListmonkSettings>;

export const NewConnector = /* @__PURE__ */ onFirstUse(() => z.discriminatedUnion('kind', [MailchimpSettings, ListmonkSettings], { error: 'kind must be mailchimp or listmonk.' }));
export type NewConnector = z.infer<typeof NewConnector>;

/**
 * A newsletter tool Appeal keeps in step with its readers. `settings` hold its credentials (kept sealed by the
 * store); `webhookSecret` is what Mailchimp's list webhook URL carries, as Mailchimp signs nothing.
 */
export const Connector = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string().check(z.regex(/^cn_[a-f0-9]{16}$/)),
  settings: z.discriminatedUnion('kind', [MailchimpSettings, ListmonkSettings]),
  webhookSecret: z.optional(z.string().check(z.minLength(32))),
  createdAt: instant(),
  /** listmonk: the time up to which its refusals were pulled. */
  pulledUntil: z.optional(instant()),
  /** The last backfill of every confirmed reader into the tool, and where it is. */
  backfill: z.optional(Backfill),
}));
export type Connector = z.infer<typeof Connector>;

export const ConnectorId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^cn_[a-f0-9]{16}$/)));
export const UNKNOWN_CONNECTOR = 'There is no connector with this id.';

/** The newsroom's connectors. Credentials are kept sealed by the adapter and open only in memory. */
export interface ConnectorStore {
  create(connector: Connector): Promise<void>;
  get(id: string): Promise<Connector | undefined>;
  /** Every connector, oldest first (a newsroom has one or two). */
  list(): Promise<Connector[]>;
  /** False when there was none. */
  remove(id: string): Promise<boolean>;
  /** Records how far listmonk's refusals were pulled; only forward. */
  savePulledUntil(id: string, until: string): Promise<void>;
}

export interface ConnectorAdminDeps {
  clock: Clock;
  connectors: ConnectorStore;
  /** The guarded client's check of a URL (ForbiddenTargetError; OutboundRequestError when the name does not resolve). */
  checkUrl: (url: string) => Promise<unknown>;
  /** The stage's own API, for Mailchimp's webhook URL. */
  publicApiUrl: string;
}

/** The API a connector calls: Mailchimp's by its key's data centre, or the URL given. */
export const apiBaseOf = (settings: MailchimpSettings | ListmonkSettings) =>
  settings.kind === 'listmonk' ? settings.url : (settings.apiUrl ?? `https://${settings.apiKey.split('-').at(-1)}.api.mailchimp.com`);

/** A connector as the admin tools show it: never its key, token or webhook secret. */
export const connectorView = (c: Connector) => {
  const backfill = c.backfill ? { backfill: backfillView(c.backfill) } : {};
  return c.settings.kind === 'mailchimp'
    ? { id: c.id, kind: c.settings.kind, list: c.settings.list, apiUrl: apiBaseOf(c.settings), createdAt: c.createdAt, ...backfill }
    : { id: c.id, kind: c.settings.kind, url: c.settings.url, lists: c.settings.lists, createdAt: c.createdAt, ...(c.pulledUntil ? { pulledUntil: c.pulledUntil } : {}), ...backfill };
};

/** Mailchimp's list webhook address for a connector: it carries the secret, since Mailchimp signs nothing. */
export const mailchimpWebhookUrl = (publicApiUrl: string, c: Connector) =>
  `${publicApiUrl}/v1/connectors/${c.id}/mailchimp?secret=${encodeURIComponent(c.webhookSecret ?? '')}`;

/**
 * Adds a connector: the tool's URL checked as every call checks it (ForbiddenTargetError: 400 `forbidden_target`),
 * a new id, and for Mailchimp a webhook secret. Answers its view and, for Mailchimp, the webhook URL to give it.
 */
export const addConnector = async (deps: ConnectorAdminDeps, settings: NewConnector) => {
  try {
    await deps.checkUrl(`${apiBaseOf(settings)}/`);
  } catch (error) {
    if (error instanceof OutboundRequestError) {
      throw new ValidationError('invalid_url', 'The URL\'s host name does not resolve.', { field: settings.kind === 'mailchimp' ? 'apiUrl' : 'url', cause: error });
    }
    throw error;
  }
  const connector: Connector = {
    id: `cn_${randomBytes(8).toString('hex')}`,
    settings,
    ...(settings.kind === 'mailchimp' ? { webhookSecret: randomBytes(24).toString('base64url') } : {}),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.connectors.create(connector);
  return { ...connectorView(connector), ...(settings.kind === 'mailchimp' ? { webhookUrl: mailchimpWebhookUrl(deps.publicApiUrl, connector) } : {}) };
};

export const listConnectors = async (deps: Pick<ConnectorAdminDeps, 'connectors'>) => (await deps.connectors.list()).map(connectorView);

export const removeConnector = async (deps: Pick<ConnectorAdminDeps, 'connectors'>, id: string) => {
  if (!(await deps.connectors.remove(id))) throw new NotFoundError(UNKNOWN_CONNECTOR);
};

/** Whether a presented webhook secret is the connector's (in constant time). */
export const isWebhookSecret = (connector: Connector, presented: string | undefined) => {
  if (!connector.webhookSecret || presented === undefined) return false;
  const a = Buffer.from(connector.webhookSecret);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
};
