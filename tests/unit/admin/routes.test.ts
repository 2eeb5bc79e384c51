import { describe, expect, it, vi } from 'vitest';
import { createAdminToken, revokeAdminTokens } from '../../../functions/core/admin/admin.js';
import { processMailJob } from '../../../functions/core/mail/mail.js';
import { addressKey } from '../../../functions/core/shared/email-address.js';
import { requestSubscription } from '../../../functions/core/subscriptions/subscriptions.js';
import { makeHandler } from '../../../functions/admin/routes.js';
import { makeAdminDeps, makeExportDeps } from '../../support/admin-fakes.js';
import { bodyOf, httpEvent } from '../../support/events.js';
import type { MemoryAuditLog } from '../../support/console-fakes.js';

const setup = async () => {
  const { t, admin } = makeAdminDeps();
  const exports = makeExportDeps(t.clock);
  const { token } = await createAdminToken(admin, 'unit tests');
  const handler = makeHandler({ admin, exports: exports.deps }, { siteName: 'Example News' });
  const call = (method: string, target: string, body?: unknown, bearer: string | null = token) => {
    const [path = target, query] = target.split('?');
    return handler(httpEvent({ method, path, query, body, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} }));
  };
  /** Signs an address up (pending), as the subscriptions function and the mailer would. */
  const subscribe = async (email: string) => {
    await requestSubscription(t.deps, { email, lists: [], client: { ip: '203.0.113.1', userAgent: 'ua' } });
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
  };
  return { ...t, admin, exports, call, subscribe };
};

describe('admin handler', () => {
  it('answers 401 without a valid bearer token, on every route', async () => {
    const { call } = await setup();
    for (const [method, path] of [['GET', '/v1/admin/stats'], ['POST', '/v1/admin/exports'], ['DELETE', '/v1/admin/subscribers/a%40example.org']] as const) {
      expect((await call(method, path, undefined, null)).statusCode).toBe(401);
      expect((await call(method, path, undefined, 'apl_wrong')).statusCode).toBe(401);
    }
  });

  // RFC 9110 §11.6.1: a 401 carries a challenge; RFC 6750 §3: Bearer, with error="invalid_token" when a bearer
  // token was sent and refused, and no error code when none was sent.
  it('challenges every 401 with WWW-Authenticate: Bearer, saying invalid_token when a token was refused', async () => {
    const { handler, revoked } = await (async () => {
      const { t, admin } = makeAdminDeps();
      const { token } = await createAdminToken(admin, 'soon revoked');
      await revokeAdminTokens(admin, { name: 'soon revoked' });
      return { handler: makeHandler({ admin, exports: makeExportDeps(t.clock).deps }, { siteName: 'Example News' }), revoked: token };
    })();
    const challenge = async (authorization?: string) => {
      const result = await handler(httpEvent({ method: 'GET', path: '/v1/admin/stats', headers: authorization === undefined ? {} : { authorization } }));
      expect(result.statusCode).toBe(401);
      return result.headers['www-authenticate'];
    };
    expect(await challenge()).toBe('Bearer realm="appeal"');
    expect(await challenge('Basic dXNlcjpwYXNz')).toBe('Bearer realm="appeal"');
    expect(await challenge(revoked)).toBe('Bearer realm="appeal"');
    for (const refused of [`Bearer ${revoked}`, 'bearer apl_wrong', `Bearer apl_${'x'.repeat(43)}`]) {
      expect(await challenge(refused)).toBe('Bearer realm="appeal", error="invalid_token"');
    }
  });

  it('sends no challenge with an answer other than 401', async () => {
    const { call } = await setup();
    for (const [method, path] of [['GET', '/v1/admin/stats'], ['GET', '/v1/admin/exports/exp_missing'], ['POST', '/v1/admin/exports']] as const) {
      expect((await call(method, path)).headers).not.toHaveProperty('www-authenticate');
    }
  });

  it('starts an export (202) and hands the job to the worker', async () => {
    const { call, exports } = await setup();
    const result = await call('POST', '/v1/admin/exports', { kind: 'subscribers' });
    expect(result.statusCode).toBe(202);
    const { id } = bodyOf(result) as { id: string };
    expect(exports.started).toEqual([id]);
    expect(bodyOf(await call('GET', `/v1/admin/exports/${id}`))).toMatchObject({ id, status: 'running' });
    // Who started it, for the console's history of exports.
    expect((await exports.jobs.get(id))?.by).toBe('token:unit tests');
  });

  it('records every export, download link, data request and erase in the audit log, as done by the token', async () => {
    const { call, exports, admin, subscribe } = await setup();
    const audit = admin.audit as MemoryAuditLog;
    const { id } = bodyOf(await call('POST', '/v1/admin/exports', { kind: 'subscribers' })) as { id: string };
    await call('GET', `/v1/admin/exports/${id}`); // running: no link yet, nothing recorded
    await exports.jobs.finish(id, { status: 'done', rows: 0, objectKey: `exports/${id}.csv` }, new Date());
    expect(bodyOf(await call('GET', `/v1/admin/exports/${id}`))).toMatchObject({ status: 'done', url: expect.any(String) });
    await subscribe('Reader@Example.org');
    expect((await call('GET', '/v1/admin/subscribers/reader%40example.org')).statusCode).toBe(200);
    expect((await call('GET', '/v1/admin/subscribers/nobody%40example.org')).statusCode).toBe(404); // asked: recorded too
    expect((await call('DELETE', '/v1/admin/subscribers/reader%40example.org')).statusCode).toBe(204);
    expect(audit.entries.map((e) => [e.actor, e.action, e.target])).toEqual([
      ['token:unit tests', 'export.start', `${id} {"kind":"subscribers"}`],
      ['token:unit tests', 'export.download', id],
      ['token:unit tests', 'subscriber.show', 'reader@example.org'],
      ['token:unit tests', 'subscriber.show', 'nobody@example.org'],
      ['token:unit tests', 'subscriber.erase', 'reader@example.org'],
    ]);
    expect(audit.entries.every((e) => typeof e.ipHash === 'string' && !e.ipHash.includes('.'))).toBe(true);
  });

  it('answers 404 for an unknown export or subscriber, 400 for a bad export request', async () => {
    const { call } = await setup();
    expect((await call('GET', '/v1/admin/exports/exp_missing')).statusCode).toBe(404);
    expect((await call('GET', '/v1/admin/subscribers/nobody%40example.org')).statusCode).toBe(404);
    expect((await call('POST', '/v1/admin/exports', { kind: 'everything' })).statusCode).toBe(400);
  });

  // API Gateway matches the route on the raw path and hands the handler `{email}` percent-decoded
  // (tests/support/events.ts does the same): the handler must not decode it again, or `a%2561…` (`a%61…`) would
  // name `aa…`, another person.
  it.each([
    ['a%61.victim@example.org', 'aa.victim@example.org'],
    ['a%2bvictim@example.org', 'a+victim@example.org'],
    ['a%2fvictim@example.org', 'a/victim@example.org'],
    ['a+victim@example.org', 'a%2bvictim@example.org'],
    ['a/victim@example.org', 'a%2fvictim@example.org'],
  ])('shows and erases %s, its path parameter decoded once, and leaves %s alone', async (requester, bystander) => {
    const { call, subscribe, subscribers, suppressions, deps } = await setup();
    await subscribe(bystander);
    await subscribe(requester);
    const path = `/v1/admin/subscribers/${encodeURIComponent(requester)}`;

    const shown = await call('GET', path);
    expect(shown.statusCode).toBe(200);
    expect(bodyOf(shown)).toMatchObject({ email: requester, status: 'pending' });

    expect((await call('DELETE', path)).statusCode).toBe(204);
    expect(subscribers.items.has(requester)).toBe(false);
    expect(await suppressions.get(addressKey(deps.keys, requester))).toMatchObject({ reason: 'erased' });
    expect(subscribers.items.get(bystander)?.status).toBe('pending');
    expect(await suppressions.get(addressKey(deps.keys, bystander))).toBeUndefined();
    expect(bodyOf(await call('GET', `/v1/admin/subscribers/${encodeURIComponent(bystander)}`))).toMatchObject({ email: bystander, status: 'pending' });
  });

  it('answers an id no export can have with the unknown export\'s 404, without looking it up', async () => {
    const { call, exports } = await setup();
    const lookups = vi.spyOn(exports.jobs, 'get');
    const unknown = bodyOf(await call('GET', '/v1/admin/exports/exp_AAAAAAAAAAAAAAAA'));
    expect(lookups).toHaveBeenCalledTimes(1);
    for (const id of [`exp_${'x'.repeat(2038)}`, 'exp_missing', 'exp_AAAAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAAAAAA', encodeURIComponent('exp_AAAAAAAAAAAAAAA.')]) {
      const result = await call('GET', `/v1/admin/exports/${id}`);
      expect(result.statusCode, id).toBe(404);
      expect(bodyOf(result)).toEqual(unknown);
    }
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('answers an address longer than an address may be with 400 invalid_email, without looking it up', async () => {
    const { call, subscribers } = await setup();
    const lookups = vi.spyOn(subscribers, 'get');
    for (const method of ['GET', 'DELETE']) {
      const result = await call(method, `/v1/admin/subscribers/${'a'.repeat(2020)}%40example.org`);
      expect(result.statusCode).toBe(400);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_email' } });
    }
    expect(lookups).not.toHaveBeenCalled();
  });

  it('reports the stats', async () => {
    const { call } = await setup();
    const result = await call('GET', '/v1/admin/stats');
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toBeTypeOf('object');
  });
});
