import * as z from 'zod/mini';
import { nonEmpty, onFirstUse } from '../core/shared/schema.js';
import { BaseConfig } from '../platform/config.js';
import { OUTBOUND_LOOPBACK_HTTP } from '../platform/outbound-config.js';
import { COUNTER_SHARDS } from '../platform/config.js';

/** The webhooks API: the newsroom's endpoints and their delivery logs (admin tokens). */
export const WebhooksConfig = /* @__PURE__ */ onFirstUse(() => z.extend(BaseConfig, {
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  WEBHOOK_QUEUE_URL: nonEmpty(),
  OUTBOUND_LOOPBACK_HTTP,
  /** Mailchimp's unsubscribes mark subscribers unsubscribed, which moves their counts. */
  COUNTER_SHARDS,
}));
export type WebhooksConfig = z.infer<typeof WebhooksConfig>;
