import * as z from 'zod/mini';
import { safeParse } from '../shared/schema.js';
import { CampaignId, type Gift } from '../donations/model.js';
import type { CampaignRepository } from '../donations/ports.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { fractionDigits } from '../shared/money.js';
import { ListId, type Subscriber, SubscriberStatus } from '../subscriptions/model.js';
import type { SubscriberCounts } from '../subscriptions/ports.js';
import type { Clock } from '../shared/ports.js';
import { newId } from '../shared/secrets.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
const DateTime = z.iso.datetime({ offset: true });

/**
 * A filter's moment: an ISO 8601 time with its offset, or a date (`2026-11-01`), read in UTC as the whole day:
 * `since` from its first millisecond, `until` to its last (so `--since 2026-11-01 --until 2026-11-30` is November).
 * Stored as the instant it stands for, so a stored filter parses to itself.
 */
const Instant = (edge: 'start' | 'end') =>
  z.pipe(
    z.string(),
    z.transform((text, ctx) => {
      if (DATE.test(text)) {
        const start = new Date(`${text}T00:00:00.000Z`);
        // `2026-02-30` parses to 2 March: a date that is not a day of its month is refused.
        if (!Number.isNaN(start.getTime()) && start.toISOString().startsWith(text)) {
          return new Date(start.getTime() + (edge === 'end' ? DAY_MS - 1 : 0)).toISOString();
        }
      } else if (safeParse(DateTime, text).success) {
        return new Date(text).toISOString();
      }
      ctx.issues.push({ code: 'custom', message: 'A date (2026-11-01, read in UTC) or an ISO 8601 time with its offset (2026-11-01T09:00:00Z).', input: text });
      return z.NEVER;
    }),
  );

/**
 * What a donations export's `status` column says of a gift (and what its `status` filter takes): the payment's
 * state, or what refunds and disputes made of a paid one.
 */
export const DonationStatus = z.enum(['paid', 'partially_refunded', 'refunded', 'disputed', 'processing', 'failed', 'unknown']);
export type DonationStatus = z.infer<typeof DonationStatus>;

/**
 * `POST /v1/admin/exports`. Subscribers filter on status, list and signup time; donations on status, campaign and
 * time. `status` is checked against the kind in `startExport`, so that a status of the other kind gets its own words.
 */
export const ExportRequest = z.strictObject({
  kind: z.enum(['subscribers', 'donations']),
  status: z.optional(z.string().check(z.maxLength(64))),
  list: z.optional(ListId),
  campaign: z.optional(CampaignId),
  since: z.optional(Instant('start')),
  until: z.optional(Instant('end')),
});
export type ExportRequest = z.infer<typeof ExportRequest>;
export type ExportFilters = Omit<ExportRequest, 'kind'>;

/** An export's id, as startExport makes it: `exp_` and 16 base64url characters (12 random bytes). */
export const ExportId = z.string().check(z.regex(/^exp_[A-Za-z0-9_-]{16}$/));

/** What `GET /v1/admin/exports/{id}` says of an id it does not know, or that no export could have. */
export const UNKNOWN_EXPORT = 'There is no export with this id.';

export const ExportJob = z.object({
  id: z.string(),
  kind: z.enum(['subscribers', 'donations']),
  filters: z.omit(ExportRequest, { kind: true }),
  status: z.enum(['running', 'done', 'failed']),
  rows: z.int().check(z.gte(0)),
  createdAt: z.string(),
  finishedAt: z.optional(z.string()),
  objectKey: z.optional(z.string()),
});
export type ExportJob = z.infer<typeof ExportJob>;

export interface ExportJobs {
  create(job: ExportJob): Promise<void>;
  get(id: string): Promise<ExportJob | undefined>;
  /** Records how many rows a running job has written so far. */
  progress(id: string, rows: number): Promise<void>;
  /** Moves a running job to done or failed (only from running). */
  finish(id: string, outcome: { status: 'done'; rows: number; objectKey: string } | { status: 'failed'; rows: number }, at: Date): Promise<void>;
}

/** Starts the export worker on a job without waiting for it (an asynchronous Lambda invocation in AWS). */
export interface ExportWorker {
  start(jobId: string): Promise<void>;
}

/** Streams rows to object storage as CSV (memory stays flat). The worker's: it never hands out links. */
export interface ExportWriter {
  write(key: string, header: readonly string[], rows: AsyncIterable<readonly string[]>): Promise<number>;
}

/** Hands out short-lived download links to written exports. The admin API's: it never writes one. */
export interface ExportLinks {
  /** A presigned GET link for the object, valid for `seconds`. */
  link(key: string, seconds: number): Promise<string>;
}

/** Pages of items from storage, in whatever order is fastest (a Query, or a parallel Scan). */
export interface ExportSource {
  subscribers(filters: ExportFilters): AsyncIterable<Subscriber>;
  gifts(filters: ExportFilters): AsyncIterable<Gift>;
}

/** Starting an export and reporting on it (the admin API). */
export interface ExportAdminDeps {
  clock: Clock;
  jobs: ExportJobs;
  worker: ExportWorker;
  links: ExportLinks;
}

/**
 * What a filter may name: the lists subscribers are counted on (the counts every subscriber write keeps), and the
 * campaigns. Both are read from what the admin API holds already: no new access to the tables.
 */
export interface ExportCatalogue {
  /** The configured lists (a list with no subscriber yet is still a list). */
  listIds: readonly string[];
  counts: SubscriberCounts;
  campaigns: Pick<CampaignRepository, 'list'>;
}

/** Running one (the export worker). */
export interface ExportRunDeps {
  clock: Clock;
  jobs: ExportJobs;
  source: ExportSource;
  writer: ExportWriter;
}

export const SUBSCRIBER_COLUMNS = ['email', 'name', 'status', 'lists', 'subscribed_at', 'confirmed_at', 'unsubscribed_at', 'source'] as const;
/** API.md: columns are only ever added at the end (the decimal ones came last, for spreadsheets). */
export const DONATION_COLUMNS = [
  'id', 'created_at', 'campaign', 'amount', 'currency', 'frequency', 'status', 'donor_email', 'donor_name', 'refunded_amount',
  'amount_decimal', 'refunded_decimal',
] as const;
export const LINK_SECONDS = 15 * 60;
/** The worker function's 15-minute timeout, plus Lambda's queueing of the asynchronous invocation. */
const WORKER_DEADLINE_MS = 20 * 60 * 1000;

/**
 * The CSV dialect every export is written in (RFC 4180 with CRLF records), for the store's CSV writer.
 * The file starts with a UTF-8 byte-order mark, so that spreadsheet programs (Excel) read it as UTF-8.
 * csv-stringify quotes a cell that holds the record delimiter, which with CRLF records is only the pair: a lone
 * LF or CR, or a Unicode line break (NEL, LS, PS) that spreadsheets also split on, would go out bare and break
 * the row in two. So any line break, and space at either end, makes a cell quoted.
 */
export const CSV_OPTIONS = {
  // A byte-order mark first: Excel reads a CSV without one in the machine's legacy code page (API.md).
  bom: true,
  record_delimiter: 'windows',
  quoted_match: /^\s|\s$|[\n\r\u0085\u2028\u2029]/,
} as const;

/** Spreadsheet formula injection: a text cell starting with = + - @ tab or CR is prefixed with `'`. */
export const safeCell = (value: string | number | undefined): string => {
  if (value === undefined) return '';
  const text = String(value);
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

export const subscriberRow = (s: Subscriber): string[] =>
  [s.email, s.name, s.status, s.lists.join(';'), s.subscribedAt, s.confirmedAt, s.unsubscribedAt, s.source].map(safeCell);

export const giftStatus = (g: Gift): DonationStatus => {
  if (g.disputed) return 'disputed';
  if (g.status === 'paid' && g.amount !== undefined && g.refunded >= g.amount) return 'refunded';
  if (g.status === 'paid' && g.refunded > 0) return 'partially_refunded';
  return g.status;
};

/**
 * Minor units in major units with the currency's own digits and a point, no grouping (`2500` usd → `25.00`, `2500`
 * jpy → `2500`), as every spreadsheet locale reads a number from a CSV. Exact: digits are moved, never divided.
 */
export const majorUnits = (minor: number | undefined, currency: string | undefined): string => {
  if (minor === undefined || currency === undefined || !Number.isInteger(minor)) return '';
  let digits: number;
  try {
    digits = fractionDigits(currency);
  } catch {
    return ''; // not an ISO 4217 code: no decimal form to give
  }
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
};

export const donationRow = (g: Gift): string[] =>
  [
    g.key, g.createdAt, g.campaign, g.amount, g.currency, g.frequency, giftStatus(g), g.donorEmail, g.donorName, g.refunded,
    majorUnits(g.amount, g.currency), majorUnits(g.refunded, g.currency),
  ].map(safeCell);

const invalid = (field: string, message: string) => new ValidationError('invalid_field', message, { field });
const oneOf = (values: readonly string[]) => values.join(', ');
const SUBSCRIBER_STATUSES: readonly string[] = SubscriberStatus.options;
const DONATION_STATUSES: readonly string[] = DonationStatus.options;

/**
 * A filter that does not fit the kind, or names what does not exist, is refused (400 `invalid_field`), never
 * answered with an empty file: a status of the other kind, a list no subscriber has ever been counted on, a
 * campaign that is not there.
 */
const checkFilters = async (deps: ExportCatalogue, request: ExportRequest) => {
  const { kind, status } = request;
  if (kind === 'donations' && request.list) throw invalid('list', 'The list filter applies to subscribers exports only.');
  if (kind === 'subscribers' && request.campaign) throw invalid('campaign', 'The campaign filter applies to donations exports only.');
  if (status !== undefined) {
    const [own, other, otherKind] =
      kind === 'subscribers' ? [SUBSCRIBER_STATUSES, DONATION_STATUSES, 'donation'] : [DONATION_STATUSES, SUBSCRIBER_STATUSES, 'subscriber'];
    if (!own.includes(status)) {
      const what = other.includes(status) ? `a ${otherKind} status` : 'not a status';
      throw invalid('status', `"${status}" is ${what}: a ${kind} export takes ${oneOf(own)}.`);
    }
  }
  if (request.since && request.until && request.since > request.until) throw invalid('since', 'since must be before until.');
  if (request.list) {
    // The configured lists, and any list a subscriber is still counted on (one since removed from the configuration).
    const counted = Object.keys(await deps.counts.read()).flatMap((key) => (key.startsWith('list:') ? [key.split(':')[1] ?? ''] : []));
    const lists = new Set([...deps.listIds, ...counted]);
    if (!lists.has(request.list)) {
      const known = lists.size ? `the lists are ${oneOf([...lists].sort())}` : 'there are no lists';
      throw invalid('list', `There is no list "${request.list}": ${known}.`);
    }
  }
  if (request.campaign) {
    const campaigns = (await deps.campaigns.list()).map((c) => c.id);
    if (!campaigns.includes(request.campaign)) {
      const known = campaigns.length ? `the campaigns are ${oneOf(campaigns.sort())}` : 'there are no campaigns yet';
      throw invalid('campaign', `There is no campaign "${request.campaign}": ${known}.`);
    }
  }
};

/**
 * Checks the filters (ValidationError, see checkFilters), records a running export and starts the worker. Returns at
 * once: the export streams in the background.
 */
export const startExport = async (deps: Pick<ExportAdminDeps, 'clock' | 'jobs' | 'worker'> & ExportCatalogue, request: ExportRequest) => {
  await checkFilters(deps, request);
  const { kind, ...filters } = request;
  const job: ExportJob = { id: `exp_${newId(12)}`, kind, filters, status: 'running', rows: 0, createdAt: deps.clock.now().toISOString() };
  await deps.jobs.create(job);
  try {
    await deps.worker.start(job.id);
  } catch (error) {
    await deps.jobs.finish(job.id, { status: 'failed', rows: 0 }, deps.clock.now());
    throw error;
  }
  return { id: job.id, status: job.status };
};

const PROGRESS_EVERY = 10_000;

async function* mapRows<T>(items: AsyncIterable<T>, row: (item: T) => string[], progress: (rows: number) => Promise<void>, keep: (item: T) => boolean = () => true) {
  let count = 0;
  for await (const item of items) {
    if (!keep(item)) continue;
    yield row(item);
    count += 1;
    if (count % PROGRESS_EVERY === 0) await progress(count);
  }
}

/** A donation's status is worked out from the gift (refunds, disputes): filtered here, as the rows go by. */
const ofStatus = (status: string | undefined) => (gift: Gift) => status === undefined || giftStatus(gift) === status;

/** The worker: streams every matching row through the CSV writer into object storage, then marks the job. */
export const runExport = async (deps: ExportRunDeps, jobId: string) => {
  const job = await deps.jobs.get(jobId);
  if (job?.status !== 'running') return;
  const key = `exports/${job.createdAt.slice(0, 10)}/${job.id}-${job.kind}.csv`;
  const progress = (rows: number) => deps.jobs.progress(job.id, rows);
  try {
    const rows =
      job.kind === 'subscribers'
        ? await deps.writer.write(key, SUBSCRIBER_COLUMNS, mapRows(deps.source.subscribers(job.filters), subscriberRow, progress))
        : await deps.writer.write(key, DONATION_COLUMNS, mapRows(deps.source.gifts(job.filters), donationRow, progress, ofStatus(job.filters.status)));
    await deps.jobs.finish(job.id, { status: 'done', rows, objectKey: key }, deps.clock.now());
  } catch (error) {
    await deps.jobs.finish(job.id, { status: 'failed', rows: 0 }, deps.clock.now());
    throw error;
  }
};

/** An export's state; once done, a presigned link valid for 15 minutes. Throws NotFoundError. */
export const exportStatus = async (deps: Pick<ExportAdminDeps, 'clock' | 'jobs' | 'links'>, id: string) => {
  let job = await deps.jobs.get(id);
  if (!job) throw new NotFoundError(UNKNOWN_EXPORT);
  if (job.status === 'running' && deps.clock.now().getTime() - Date.parse(job.createdAt) > WORKER_DEADLINE_MS) {
    // The worker died (timeout, crash) without saying so: no export runs longer than its function may.
    await deps.jobs.finish(job.id, { status: 'failed', rows: job.rows }, deps.clock.now());
    job = { ...job, status: 'failed' };
  }
  const base = { id: job.id, kind: job.kind, status: job.status, rows: job.rows };
  if (job.status !== 'done' || !job.objectKey) return base;
  const expiresAt = new Date(deps.clock.now().getTime() + LINK_SECONDS * 1000).toISOString();
  return { ...base, url: await deps.links.link(job.objectKey, LINK_SECONDS), expiresAt };
};
