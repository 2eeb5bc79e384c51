import { ForbiddenTargetError, type OutboundHttp, OutboundRequestError } from '../shared/outbound-http.js';
import type { Clock } from '../shared/ports.js';
import type { WebhookEndpoint } from './endpoint.js';
import { eventBody, type WebhookEvent } from './model.js';
import { DELIVERY_TIMEOUT_MS } from './schedule.js';
import { createHmac } from 'node:crypto';
import { messageId, signingSecrets } from './signing.js';

// Signed with node:crypto rather than the `standardwebhooks` package's `sign` (the same HMAC over the same bytes;
// the tests verify every delivery with that package, as receivers do): its pure-JavaScript SHA-256 and base64 cost
// the worker's cold start more than they give.
const sign = (secret: string, content: string) =>
  `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(content).digest('base64')}`;

/**
 * The Standard Webhooks headers of one attempt: `webhook-id`, `webhook-timestamp` (the attempt's time in Unix
 * seconds: receivers refuse one more than five minutes off), and `webhook-signature`, `v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">` per secret, space-separated.
 */
export const signatureHeaders = (input: { messageId: string; sentAt: Date; body: string; secrets: readonly string[] }) => {
  const timestamp = String(Math.floor(input.sentAt.getTime() / 1000));
  return {
    'webhook-id': input.messageId,
    'webhook-timestamp': timestamp,
    'webhook-signature': input.secrets.map((secret) => sign(secret, `${input.messageId}.${timestamp}.${input.body}`)).join(' '),
  };
};

/** Why an attempt failed, for the delivery log: never the answer's body, which may hold anything. */
export type AttemptError = 'status' | 'timeout' | 'network' | 'forbidden_target';

export type AttemptReport =
  | { delivered: true; responseStatus: number; latencyMs: number; messageId: string; sentAt: string }
  | { delivered: false; responseStatus?: number; error: AttemptError; latencyMs: number; messageId: string; sentAt: string };

/** The answer's body is never used: a little is read, and the rest dropped, so a large answer costs nothing. */
const MAX_RESPONSE_BYTES = 4096;

/**
 * Makes one attempt to deliver an event to an endpoint: a POST of the event's body, signed with every secret
 * that signs now, through the guarded client (which refuses private and own addresses after DNS resolution).
 * Only a 2xx answer within 10 seconds is a delivery; a redirect, any other status, a timeout, a network error or
 * a forbidden target is a failure, reported rather than thrown, for deliveryOutcome to schedule.
 */
export const deliver = async (endpoint: WebhookEndpoint, event: WebhookEvent, http: OutboundHttp, clock: Clock): Promise<AttemptReport> => {
  const sent = clock.now();
  const id = messageId(event.id, endpoint.id);
  const body = eventBody(event);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Appeal-Webhooks/1',
    ...signatureHeaders({ messageId: id, sentAt: sent, body, secrets: signingSecrets(endpoint, sent) }),
  };
  const base = { messageId: id, sentAt: sent.toISOString() };
  const latency = () => Math.max(0, clock.now().getTime() - sent.getTime());
  try {
    const response = await http.request({
      method: 'POST',
      url: endpoint.url,
      headers,
      body,
      timeoutMs: DELIVERY_TIMEOUT_MS,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    });
    const latencyMs = latency();
    if (latencyMs > DELIVERY_TIMEOUT_MS) return { ...base, delivered: false, responseStatus: response.status, error: 'timeout', latencyMs };
    if (response.status >= 200 && response.status < 300) return { ...base, delivered: true, responseStatus: response.status, latencyMs };
    return { ...base, delivered: false, responseStatus: response.status, error: 'status', latencyMs };
  } catch (error) {
    const latencyMs = latency();
    if (error instanceof ForbiddenTargetError) return { ...base, delivered: false, error: 'forbidden_target', latencyMs };
    if (error instanceof OutboundRequestError) return { ...base, delivered: false, error: error.kind, latencyMs };
    throw error;
  }
};
