import { describe, expect, it } from 'vitest';
import { createAdminToken } from '../../../functions/core/admin/admin.js';
import { makeHandler } from '../../../functions/admin/routes.js';
import { makeAdminDeps, makeExportDeps } from './admin-fakes.js';
import { bodyOf, httpEvent } from './events.js';

const setup = async () => {
  const { t, admin } = makeAdminDeps();
  const exports = makeExportDeps(t.clock);
  const { token } = await createAdminToken(admin, 'unit tests');
  const handler = makeHandler({ admin, exports: exports.deps }, { siteName: 'Example News' });
  const call = (method: string, path: string, body?: unknown, bearer: string | null = token) =>
    handler(httpEvent({ method, path, body, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} }));
  return { ...t, exports, call };
};

describe('admin handler', () => {
  it('answers 401 without a valid bearer token, on every route', async () => {
    const { call } = await setup();
    for (const [method, path] of [['GET', '/v1/admin/stats'], ['POST', '/v1/admin/exports'], ['DELETE', '/v1/admin/subscribers/a%40example.org']] as const) {
      expect((await call(method, path, undefined, null)).statusCode).toBe(401);
      expect((await call(method, path, undefined, 'apl_wrong')).statusCode).toBe(401);
    }
  });

  it('starts an export (202) and hands the job to the worker', async () => {
    const { call, exports } = await setup();
    const result = await call('POST', '/v1/admin/exports', { kind: 'subscribers' });
    expect(result.statusCode).toBe(202);
    const { id } = bodyOf(result) as { id: string };
    expect(exports.started).toEqual([id]);
    expect(bodyOf(await call('GET', `/v1/admin/exports/${id}`))).toMatchObject({ id, status: 'running' });
  });

  it('answers 404 for an unknown export or subscriber, 400 for a bad export request', async () => {
    const { call } = await setup();
    expect((await call('GET', '/v1/admin/exports/exp_missing')).statusCode).toBe(404);
    expect((await call('GET', '/v1/admin/subscribers/nobody%40example.org')).statusCode).toBe(404);
    expect((await call('POST', '/v1/admin/exports', { kind: 'everything' })).statusCode).toBe(400);
  });

  it('reports the stats', async () => {
    const { call } = await setup();
    const result = await call('GET', '/v1/admin/stats');
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toBeTypeOf('object');
  });
});
