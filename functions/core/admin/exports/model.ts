import * as z from 'zod/mini';
import { fromText, onFirstUse, Refusal, safeParse } from '../../shared/schema.js';
import { CampaignId } from '../../donations/model.js';
import { ListId } from '../../subscriptions/model.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const DateTime = /* @__PURE__ */ onFirstUse(() => z.iso.datetime({ offset: true }));

/**
 * A filter's moment: an ISO 8601 time with its offset, or a date (`2026-11-01`), read in UTC as the whole day:
 * `since` from its first millisecond, `until` to its last (so `--since 2026-11-01 --until 2026-11-30` is November).
 * Stored as the instant it stands for, so a stored filter parses to itself.
 */
const Instant = (edge: 'start' | 'end') =>
  fromText((text) => {
    if (DATE.test(text)) {
      const start = new Date(`${text}T00:00:00.000Z`);
      // `2026-02-30` parses to 2 March: a date that is not a day of its month is refused.
      if (!Number.isNaN(start.getTime()) && start.toISOString().startsWith(text)) {
        return new Date(start.getTime() + (edge === 'end' ? DAY_MS - 1 : 0)).toISOString();
      }
    } else if (safeParse(DateTime, text).success) {
      return new Date(text).toISOString();
    }
    return new Refusal('A date (2026-11-01, read in UTC) or an ISO 8601 time with its offset (2026-11-01T09:00:00Z).');
  });

/**
 * What a donations export's `status` column says of a gift (and what its `status` filter takes): the payment's
 * state, or what refunds and disputes made of a paid one.
 */
export const DonationStatus = /* @__PURE__ */ onFirstUse(() => z.enum(['paid', 'partially_refunded', 'refunded', 'disputed', 'processing', 'failed', 'unknown']));
export type DonationStatus = z.infer<typeof DonationStatus>;

/** What an export lists: subscribers, donations, or the Gift Aid claim's schedule (HMRC's columns). */
export const ExportKind = /* @__PURE__ */ onFirstUse(() => z.enum(['subscribers', 'donations', 'gift-aid']));
export type ExportKind = z.infer<typeof ExportKind>;

/**
 * `POST /v1/admin/exports`. Subscribers filter on status, list and signup time; donations on status, campaign and
 * time; the Gift Aid schedule on the time the gifts were paid (`since`, `until`) only. `status` is checked against the kind in `startExport`, so that a status of the other kind gets its own words.
 */
export const ExportRequest = /* @__PURE__ */ onFirstUse(() => z.strictObject({
  kind: ExportKind,
  status: z.optional(z.string().check(z.maxLength(64))),
  list: z.optional(ListId),
  campaign: z.optional(CampaignId),
  since: z.optional(Instant('start')),
  until: z.optional(Instant('end')),
}));
export type ExportRequest = z.infer<typeof ExportRequest>;
export type ExportFilters = Omit<ExportRequest, 'kind'>;

/** An export's id, as startExport makes it: `exp_` and 16 base64url characters (12 random bytes). */
export const ExportId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^exp_[A-Za-z0-9_-]{16}$/)));

/** What `GET /v1/admin/exports/{id}` says of an id it does not know, or that no export could have. */
export const UNKNOWN_EXPORT = 'There is no export with this id.';

export const ExportJob = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  kind: ExportKind,
  filters: z.omit(ExportRequest, { kind: true }),
  status: z.enum(['running', 'done', 'failed']),
  rows: z.int().check(z.gte(0)),
  createdAt: z.string(),
  /** Who started it, as the audit log names them: an editor's address or `token:NAME`. */
  by: z.optional(z.string()),
  finishedAt: z.optional(z.string()),
  objectKey: z.optional(z.string()),
}));
export type ExportJob = z.infer<typeof ExportJob>;
