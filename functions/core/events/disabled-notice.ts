import type { SignupAndMailQueue } from '../mail/ports.js';
import type { WebhookEndpoints } from './ports.js';

/**
 * Tells the admins that an endpoint was disabled: one `webhook-disabled` intent on the mail queue, which the mail
 * worker turns into one email per admin (at most once each: mail/admin-notices.ts). It names the disabling by its
 * time, so a later disabling of the same endpoint is told again. Only the URL's host leaves: a receiver's path or
 * query may carry its own token.
 */
export const endpointDisabledNotice =
  (deps: { endpoints: Pick<WebhookEndpoints, 'get'>; mail: SignupAndMailQueue }) =>
  async (webhookId: string): Promise<void> => {
    const endpoint = await deps.endpoints.get(webhookId);
    if (!endpoint?.disabledAt) return;
    let host = '';
    try {
      host = new URL(endpoint.url).host;
    } catch {
      // A URL that no longer parses is still told, by the endpoint's id.
    }
    await deps.mail.enqueue({ kind: 'webhook-disabled', id: `webhook-disabled:${webhookId}:${endpoint.disabledAt}`, webhookId, host, disabledAt: endpoint.disabledAt });
  };
