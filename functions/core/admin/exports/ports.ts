import type { Gift } from '../../donations/model.js';
import type { Subscriber } from '../../subscriptions/model.js';
import type { ExportFilters, ExportJob } from './model.js';

export interface ExportJobs {
  create(job: ExportJob): Promise<void>;
  get(id: string): Promise<ExportJob | undefined>;
  /** Records how many rows a running job has written so far. */
  progress(id: string, rows: number): Promise<void>;
  /** Moves a running job to done or failed (only from running). */
  finish(id: string, outcome: { status: 'done'; rows: number; objectKey: string } | { status: 'failed'; rows: number }, at: Date): Promise<void>;
}

/** The jobs listed newest first: the console's history of exports. */
export interface ExportHistory {
  /** The newest `limit` jobs, newest first (jobs are kept 30 days). */
  recent(limit: number): Promise<ExportJob[]>;
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
