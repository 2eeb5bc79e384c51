import type { Gift } from '../../donations/model.js';
import type { CampaignRepository } from '../../donations/ports.js';
import { NotFoundError, ValidationError } from '../../shared/errors.js';
import type { Clock } from '../../shared/ports.js';
import { newId } from '../../shared/secrets.js';
import { SubscriberStatus } from '../../subscriptions/model.js';
import type { SubscriberCounts } from '../../subscriptions/ports.js';
import { DONATION_COLUMNS, donationRow, GIFT_AID_COLUMNS, giftAidRow, giftStatus, SUBSCRIBER_COLUMNS, subscriberRow } from './csv.js';
import { claimLineOf } from '../../donations/gift-aid.js';
import type { GiftAidCancellations } from '../../donations/gift-aid-cancel.js';
import { DonationStatus, type ExportJob, type ExportRequest, UNKNOWN_EXPORT } from './model.js';
import type { ExportJobs, ExportLinks, ExportSource, ExportWorker, ExportWriter } from './ports.js';

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
  /** The donors' Gift Aid cancellations: the gift-aid export leaves out what they stopped. */
  giftAidCancellations: Pick<GiftAidCancellations, 'cancellationsOf'>;
}

export const LINK_SECONDS = 15 * 60;
/** How long an export's file is kept: the export bucket deletes it this many days after it was written. */
export const EXPORT_FILE_DAYS = 7;
/** The export worker's Lambda timeout (infra/constructs/admin-console.ts): no run of it lasts longer. */
export const EXPORT_WORKER_TIMEOUT_SECONDS = 15 * 60;
/**
 * How long after it was started a job still `running` is reported failed: the worker's timeout plus a margin for
 * Lambda's queueing of the asynchronous invocation. A worker that dies (a timeout, out of memory, a crash) cannot
 * mark its job itself.
 */
export const EXPORT_DEADLINE_SECONDS = EXPORT_WORKER_TIMEOUT_SECONDS + 5 * 60;

const invalid = (field: string, message: string) => new ValidationError('invalid_field', message, { field });
const oneOf = (values: readonly string[]) => values.join(', ');
const subscriberStatuses = (): readonly string[] => SubscriberStatus.options;
const donationStatuses = (): readonly string[] => DonationStatus.options;

/**
 * A filter that does not fit the kind, or names what does not exist, is refused (400 `invalid_field`), never
 * answered with an empty file: a status of the other kind, a list no subscriber has ever been counted on, a
 * campaign that is not there.
 */
const checkFilters = async (deps: ExportCatalogue, request: ExportRequest) => {
  const { kind, status } = request;
  if (kind === 'gift-aid') {
    // The claim is every claimable gift of the period: a part of it (one campaign, one status) is not a claim.
    for (const field of ['status', 'list', 'campaign'] as const) {
      if (request[field] !== undefined) throw invalid(field, `A gift-aid export takes since and until only: it lists every gift that may be claimed.`);
    }
  }
  if (kind === 'donations' && request.list) throw invalid('list', 'The list filter applies to subscribers exports only.');
  if (kind === 'subscribers' && request.campaign) throw invalid('campaign', 'The campaign filter applies to donations exports only.');
  if (status !== undefined) {
    const [own, other, otherKind] =
      kind === 'subscribers' ? [subscriberStatuses(), donationStatuses(), 'donation'] : [donationStatuses(), subscriberStatuses(), 'subscriber'];
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
 * Checks the filters (ValidationError, see checkFilters), records a running export (and `by`, who started it) and
 * starts the worker. Returns at once: the export streams in the background.
 */
export const startExport = async (deps: Pick<ExportAdminDeps, 'clock' | 'jobs' | 'worker'> & ExportCatalogue, request: ExportRequest, by?: string) => {
  await checkFilters(deps, request);
  const { kind, ...filters } = request;
  const job: ExportJob = { id: `exp_${newId(12)}`, kind, filters, status: 'running', rows: 0, createdAt: deps.clock.now().toISOString(), ...(by ? { by } : {}) };
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

/** A bank debit is paid days after its gift was made: the gifts made up to this long before `since` are read too. */
const PAYMENT_DELAY_MS = 31 * 86_400_000;

/**
 * The lines of a Gift Aid claim: each claimable gift (claimLineOf, with its donor's cancellations) paid between
 * `since` and `until`. Gifts are found
 * by when they were made, so the search starts a month earlier and each gift is then kept by when it was paid.
 */
async function* claimLines(deps: Pick<ExportRunDeps, 'source' | 'giftAidCancellations'>, filters: ExportJob['filters']) {
  const since = filters.since ? new Date(Date.parse(filters.since) - PAYMENT_DELAY_MS).toISOString() : undefined;
  for await (const gift of deps.source.gifts({ ...(since ? { since } : {}), ...(filters.until ? { until: filters.until } : {}) })) {
    if (!gift.paidAt || (filters.since && gift.paidAt < filters.since) || (filters.until && gift.paidAt > filters.until)) continue;
    if (!gift.giftAid) continue;
    // A declared gift looks up its donor's cancellations (one small read: few gifts carry a declaration).
    const cancellations = gift.donorEmail ? await deps.giftAidCancellations.cancellationsOf(gift.donorEmail) : [];
    const line = claimLineOf(gift, cancellations);
    if (line) yield line;
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
        : job.kind === 'gift-aid'
          ? await deps.writer.write(key, GIFT_AID_COLUMNS, mapRows(claimLines(deps, job.filters), giftAidRow, progress))
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
  if (job.status === 'running' && deps.clock.now().getTime() - Date.parse(job.createdAt) > EXPORT_DEADLINE_SECONDS * 1000) {
    // The worker died (timeout, crash) without saying so: no export runs longer than its function may. Marked
    // failed only if still running (a conditional write: a worker that finished meanwhile keeps its outcome).
    await deps.jobs.finish(job.id, { status: 'failed', rows: job.rows }, deps.clock.now());
    // Read again: a worker that finished between the read and that write keeps its outcome, and it is the answer.
    job = (await deps.jobs.get(id)) ?? { ...job, status: 'failed' };
  }
  const base = { id: job.id, kind: job.kind, status: job.status, rows: job.rows };
  if (job.status !== 'done' || !job.objectKey) return base;
  const expiresAt = new Date(deps.clock.now().getTime() + LINK_SECONDS * 1000).toISOString();
  return { ...base, url: await deps.links.link(job.objectKey, LINK_SECONDS), expiresAt };
};
