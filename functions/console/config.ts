import * as z from 'zod/mini';
import { httpUrl, nonEmpty, onFirstUse } from '../core/shared/schema.js';
import { ListId } from '../core/subscriptions/model.js';
import { CURRENCIES } from '../donations/config.js';
import { ExportStorage } from '../export-worker/config.js';
import { BaseConfig, COUNTER_SHARDS, flag, listOf, positiveInt } from '../platform/config.js';
import { EVENT_COUNTER_SHARDS } from '../event-counter/config.js';
import { OUTBOUND_LOOPBACK_HTTP } from '../platform/outbound-config.js';

/** The console: the editors' pages under /admin, their sign-in and sessions, and the audit log's API. */
export const ConsoleConfig = /* @__PURE__ */ onFirstUse(() => z.extend(z.extend(BaseConfig, ExportStorage.shape), {
  /**
   * Editors, sessions, single-use nonces, passkeys and rate-limit windows; admin tokens (listed and revoked); the
   * dashboard's day counters; subscribers (data requests), export jobs. (DONATIONS_TABLE_NAME: campaigns, the gifts
   * of a data request, the day counters of gifts; EXPORT_BUCKET_NAME: download links.)
   */
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  /** The export worker, started for each export (an asynchronous invocation). */
  EXPORT_WORKER_FUNCTION_NAME: nonEmpty(),
  COUNTER_SHARDS,
  /** The event counters' shards (as the event counter's): an experiment's page reads them. */
  EVENT_COUNTER_SHARDS,
  /** The configured lists, which an export's list filter may name. */
  LIST_IDS: listOf(ListId),
  /** The currencies checkout accepts: a campaign is created in one of them. */
  CURRENCIES,
  /** The audit log's own table (PutItem and Query only). */
  AUDIT_TABLE_NAME: nonEmpty(),
  /** How long an audit entry is kept, in days. */
  AUDIT_RETENTION_DAYS: z._default(positiveInt, 400),
  /** The mail queue: a sign-in link is mailed by the mail worker, like every other email. */
  SIGNUP_AND_MAIL_QUEUE_URL: httpUrl(),
  /** Whether the session cookie is `Secure` (sent over HTTPS only): true on every deployed stage. */
  SESSION_COOKIE_SECURE: z._default(flag(), true),
  /** Sign-in requests (links and passkeys) per client IP per hour. */
  CONSOLE_SIGNIN_CLIENT_LIMIT_PER_HOUR: z._default(positiveInt, 30),
  /** Sign-in links asked for one address per hour. */
  CONSOLE_SIGNIN_ADDRESS_LIMIT_PER_HOUR: z._default(positiveInt, 5),
  /** The webhook delivery queue: a delivery sent again from the console (a retry, a replay) is queued there. */
  WEBHOOK_QUEUE_URL: nonEmpty(),
  /** A webhook endpoint's or a newsletter tool's URL is checked as the deliveries check it. */
  OUTBOUND_LOOPBACK_HTTP,
}));
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;
