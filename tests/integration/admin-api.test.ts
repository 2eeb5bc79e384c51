import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { documentClient } from '../../functions/platform/clients.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000', CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
  const tokens = new DynamoAdminTokens(documentClient(server.clientOptions), server.tables.subscribers);
  token = (await createAdminToken({ tokens, clock: { now: () => new Date() } }, 'integration tests')).token;
});
afterAll(() => server.stop());

const admin = (method: string, path: string, body?: unknown, bearer = token) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

const join = async (email: string, body: Record<string, unknown> = {}) => {
  await postJson(`${server.url}/v1/subscriptions`, { email, ...body });
  const [mail] = await server.mailTo(email);
  await postJson(linkIn(mail?.text ?? '', '/v1/subscriptions/confirm'), undefined);
  await server.mailIdle();
};

const runExport = async (request: Record<string, unknown>) => {
  const started = await admin('POST', '/v1/admin/exports', request);
  expect(started.status).toBe(202);
  const { id, status } = (await started.json()) as { id: string; status: string };
  expect(status).toBe('running');
  for (let i = 0; i < 100; i++) {
    const state = (await (await admin('GET', `/v1/admin/exports/${id}`)).json()) as { status: string; rows: number; url?: string; expiresAt?: string; kind: string };
    if (state.status !== 'running') return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('export did not finish');
};

describe('admin authentication', () => {
  it.each([
    ['GET', '/v1/admin/stats'],
    ['POST', '/v1/admin/exports'],
    ['GET', '/v1/admin/exports/exp_x'],
    ['GET', '/v1/admin/subscribers/a@example.org'],
    ['DELETE', '/v1/admin/subscribers/a@example.org'],
  ])('answers %s %s with 401 and the contract\'s error without a valid token', async (method, path) => {
    for (const headers of [{} as Record<string, string>, { authorization: 'Bearer apl_nope' }, { authorization: `Bearer apl_${'x'.repeat(43)}` }, { authorization: token }]) {
      const response = await fetch(`${server.url}${path}`, { method, headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String) } });
      // RFC 9110 §11.6.1 and RFC 6750 §3: the challenge, with invalid_token when a bearer token was refused.
      const refused = headers.authorization?.startsWith('Bearer ') === true;
      expect(response.headers.get('www-authenticate')).toBe(refused ? 'Bearer realm="appeal", error="invalid_token"' : 'Bearer realm="appeal"');
    }
  });

  it('lets no site page read the challenge or any other header across origins', async () => {
    const origin = new URL(server.siteUrl).origin;
    const response = await fetch(`${server.url}/v1/admin/stats`, { headers: { origin, authorization: 'Bearer apl_nope' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="appeal", error="invalid_token"');
    expect(response.headers.get('access-control-expose-headers')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await fetch(`${server.url}/v1/admin/stats`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.headers.get('access-control-allow-headers')?.split(',')).not.toContain('authorization');
    expect(preflight.headers.get('access-control-expose-headers')).toBeNull();
  });
});

describe('exports', () => {
  it('streams the confirmed subscribers to a CSV behind a 15-minute link', async () => {
    await join('export.one@example.org', { name: '=SUM(A1:A9)' });
    await join('export.two@example.org', { name: 'Two, "quoted"', lists: ['news'] });
    await postJson(`${server.url}/v1/subscriptions`, { email: 'export.pending@example.org' });
    await server.mailIdle();

    const done = await runExport({ kind: 'subscribers', status: 'confirmed' });
    expect(done).toMatchObject({ kind: 'subscribers', status: 'done', rows: 2 });
    expect(done.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/appeal-exports\/exports\/.+\.csv\?.*X-Amz-Expires=900/);
    const expires = Date.parse(done.expiresAt ?? '') - Date.now();
    expect(expires).toBeGreaterThan(14 * 60 * 1000);
    expect(expires).toBeLessThanOrEqual(15 * 60 * 1000);

    const csv = await (await fetch(done.url ?? '')).text();
    const lines = csv.split('\r\n').filter(Boolean);
    // Columns are only ever added at the end (API.md): the contract's first ones, in order.
    expect(lines[0]?.split(',').slice(0, 8).join(',')).toBe('email,name,status,lists,subscribed_at,confirmed_at,unsubscribed_at,source');
    expect(lines).toHaveLength(3);
    expect(csv).toContain(`export.one@example.org,'=SUM(A1:A9),confirmed,news,`);
    expect(csv).toContain('export.two@example.org,"Two, ""quoted""",confirmed,news,');
    expect(csv).not.toContain('export.pending');

    const all = await runExport({ kind: 'subscribers' });
    expect(all.rows).toBeGreaterThanOrEqual(3);
    const none = await runExport({ kind: 'subscribers', since: '2099-01-01T00:00:00Z' });
    expect(none.rows).toBe(0);
  });

  it('exports donations with their refunds', async () => {
    const checkout = (await (await postJson(`${server.url}/v1/donations/checkout`, { campaign: 'ukraine', amount: 5000, currency: 'usd', email: 'export.donor@example.org' })).json()) as { id: string };
    const paid = (await (await postJson(`${server.url}/_local/stripe/checkout/${checkout.id}/complete`, { name: '+Donor' })).json()) as { paymentIntent: string };
    await postJson(`${server.url}/_local/stripe/payments/${paid.paymentIntent}/refund`, { amount: 1000 });
    const done = await runExport({ kind: 'donations', campaign: 'ukraine' });
    const csv = await (await fetch(done.url ?? '')).text();
    expect(csv.split('\r\n')[0]).toBe('id,created_at,campaign,amount,currency,frequency,status,donor_email,donor_name,refunded_amount,amount_decimal,refunded_decimal,source,referrer,utm_source,utm_medium,utm_campaign,utm_content,utm_term,component,variant,fee_covered,tribute_type,tribute_name,anonymous');
    expect(csv).toMatch(new RegExp(`${paid.paymentIntent},[^,]+,ukraine,5000,usd,once,partially_refunded,export.donor@example.org,'\\+Donor,1000,50.00,10.00,,,,,,,,,,0,,,false\r\n`));
  });

  it('rejects bad export requests with 400, and unknown exports with 404', async () => {
    for (const body of [{ kind: 'everything' }, { kind: 'donations', status: 'confirmed' }, { kind: 'subscribers', since: 'yesterday' }, { kind: 'subscribers', extra: 1 }]) {
      const response = await admin('POST', '/v1/admin/exports', body);
      expect(response.status).toBe(400);
    }
    expect((await admin('GET', '/v1/admin/exports/exp_missing')).status).toBe(404);
  });

  it.each([2042, 100, 4000])('answers 404 for an export id of %i characters, which no export can have', async (length) => {
    const response = await admin('GET', `/v1/admin/exports/exp_${'x'.repeat(length - 4)}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('data-subject requests', () => {
  it('shows the stored record, erases it to a marker, and never mails it again', async () => {
    await join('dsar@example.org', { name: 'Dana' });
    const shown = await admin('GET', '/v1/admin/subscribers/DSAR%40example.org');
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ email: 'dsar@example.org', name: 'Dana', status: 'confirmed', consent: { signup: { ipHash: expect.any(String) } } });

    expect((await admin('DELETE', '/v1/admin/subscribers/dsar@example.org')).status).toBe(204);
    expect((await admin('DELETE', '/v1/admin/subscribers/dsar@example.org')).status).toBe(204);
    expect(await (await admin('GET', '/v1/admin/subscribers/dsar@example.org')).json()).toEqual({
      email: 'dsar@example.org',
      status: 'suppressed',
      suppression: { reason: 'erased', at: expect.any(String) },
      donations: [],
    });
    expect((await admin('GET', '/v1/admin/subscribers/nobody@example.org')).status).toBe(404);
    expect((await admin('GET', '/v1/admin/subscribers/not-an-email')).status).toBe(400);
    for (const method of ['GET', 'DELETE']) {
      const tooLong = await admin(method, `/v1/admin/subscribers/${'a'.repeat(2030)}%40example.org`);
      expect(tooLong.status).toBe(400);
      expect(await tooLong.json()).toMatchObject({ error: { code: 'invalid_email', field: 'email' } });
    }
  });
});

describe('addresses that hold %, + or /', () => {
  // The gateway decodes `{email}` once, as API Gateway does; a second decode made `a%61…` name `aa…`.
  it.each([
    ['a%61.victim@example.org', 'aa.victim@example.org'],
    ['b+victim@example.org', 'b%2bvictim@example.org'],
    ['c/victim@example.org', 'c%2fvictim@example.org'],
  ])('shows and erases %s and leaves %s subscribed', async (requester, bystander) => {
    await join(bystander);
    await join(requester);
    const path = `/v1/admin/subscribers/${encodeURIComponent(requester)}`;

    const shown = await admin('GET', path);
    expect(shown.status).toBe(200);
    expect(await shown.json()).toMatchObject({ email: requester, status: 'confirmed' });
    expect((await admin('DELETE', path)).status).toBe(204);

    expect(await (await admin('GET', path)).json()).toMatchObject({ email: requester, status: 'suppressed' });
    const other = await admin('GET', `/v1/admin/subscribers/${encodeURIComponent(bystander)}`);
    expect(await other.json()).toMatchObject({ email: bystander, status: 'confirmed' });
    expect(other.status).toBe(200);
  });
});

describe('list hygiene (SES mailbox simulator)', () => {
  it('marks a permanent bounce and a complaint, and the stats count them', async () => {
    await postJson(`${server.url}/v1/subscriptions`, { email: 'bounce@simulator.amazonses.com' });
    await join('complaint@simulator.amazonses.com');
    await server.mailIdle();
    const bounced = (await (await admin('GET', '/v1/admin/subscribers/bounce@simulator.amazonses.com')).json()) as { status: string };
    const complained = (await (await admin('GET', '/v1/admin/subscribers/complaint@simulator.amazonses.com')).json()) as { status: string };
    expect(bounced.status).toBe('bounced');
    expect(complained.status).toBe('complained');

    const stats = (await (await admin('GET', '/v1/admin/stats')).json()) as {
      subscribers: { byStatus: Record<string, number>; byList: Record<string, Record<string, number>> };
      donations: { byCampaign: { campaign: string }[]; byCurrency: Record<string, { raised: number }> };
    };
    expect(stats.subscribers.byStatus.bounced).toBe(1);
    expect(stats.subscribers.byStatus.complained).toBe(1);
    expect(stats.subscribers.byList.news?.bounced).toBe(1);
    expect(stats.donations.byCampaign.map((c) => c.campaign)).toContain('ukraine');
    expect(stats.donations.byCurrency.usd).toBeDefined();
  });
});
