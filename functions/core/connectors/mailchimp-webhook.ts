import * as z from 'zod/mini';
import { recordMailFeedback, type FeedbackDeps } from '../list-hygiene/feedback.js';
import { ForbiddenError, NotFoundError } from '../shared/errors.js';
import { onFirstUse } from '../shared/schema.js';
import { type ConnectorStore, isWebhookSecret, UNKNOWN_CONNECTOR } from './admin.js';
import { markSaidNo } from './sync.js';

/**
 * Mailchimp's list webhook, as it posts it (form-encoded): `type` (one of its six), `fired_at`, and `data[...]`
 * fields; `data[email]` names the member, `data[list_id]` their audience. Fields Appeal does not read are allowed.
 */
export const MailchimpWebhook = /* @__PURE__ */ onFirstUse(() => z.looseObject({
  type: z.enum(['subscribe', 'unsubscribe', 'profile', 'cleaned', 'upemail', 'campaign'], 'type must be one of Mailchimp\'s webhook types.'),
  'data[email]': z.optional(z.string().check(z.minLength(3), z.maxLength(254))),
  'data[list_id]': z.optional(z.string().check(z.maxLength(40))),
}));
export type MailchimpWebhook = z.infer<typeof MailchimpWebhook>;

export interface MailchimpWebhookDeps extends FeedbackDeps {
  connectors: Pick<ConnectorStore, 'get'>;
}

/** The wrong secret answers as the contract says; the message tells nothing about the connector. */
export class WrongWebhookSecretError extends ForbiddenError {}

/** Checks the secret a webhook URL carries (in constant time): NotFoundError for no Mailchimp connector, else Forbidden. */
export const checkMailchimpWebhook = async (deps: Pick<MailchimpWebhookDeps, 'connectors'>, connectorId: string, secret: string | undefined) => {
  const connector = await deps.connectors.get(connectorId);
  if (connector?.settings.kind !== 'mailchimp') throw new NotFoundError(UNKNOWN_CONNECTOR);
  if (!isWebhookSecret(connector, secret)) throw new WrongWebhookSecretError('The webhook secret is not this connector\'s.');
  return connector;
};

/**
 * One of Mailchimp's list webhooks: an unsubscribe there marks the reader unsubscribed in Appeal (their own "no"),
 * a cleaned address is suppressed as a bounce is (a marker, and the subscriber's status); the other types are
 * acknowledged and change nothing, as does a webhook about another audience. Safe to repeat: each is a state, not a
 * step. Appeal's own change then goes to Mailchimp as an unsubscribe, which Mailchimp holds already (a no-op there).
 * Answers what it did.
 */
export const receiveMailchimpWebhook = async (deps: MailchimpWebhookDeps, connectorId: string, secret: string | undefined, hook: MailchimpWebhook) => {
  const connector = await checkMailchimpWebhook(deps, connectorId, secret);
  const email = hook['data[email]'];
  if (!email || (connector.settings.kind === 'mailchimp' && hook['data[list_id]'] !== undefined && hook['data[list_id]'] !== connector.settings.list)) return 'ignored';
  if (hook.type === 'unsubscribe') {
    await markSaidNo(deps, email);
    return 'unsubscribed';
  }
  if (hook.type === 'cleaned') {
    await recordMailFeedback(deps, { kind: 'bounce', addresses: [email] });
    return 'suppressed';
  }
  return 'ignored';
};
