import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { S3ExportLinks } from '../../../../functions/adapters/s3-export-links.js';
import type { Gift } from '../../../../functions/core/donations/model.js';
import { stringify } from 'csv-stringify/sync';
import { CSV_OPTIONS, donationRow, safeCell, subscriberRow } from '../../../../functions/core/admin/exports/csv.js';
import { exportStatus, EXPORT_DEADLINE_SECONDS, LINK_SECONDS, startExport } from '../../../../functions/core/admin/exports/exports.js';
import type { Subscriber } from '../../../../functions/core/subscriptions/model.js';
import { FakeClock } from '../../../support/fakes.js';
import type { ExportJob } from '../../../../functions/core/admin/exports/model.js';
import { makeCatalogue, MemoryExportJobs } from '../../../support/admin-fakes.js';

describe('CSV cells', () => {
  it('neutralise spreadsheet formulas in text, not in numbers', () => {
    for (const text of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) expect(safeCell(text)).toBe(`'${text}`);
    expect(safeCell('plain')).toBe('plain');
    expect(safeCell(-5)).toBe('-5');
    expect(safeCell(undefined)).toBe('');
  });

  it('follow the contract\'s column order', () => {
    const subscriber = {
      email: 'a@example.org',
      name: '=cmd',
      status: 'confirmed',
      lists: ['news', 'events'],
      subscribedAt: '2026-01-01T00:00:00.000Z',
      confirmedAt: '2026-01-02T00:00:00.000Z',
      source: 'https://news.example.org/a',
    } as Subscriber;
    expect(subscriberRow(subscriber)).toEqual(['a@example.org', "'=cmd", 'confirmed', 'news;events', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '', 'https://news.example.org/a', ...Array(9).fill('')]);
    const gift = { key: 'pi_1', createdAt: '2026-01-01T00:00:00.000Z', campaign: 'c', amount: 2500, currency: 'usd', frequency: 'once', status: 'paid', refunded: 500, disputed: false, donorEmail: 'd@example.org', donorName: '@d' } as Gift;
    expect(donationRow(gift)).toEqual(['pi_1', '2026-01-01T00:00:00.000Z', 'c', '2500', 'usd', 'once', 'partially_refunded', 'd@example.org', "'@d", '500', '25.00', '5.00', ...Array(9).fill(''), '0', '', '', 'false']);
  });
});

describe('the CSV dialect', () => {
  it('quotes a cell with any line break (LF, CR, NEL, LS, PS), so a name never splits a row', () => {
    const names = ['Ann\nSmith', 'Ann\rSmith', 'Ann\u0085Smith', 'Ann\u2028Smith', 'Ann\u2029Smith', 'Ann\r\nSmith'];
    for (const name of names) {
      const row = subscriberRow({ email: 'a@example.org', name, status: 'confirmed', lists: ['news'], subscribedAt: '2026-01-01T00:00:00.000Z' } as Subscriber);
      expect(stringify([row], CSV_OPTIONS)).toBe(`\uFEFFa@example.org,"${name}",confirmed,news,2026-01-01T00:00:00.000Z,,,${','.repeat(9)}\r\n`);
    }
    expect(stringify([['plain', ' padded', 'say "hi"']], CSV_OPTIONS)).toBe('\uFEFFplain," padded","say ""hi"""\r\n');
  });
});

describe('export links', () => {
  it('are presigned GETs of one object, valid for 15 minutes', async () => {
    const store = new S3ExportLinks(
      new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } }),
      'exports-bucket',
    );
    const url = new URL(await store.link('exports/2026-11-25/exp_1-subscribers.csv', LINK_SECONDS));
    expect(url.host).toBe('exports-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/exports/2026-11-25/exp_1-subscribers.csv');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment; filename="exp_1-subscribers.csv"');
    expect(url.searchParams.get('X-Amz-Credential')).toContain('AKIAEXAMPLE');
    expect(url.search).not.toContain('secret');
  });
});

describe('startExport', () => {
  const deps = () => {
    const created: string[] = [];
    return {
      created,
      deps: {
        clock: new FakeClock(),
        jobs: { create: async (job: { id: string }) => void created.push(job.id), get: async () => undefined, progress: async () => {}, finish: async () => {} },
        worker: { start: async () => {} },
        links: { link: async () => '' },
        source: { subscribers: async function* () {}, gifts: async function* () {} },
        ...makeCatalogue(),
      },
    };
  };

  it('rejects filters that do not apply to the kind', async () => {
    const t = deps();
    await expect(startExport(t.deps, { kind: 'donations', status: 'confirmed' })).rejects.toMatchObject({ code: 'invalid_field', field: 'status' });
    await expect(startExport(t.deps, { kind: 'subscribers', campaign: 'x' })).rejects.toMatchObject({ field: 'campaign' });
    await expect(startExport(t.deps, { kind: 'subscribers', since: '2026-02-01T00:00:00.000Z', until: '2026-01-01T00:00:00.000Z' })).rejects.toMatchObject({ field: 'since' });
    expect(t.created).toEqual([]);
    expect(await startExport(t.deps, { kind: 'subscribers', status: 'confirmed' })).toMatchObject({ id: expect.stringMatching(/^exp_/), status: 'running' });
  });
});

describe('exportStatus', () => {
  it('reports an export whose worker died as failed', async () => {
    const clock = new FakeClock();
    const finished: string[] = [];
    const job = { id: 'exp_1', kind: 'subscribers' as const, filters: {}, status: 'running' as const, rows: 0, createdAt: clock.now().toISOString() };
    const jobs = new MemoryExportJobs();
    await jobs.create(job);
    const deps = {
      clock,
      jobs: {
        create: (j: ExportJob) => jobs.create(j),
        get: (id: string) => jobs.get(id),
        progress: (id: string, rows: number) => jobs.progress(id, rows),
        finish: async (...args: Parameters<MemoryExportJobs['finish']>) => {
          finished.push(args[0]);
          await jobs.finish(...args);
        },
      },
      worker: { start: async () => {} },
      links: { link: async () => '' },
      source: { subscribers: async function* () {}, gifts: async function* () {} },
    };
    expect(await exportStatus(deps, 'exp_1')).toMatchObject({ status: 'running' });
    clock.advance(21 * 60);
    expect(await exportStatus(deps, 'exp_1')).toMatchObject({ status: 'failed' });
    expect(finished).toEqual(['exp_1']);
  });

  it('answers what a worker that finished at the deadline wrote, not failed', async () => {
    const clock = new FakeClock();
    const running = { id: 'exp_1', kind: 'subscribers' as const, filters: {}, status: 'running' as const, rows: 0, createdAt: clock.now().toISOString() };
    let stored: typeof running | (Omit<typeof running, 'status'> & { status: 'done'; objectKey: string }) = running;
    const reads = [running];
    const deps = {
      clock,
      // The worker's `done` lands between the status read and the write that would mark the job failed.
      jobs: {
        create: async () => {},
        get: async () => reads.shift() ?? stored,
        progress: async () => {},
        finish: async () => {
          stored = { ...running, status: 'done', rows: 3, objectKey: 'exports/exp_1.csv' };
        },
      },
      worker: { start: async () => {} },
      links: { link: async (key: string) => `https://exports.example.org/${key}` },
    };
    clock.advance(EXPORT_DEADLINE_SECONDS + 1);
    expect(await exportStatus(deps, 'exp_1')).toMatchObject({ status: 'done', rows: 3, url: 'https://exports.example.org/exports/exp_1.csv' });
  });
});
