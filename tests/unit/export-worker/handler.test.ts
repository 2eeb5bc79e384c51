import { describe, expect, it } from 'vitest';
import { startExport } from '../../../functions/core/admin/exports/exports.js';
import type { Subscriber } from '../../../functions/core/subscriptions/model.js';
import { makeHandler } from '../../../functions/export-worker/handler.js';
import { FakeClock } from '../../support/fakes.js';
import { makeExportDeps } from '../../support/admin-fakes.js';

const reader = {
  email: 'reader@example.org',
  status: 'confirmed',
  lists: ['news'],
  subscribedAt: '2026-11-01T00:00:00.000Z',
} as Subscriber;

describe('export-worker handler', () => {
  it('writes the export it is invoked with and marks the job done', async () => {
    const { deps, jobs, store } = makeExportDeps(new FakeClock(), [reader]);
    const { id } = await startExport(deps, { kind: 'subscribers' });
    await makeHandler(deps)({ exportId: id });
    const job = await jobs.get(id);
    expect(job).toMatchObject({ status: 'done', rows: 1 });
    const rows = store.objects.get(job?.objectKey ?? '');
    expect(rows?.[1]?.[0]).toBe('reader@example.org');
  });

  it('refuses an event that names no export (the invocation fails, nothing is written)', async () => {
    const { deps, store } = makeExportDeps(new FakeClock());
    await expect(makeHandler(deps)({ exportId: '../etc/passwd' })).rejects.toThrow();
    await expect(makeHandler(deps)({})).rejects.toThrow();
    expect(store.objects.size).toBe(0);
  });
});
