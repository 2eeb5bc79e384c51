import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoExportJobs } from '../../functions/adapters/dynamo-exports.js';
import { EXPORT_DEADLINE_SECONDS, exportStatus, runExport } from '../../functions/core/admin/exports/exports.js';
import type { ExportJob } from '../../functions/core/admin/exports/model.js';
import { newId } from '../../functions/core/shared/secrets.js';
import { MemoryExportStore } from '../support/admin-fakes.js';
import { startTables } from '../support/dynamodb.js';
import { FakeClock } from '../support/fakes.js';

let db: Awaited<ReturnType<typeof startTables>>;
beforeAll(async () => {
  db = await startTables();
});
afterAll(() => db.close());

/** A job as startExport records it, on DynamoDB Local, and the admin API's and the worker's view of it. */
const started = async () => {
  const clock = new FakeClock();
  const jobs = new DynamoExportJobs(db.client, db.tables.subscribers);
  const store = new MemoryExportStore();
  const job: ExportJob = { id: `exp_${newId(12)}`, kind: 'subscribers', filters: {}, status: 'running', rows: 0, createdAt: clock.now().toISOString() };
  await jobs.create(job);
  const admin = { clock, jobs, worker: { start: async () => {} }, links: store };
  const worker = { clock, jobs, writer: store, source: { subscribers: async function* () {}, gifts: async function* () {} }, giftAidCancellations: { cancellationsOf: async () => [] } };
  return { clock, jobs, job, admin, worker, store };
};

describe('an export whose worker died', () => {
  it('is reported running until its deadline (the worker timeout plus a margin), then failed, and stays failed', async () => {
    const { clock, jobs, job, admin } = await started();
    await jobs.progress(job.id, 10_000); // the worker got this far, then died
    clock.advance(EXPORT_DEADLINE_SECONDS);
    expect(await exportStatus(admin, job.id)).toEqual({ id: job.id, kind: 'subscribers', status: 'running', rows: 10_000 });
    clock.advance(1);
    expect(await exportStatus(admin, job.id)).toEqual({ id: job.id, kind: 'subscribers', status: 'failed', rows: 10_000 });
    expect(await jobs.get(job.id)).toMatchObject({ status: 'failed', finishedAt: clock.now().toISOString() });
    expect(await exportStatus(admin, job.id)).toMatchObject({ status: 'failed' });
  });

  it('is not brought back by a worker that starts or finishes after it was reported failed', async () => {
    const { clock, jobs, job, admin, worker, store } = await started();
    clock.advance(EXPORT_DEADLINE_SECONDS + 1);
    await exportStatus(admin, job.id);
    await runExport(worker, job.id);
    expect(store.objects.size).toBe(0);
    await jobs.finish(job.id, { status: 'done', rows: 5, objectKey: 'exports/late.csv' }, clock.now());
    expect(await exportStatus(admin, job.id)).toMatchObject({ status: 'failed' });
  });

  it('keeps the outcome of a worker that finished in time, however late it is asked', async () => {
    const { clock, job, admin, worker } = await started();
    await runExport(worker, job.id);
    clock.advance(EXPORT_DEADLINE_SECONDS * 10);
    expect(await exportStatus(admin, job.id)).toMatchObject({ status: 'done', rows: 0, url: expect.stringContaining(job.id) });
  });
});
