import * as z from 'zod/mini';
import { nonEmpty, onFirstUse } from '../core/shared/schema.js';
import { ListId } from '../core/subscriptions/model.js';
import { BaseConfig, COUNTER_SHARDS, listOf, positiveInt } from '../platform/config.js';
import { ExportStorage } from '../export-worker/config.js';
import { EVENT_COUNTER_SHARDS } from '../event-counter/config.js';

/** The admin API. */
export const AdminConfig = /* @__PURE__ */ onFirstUse(() => z.extend(z.extend(BaseConfig, ExportStorage.shape), {
  EXPORT_WORKER_FUNCTION_NAME: nonEmpty(),
  COUNTER_SHARDS,
  /** The configured lists, which an export's list filter may name (as may any list a subscriber is counted on). */
  LIST_IDS: listOf(ListId),
  /** The audit log's table: every export, download link and data request made with a token is appended there. */
  AUDIT_TABLE_NAME: nonEmpty(),
  AUDIT_RETENTION_DAYS: z._default(positiveInt, 400),
  /** The event counters' shards (as the event counter's): an experiment's results read them. */
  EVENT_COUNTER_SHARDS,
}));
export type AdminConfig = z.infer<typeof AdminConfig>;
