import * as z from 'zod/mini';
import { DEFAULT_LANGUAGE, LANGUAGES } from '../core/shared/i18n/index.js';
import { httpUrl, nonEmpty, onFirstUse } from '../core/shared/schema.js';
import { COUNTER_SHARDS, oneOf } from '../platform/config.js';
import { OUTBOUND_LOOPBACK_HTTP } from '../platform/outbound-config.js';

/** The webhook delivery worker: one signed attempt per queued job. */
export const WebhookDeliveryConfig = /* @__PURE__ */ onFirstUse(() => z.object({
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  /** Opens the endpoints' sealed signing secrets. */
  SIGNING_SECRET_ID: nonEmpty(),
  WEBHOOK_QUEUE_URL: nonEmpty(),
  /** The stage's own API, which no endpoint may reach. */
  PUBLIC_API_URL: z.pipe(
    httpUrl(),
    z.transform((u) => u.replace(/\/+$/, '')),
  ),
  OUTBOUND_LOOPBACK_HTTP,
  /** A subscriber's language when their own is not known (what a newsletter tool is told). */
  SITE_LANGUAGE: z._default(oneOf(LANGUAGES), DEFAULT_LANGUAGE),
  /** A refusal in a newsletter tool marks the subscriber unsubscribed, which moves their counts. */
  COUNTER_SHARDS,
  /** The mail queue: an endpoint disabled after three days of failures is told to the admins by email. */
  SIGNUP_AND_MAIL_QUEUE_URL: httpUrl(),
}));
export type WebhookDeliveryConfig = z.infer<typeof WebhookDeliveryConfig>;
