import { NotFoundError } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import { type ConnectorStore, UNKNOWN_CONNECTOR } from './admin.js';
import { type Backfill, type BackfillCursor, backfillView } from './backfill-model.js';
import { ConnectorError, type ConnectorResult, type NewsletterConnector } from './model.js';
import { type ConnectorSyncDeps, markSaidNo } from './sync.js';
import type { Subscriber } from '../subscriptions/model.js';

/** One reader on the status index: their address, the sort key a cursor resumes after, and their record now (absent: erased). */
export interface IndexedReader {
  email: string;
  sortKey: string;
  subscriber?: Subscriber;
}

/** The confirmed readers, read on the status index (never a Scan), in a stable order a cursor can resume. */
export interface ConfirmedReaders {
  /**
   * Up to `limit` readers after the cursor, each with their record as it is now (read consistently: the index may
   * lag); `next` is the cursor after them, absent when none are left.
   */
  page(cursor: BackfillCursor, limit: number): Promise<{ readers: IndexedReader[]; next?: BackfillCursor }>;
  /** How many there are now (for the progress's `total`). */
  count(): Promise<number>;
}

/** The backfill's part of the connector's item. Every write is conditional, so two workers never both push. */
export interface BackfillStore {
  /** Writes a new run (or a resumed one) if the backfill is still at `expectedStep` (undefined: none yet); false otherwise. */
  startBackfill(id: string, backfill: Backfill, expectedStep: number | undefined): Promise<boolean>;
  /** Takes the run for one slice, until `leaseUntil`, if it is at `step` and nobody holds it at `now`; false otherwise. */
  claimBackfill(id: string, step: number, now: string, leaseUntil: string): Promise<boolean>;
  /** Saves progress, only while the holder's lease (`heldUntil`) is still the one on the run at `step`; false otherwise. */
  saveBackfill(id: string, backfill: Backfill, held: { step: number; leaseUntil: string }): Promise<boolean>;
}

/** A backfill job on the queue: the connector and the run's step, never readers' data. */
export interface BackfillJob {
  connector: string;
  step: number;
}

export interface BackfillQueue {
  /** Queues a slice of the run after `delaySeconds` (0 to 900, as SQS allows). */
  send(job: BackfillJob & { delaySeconds: number }): Promise<void>;
}

export interface BackfillRequestDeps {
  clock: Clock;
  connectors: Pick<ConnectorStore, 'get'> & BackfillStore;
  queue: BackfillQueue;
}

export interface BackfillRunDeps extends BackfillRequestDeps {
  readers: ConfirmedReaders;
  /** The tools' clients and the subscribers, as the connector deliveries use them. */
  sync: Pick<ConnectorSyncDeps, 'connectorFor' | 'subscribers' | 'language'>;
  /** Readers per page (each page's progress is saved). */
  pageSize?: number;
  /** How long one slice pushes before it saves and queues the next (a Lambda invocation must end in time). */
  sliceMs?: number;
}

/** Readers read per page; the progress is saved after each. */
export const BACKFILL_PAGE = 100;
/**
 * A slice's pushing time: the delivery worker's invocation (80 s for five jobs) must end with room for the other
 * jobs of its batch.
 */
export const BACKFILL_SLICE_MS = 20_000;
/** A slice's hold on its run: its pushing time, a last page's requests (10 s timeouts) and the writes around them. */
export const BACKFILL_LEASE_MS = 60_000;
/**
 * Pushes at once: Mailchimp allows an account 10 simultaneous connections shared with the newsroom's other tools
 * (its client keeps to 4 whatever is asked); listmonk is a newsroom's own small server.
 */
const CONCURRENCY = { mailchimp: 4, listmonk: 3 } as const;
/** SQS delays a message by at most 15 minutes. */
const MAX_DELAY_S = 900;

/**
 * Starts a connector's backfill, or goes on with it: a failed one resumes from its cursor (what it pushed is not
 * pushed again); a running one is nudged (its job queued again: a duplicate is dropped by the lease or its step); a
 * finished one, or none, starts from the first reader. Answers the progress. NotFoundError for an unknown connector.
 */
export const requestBackfill = async (deps: BackfillRequestDeps, id: string) => {
  for (;;) {
    const connector = await deps.connectors.get(id);
    if (!connector) throw new NotFoundError(UNKNOWN_CONNECTOR);
    const current = connector.backfill;
    if (current?.state === 'running') {
      await deps.queue.send({ connector: id, step: current.step, delaySeconds: 0 });
      return backfillView(current);
    }
    const step = (current?.step ?? 0) + 1;
    const { leaseUntil: _lease, error: _error, finishedAt: _finished, ...kept } = current ?? ({} as Partial<Backfill>);
    const next: Backfill =
      current?.state === 'failed'
        ? { ...(kept as Backfill), state: 'running', step }
        : { state: 'running', pushed: 0, startedAt: deps.clock.now().toISOString(), step, cursor: { shard: 0 } };
    // Another request started it a moment ago: read it again and answer that run.
    if (!(await deps.connectors.startBackfill(id, next, current?.step))) continue;
    await deps.queue.send({ connector: id, step, delaySeconds: 0 });
    return backfillView(next);
  }
};

export type SliceOutcome = 'gone' | 'stale' | 'taken' | 'continued' | 'waiting' | 'done' | 'failed';

type PageOutcome = { done: number; retryAfterSeconds?: number; error?: ConnectorError };

/**
 * Pushes readers with at most `concurrency` at once, in order: only one still confirmed (as their record is now) is
 * pushed, with their consent times; one whose "no" the tool keeps is marked unsubscribed in
 * Appeal. Stops taking readers at the first "later" or refusal; answers how many from the start were done, so the
 * cursor never passes a reader that was not.
 */
const pushPage = async (deps: BackfillRunDeps, tool: NewsletterConnector, readers: readonly IndexedReader[], concurrency: number): Promise<PageOutcome> => {
  const results: (ConnectorResult | ConnectorError | undefined)[] = new Array(readers.length);
  let next = 0;
  let stop = false;
  const one = async (reader: IndexedReader): Promise<ConnectorResult> => {
    const { subscriber } = reader;
    if (subscriber?.status !== 'confirmed') return { outcome: 'done' };
    const result = await tool.push({
      email: subscriber.email,
      ...(subscriber.name ? { name: subscriber.name } : {}),
      lang: subscriber.lang ?? deps.sync.language,
      signedUpAt: subscriber.createdAt,
      confirmedAt: subscriber.confirmedAt ?? subscriber.updatedAt,
    });
    if (result.outcome === 'refused_by_person') await markSaidNo({ clock: deps.clock, subscribers: deps.sync.subscribers }, subscriber.email);
    return result;
  };
  const lane = async () => {
    while (!stop && next < readers.length) {
      const index = next++;
      const reader = readers[index] as IndexedReader;
      try {
        const result = await one(reader);
        results[index] = result;
        if (result.outcome === 'retry_later') stop = true;
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        results[index] = error;
        stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, readers.length) }, lane));
  let done = 0;
  while (done < readers.length) {
    const result = results[done];
    if (result === undefined) break;
    if (result instanceof ConnectorError) return { done, error: result };
    if (result.outcome === 'retry_later') return { done, retryAfterSeconds: result.retryAfterSeconds };
    done += 1;
  }
  return { done };
};

/**
 * One slice of a backfill run (a queued job): claims the run, then pushes page after page of confirmed readers
 * from the cursor, saving the cursor and the count after each page, until the readers are all pushed (done), the
 * slice's time is up (the next slice queued), the tool asks to wait (the next slice queued after its Retry-After),
 * or the tool refuses what a retry cannot fix (failed, its cursor kept for a resumption). A job of another step,
 * or of a run that is not running, is dropped; a job that finds the run held waits for the lease to end. A crash
 * mid-slice leaves the last saved page: the job is delivered again and goes on from there.
 */
export const runBackfillSlice = async (deps: BackfillRunDeps, job: BackfillJob): Promise<SliceOutcome> => {
  const connector = await deps.connectors.get(job.connector);
  const current = connector?.backfill;
  if (!connector || !current) return 'gone';
  if (current.step !== job.step || current.state !== 'running') return 'stale';
  const now = deps.clock.now();
  if (current.leaseUntil && Date.parse(current.leaseUntil) > now.getTime()) {
    const wait = Math.ceil((Date.parse(current.leaseUntil) - now.getTime()) / 1000);
    await deps.queue.send({ ...job, delaySeconds: Math.min(MAX_DELAY_S, wait) });
    return 'taken';
  }
  const leaseUntil = new Date(now.getTime() + BACKFILL_LEASE_MS).toISOString();
  if (!(await deps.connectors.claimBackfill(job.connector, job.step, now.toISOString(), leaseUntil))) return 'taken';
  const held = { step: job.step, leaseUntil };
  let progress: Backfill = { ...current, leaseUntil };
  const save = async (next: Backfill) => {
    if (!(await deps.connectors.saveBackfill(job.connector, next, held))) throw new BackfillLostError();
    progress = next;
  };
  try {
    if (progress.total === undefined) await save({ ...progress, total: await deps.readers.count() });
    const tool = await deps.sync.connectorFor(connector);
    const concurrency = CONCURRENCY[connector.settings.kind];
    const started = performance.now();
    const sliceMs = deps.sliceMs ?? BACKFILL_SLICE_MS;
    while (progress.cursor) {
      if (performance.now() - started >= sliceMs) return await handOn(deps, job, save, progress, 0);
      const cursor = progress.cursor;
      const page = await deps.readers.page(cursor, deps.pageSize ?? BACKFILL_PAGE);
      const outcome = await pushPage(deps, tool, page.readers, concurrency);
      const last = page.readers[outcome.done - 1];
      const complete = outcome.done === page.readers.length;
      const { cursor: _old, ...rest } = progress;
      const moved: Backfill = {
        ...rest,
        pushed: progress.pushed + outcome.done,
        ...(complete ? (page.next ? { cursor: page.next } : {}) : { cursor: last ? { shard: cursor.shard, after: last.sortKey } : cursor }),
      };
      if (outcome.error) {
        const { leaseUntil: _l, ...failed } = moved;
        await save({ ...failed, state: 'failed', finishedAt: deps.clock.now().toISOString(), error: outcome.error.message });
        return 'failed';
      }
      if (outcome.retryAfterSeconds !== undefined) return await handOn(deps, job, save, moved, outcome.retryAfterSeconds);
      if (!moved.cursor) {
        const { leaseUntil: _l, ...finished } = moved;
        await save({ ...finished, state: 'done', finishedAt: deps.clock.now().toISOString() });
        return 'done';
      }
      await save(moved);
    }
    return 'done';
  } catch (error) {
    if (error instanceof BackfillLostError) return 'taken';
    throw error;
  }
};

/** Saves the progress, lets the run go, and queues its next slice (after `delaySeconds`, the tool's Retry-After). */
const handOn = async (deps: BackfillRunDeps, job: BackfillJob, save: (next: Backfill) => Promise<void>, progress: Backfill, delaySeconds: number) => {
  const { leaseUntil: _l, ...released } = progress;
  await save(released);
  // A crash before this send: the job is delivered again, finds the run free, and goes on.
  await deps.queue.send({ ...job, delaySeconds: Math.min(MAX_DELAY_S, Math.max(0, Math.ceil(delaySeconds))) });
  return delaySeconds > 0 ? 'waiting' : 'continued';
};

/** The run was taken over (this slice outlived its lease) or restarted: this slice stops, pushing nothing more. */
class BackfillLostError extends Error {
  override name = 'BackfillLostError';
}
