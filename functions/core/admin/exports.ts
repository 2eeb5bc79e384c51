import * as z from 'zod/mini';
import '../shared/schema.js'; // zod's messages, worded for every parse
import { CampaignId, type Gift } from '../donations/model.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { ListId, type Subscriber, SubscriberStatus } from '../subscriptions/model.js';
import type { Clock } from '../shared/ports.js';
import { newId } from '../shared/secrets.js';

const Instant = z.pipe(
  z.iso.datetime({ offset: true }),
  z.transform((s) => new Date(s).toISOString()),
);

/** `POST /v1/admin/exports`. Subscribers filter on status, list and signup time; donations on campaign and time. */
export const ExportRequest = z.strictObject({
    kind: z.enum(['subscribers', 'donations']),
    status: z.optional(SubscriberStatus),
    list: z.optional(ListId),
    campaign: z.optional(CampaignId),
    since: z.optional(Instant),
  until: z.optional(Instant),
});
export type ExportRequest = z.infer<typeof ExportRequest>;
export type ExportFilters = Omit<ExportRequest, 'kind'>;

export const ExportJob = z.object({
  id: z.string(),
  kind: z.enum(['subscribers', 'donations']),
  filters: z.omit(ExportRequest, { kind: true }),
  status: z.enum(['running', 'done', 'failed']),
  rows: z.int().check(z.nonnegative()),
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

/** Running one (the export worker). */
export interface ExportRunDeps {
  clock: Clock;
  jobs: ExportJobs;
  source: ExportSource;
  writer: ExportWriter;
}

export const SUBSCRIBER_COLUMNS = ['email', 'name', 'status', 'lists', 'subscribed_at', 'confirmed_at', 'unsubscribed_at', 'source'] as const;
export const DONATION_COLUMNS = ['id', 'created_at', 'campaign', 'amount', 'currency', 'frequency', 'status', 'donor_email', 'donor_name', 'refunded_amount'] as const;
export const LINK_SECONDS = 15 * 60;
/** The worker function's 15-minute timeout, plus Lambda's queueing of the asynchronous invocation. */
const WORKER_DEADLINE_MS = 20 * 60 * 1000;

/**
 * The CSV dialect every export is written in (RFC 4180 with CRLF records), for the store's CSV writer.
 * csv-stringify quotes a cell that holds the record delimiter, which with CRLF records is only the pair: a lone
 * LF or CR, or a Unicode line break (NEL, LS, PS) that spreadsheets also split on, would go out bare and break
 * the row in two. So any line break, and space at either end, makes a cell quoted.
 */
export const CSV_OPTIONS = {
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

const giftStatus = (g: Gift) => {
  if (g.disputed) return 'disputed';
  if (g.status === 'paid' && g.amount !== undefined && g.refunded >= g.amount) return 'refunded';
  if (g.status === 'paid' && g.refunded > 0) return 'partially_refunded';
  return g.status;
};

export const donationRow = (g: Gift): string[] =>
  [g.key, g.createdAt, g.campaign, g.amount, g.currency, g.frequency, giftStatus(g), g.donorEmail, g.donorName, g.refunded].map(safeCell);

const checkFilters = (request: ExportRequest) => {
  const wrong = (field: string) =>
    new ValidationError('invalid_field', `The ${field} filter does not apply to ${request.kind} exports.`, { field });
  if (request.kind === 'donations' && request.status) throw wrong('status');
  if (request.kind === 'donations' && request.list) throw wrong('list');
  if (request.kind === 'subscribers' && request.campaign) throw wrong('campaign');
  if (request.since && request.until && request.since > request.until) {
    throw new ValidationError('invalid_field', 'since must be before until.', { field: 'since' });
  }
};

/** Records a running export and starts the worker. Returns at once: the export streams in the background. */
export const startExport = async (deps: Pick<ExportAdminDeps, 'clock' | 'jobs' | 'worker'>, request: ExportRequest) => {
  checkFilters(request);
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

async function* mapRows<T>(items: AsyncIterable<T>, row: (item: T) => string[], progress: (rows: number) => Promise<void>) {
  let count = 0;
  for await (const item of items) {
    yield row(item);
    count += 1;
    if (count % PROGRESS_EVERY === 0) await progress(count);
  }
}

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
        : await deps.writer.write(key, DONATION_COLUMNS, mapRows(deps.source.gifts(job.filters), donationRow, progress));
    await deps.jobs.finish(job.id, { status: 'done', rows, objectKey: key }, deps.clock.now());
  } catch (error) {
    await deps.jobs.finish(job.id, { status: 'failed', rows: 0 }, deps.clock.now());
    throw error;
  }
};

/** An export's state; once done, a presigned link valid for 15 minutes. Throws NotFoundError. */
export const exportStatus = async (deps: Pick<ExportAdminDeps, 'clock' | 'jobs' | 'links'>, id: string) => {
  let job = await deps.jobs.get(id);
  if (!job) throw new NotFoundError('There is no export with this id.');
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
