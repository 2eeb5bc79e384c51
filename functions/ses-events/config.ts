import * as z from 'zod/mini';
import { nonEmpty, onFirstUse } from '../core/shared/schema.js';
import { COUNTER_SHARDS } from '../platform/config.js';

/** SES bounce and complaint notifications. */
export const SesEventsConfig = /* @__PURE__ */ onFirstUse(() => z.object({
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  SIGNING_SECRET_ID: nonEmpty(),
  COUNTER_SHARDS,
}));
export type SesEventsConfig = z.infer<typeof SesEventsConfig>;
