import { describe, expect, it } from 'vitest';
import { createAdminToken } from '../../../functions/core/admin/admin.js';
import { CONSOLE_SCRIPT, CONSOLE_STYLE } from '../../../functions/core/console/assets.js';
import { ROUTES, routeKey } from '../../../functions/platform/routes.js';
import { httpEvent } from '../../support/events.js';
import { SoftwareAuthenticator } from '../../support/webauthn.js';
import { API, BROWSER, setup } from './harness.js';

describe('console sign-in by link', () => {
  it('answers every address alike and mails a link only to an editor', async () => {
    const { request, linkFor, addEditor, t } = setup();
    await addEditor('editor@example.org', 'viewer');
    const editor = await request('POST', '/admin', { form: { email: 'Editor@Example.org' } });
    const stranger = await request('POST', '/admin', { form: { email: 'stranger@example.org' } });
    expect([editor.statusCode, stranger.statusCode]).toEqual([200, 200]);
    expect(editor.body.replace('editor@example.org', 'X')).toBe(stranger.body.replace('stranger@example.org', 'X'));
    expect(t.queue.jobs.map((j) => j.kind)).toEqual(['console-signin', 'console-signin']);
    expect(await linkFor('editor@example.org')).toMatch(/^token=v1\./);
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['editor@example.org']);
    expect(t.mailer.sent[0]?.headers).toEqual({}); // not list mail: no unsubscribe headers
  });

  it('changes nothing on GET of the link; the POST signs in once, sets the session cookie and answers 303', async () => {
    const { request, linkFor, addEditor, audit } = setup();
    await addEditor('editor@example.org', 'admin');
    await request('POST', '/admin', { form: { email: 'editor@example.org' } });
    const query = await linkFor('editor@example.org');
    for (let i = 0; i < 2; i++) {
      const page = await request('GET', '/admin/signin', { query });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`<form method="post" action="/admin/signin?${query?.replace('&', '&amp;')}" data-autosubmit>`);
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    }
    const first = await request('POST', '/admin/signin', { query });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/admin');
    expect(first.cookie).toMatch(/^appeal_session=[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict; Secure$/);
    const again = await request('POST', '/admin/signin', { query });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('already been used');
    expect(again.body).toContain('href="/admin"');
    expect(audit.entries.map((e) => [e.actor, e.action])).toEqual([['editor@example.org', 'signin']]);
  });

  it('refuses an expired or forged link with a 400 page that offers a new one', async () => {
    const { request, linkFor, addEditor, t } = setup();
    await addEditor('editor@example.org', 'viewer');
    await request('POST', '/admin', { form: { email: 'editor@example.org' } });
    const query = await linkFor('editor@example.org');
    t.clock.advance(15 * 60 + 1);
    for (const answer of [await request('GET', '/admin/signin', { query }), await request('POST', '/admin/signin', { query })]) {
      expect(answer.statusCode).toBe(400);
      expect(answer.body).toContain('expired');
      expect(answer.cookie).toBeUndefined();
    }
    expect((await request('POST', '/admin/signin', { query: `token=v1.${'A'.repeat(80)}` })).statusCode).toBe(400);
  });

  it('refuses a post from another origin, or with none, with a 403 page', async () => {
    const { request, t } = setup();
    for (const origin of ['https://evil.example', 'null']) {
      const answer = await request('POST', '/admin', { form: { email: 'a@example.org' }, headers: { origin } });
      expect(answer.statusCode).toBe(403);
    }
    const { origin: _origin, ...noOrigin } = BROWSER;
    const event = httpEvent({ method: 'POST', path: '/admin', headers: { ...noOrigin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40example.org' });
    expect((await setup().handler(event)).statusCode).toBe(403);
    expect(t.queue.jobs).toEqual([]);
  });

  it('limits sign-in requests per address and per client with a 429 page', async () => {
    const { request } = setup();
    for (let i = 0; i < 5; i++) expect((await request('POST', '/admin', { form: { email: 'a@example.org' }, ip: `192.0.2.${i}` })).statusCode).toBe(200);
    const limited = await request('POST', '/admin', { form: { email: 'a@example.org' }, ip: '192.0.2.99' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toContain('Please wait');
    for (let i = 0; i < 30; i++) await request('POST', '/admin', { form: { email: `n${i}@example.org` }, ip: '198.51.100.1' });
    expect((await request('POST', '/admin', { form: { email: 'fresh@example.org' }, ip: '198.51.100.1' })).statusCode).toBe(429);
  });
});

describe('console sessions, roles and forms', () => {
  it('answers every route the gateway sends it: without a session, each page and form goes to the sign-in page', async () => {
    const { request } = setup();
    const routes = ROUTES.filter((route) => route.fn === 'console');
    expect(routes.length).toBeGreaterThan(40);
    for (const route of routes) {
      const answer = await request(route.method, route.path.replaceAll(/\{\w+\}/g, 'x'));
      expect(answer.statusCode, routeKey(route)).not.toBe(404);
      const signedInOnly = route.path.startsWith('/admin/') && !['/admin/signin', '/admin/passkey', '/admin/console.js', '/admin/console.css'].includes(route.path);
      if (signedInOnly) expect([answer.statusCode, answer.headers.location], routeKey(route)).toEqual([303, '/admin']);
    }
  });

  it('serves its script and stylesheet to anyone, kept a few minutes', async () => {
    const { request } = setup();
    for (const [path, type, body] of [['/admin/console.js', 'text/javascript; charset=utf-8', CONSOLE_SCRIPT], ['/admin/console.css', 'text/css; charset=utf-8', CONSOLE_STYLE]] as const) {
      const answer = await request('GET', path);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers).toMatchObject({ 'content-type': type, 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' });
      expect(answer.body).toBe(body);
      const head = await request('HEAD', path);
      expect([head.statusCode, head.body, head.headers['content-type']]).toEqual([200, '', type]);
    }
  });

  it('offers each role only its pages, and answers 403 to the others', async () => {
    const { request, addEditor, signIn } = setup();
    await addEditor('viewer@example.org', 'viewer');
    await addEditor('admin@example.org', 'admin');
    const viewer = await signIn('viewer@example.org');
    const dashboard = await request('GET', '/admin', { cookie: viewer.cookie });
    expect(dashboard.body).toContain('href="/admin/account"');
    for (const page of ['/admin/editors', '/admin/tokens', '/admin/audit']) {
      expect(dashboard.body).not.toContain(`href="${page}"`);
      const answer = await request('GET', page, { cookie: viewer.cookie });
      expect(answer.statusCode).toBe(403);
      expect(answer.body).toContain('Your role does not allow');
    }
    expect((await request('POST', '/admin/editors', { cookie: viewer.cookie, form: { csrf: viewer.csrf, email: 'x@example.org', role: 'admin' } })).statusCode).toBe(403);
    const admin = await signIn('admin@example.org');
    for (const page of ['/admin/editors', '/admin/tokens', '/admin/audit']) expect((await request('GET', page, { cookie: admin.cookie })).statusCode).toBe(200);
  });

  it('needs the session\'s CSRF token on every form', async () => {
    const { request, addEditor, signIn, deps } = setup();
    await addEditor('admin@example.org', 'admin');
    const admin = await signIn('admin@example.org');
    for (const csrf of [undefined, 'x'.repeat(43), (await signIn('admin@example.org')).csrf]) {
      const form = { email: 'new@example.org', role: 'viewer', ...(csrf ? { csrf } : {}) };
      expect((await request('POST', '/admin/editors', { cookie: admin.cookie, form })).statusCode).toBe(403);
    }
    expect(await deps.editors.get('new@example.org')).toBeUndefined();
    const saved = await request('POST', '/admin/editors', { cookie: admin.cookie, form: { csrf: admin.csrf, email: 'new@example.org', role: 'exporter' } });
    expect(saved.statusCode).toBe(303);
    expect((await deps.editors.get('new@example.org'))?.role).toBe('exporter');
  });

  it('ends a session after 12 hours, at sign-out, and everywhere at once', async () => {
    const { request, addEditor, signIn, t, audit } = setup();
    await addEditor('editor@example.org', 'viewer');
    const first = await signIn('editor@example.org');
    const second = await signIn('editor@example.org');
    const signedIn = async (cookie: string) => !(await request('GET', '/admin', { cookie })).body.includes('name="email"');
    expect(await signedIn(first.cookie)).toBe(true);
    const out = await request('POST', '/admin/signout', { cookie: first.cookie, form: { csrf: first.csrf } });
    expect(out.cookie).toMatch(/^appeal_session=; Path=\/; Max-Age=0/);
    expect(await signedIn(first.cookie)).toBe(false);
    expect(await signedIn(second.cookie)).toBe(true);
    const third = await signIn('editor@example.org');
    await request('POST', '/admin/account/signout-everywhere', { cookie: second.cookie, form: { csrf: second.csrf } });
    expect([await signedIn(second.cookie), await signedIn(third.cookie)]).toEqual([false, false]);
    const fourth = await signIn('editor@example.org');
    t.clock.advance(12 * 3600 - 1);
    expect(await signedIn(fourth.cookie)).toBe(true);
    t.clock.advance(1);
    expect(await signedIn(fourth.cookie)).toBe(false);
    expect(audit.entries.map((e) => e.action)).toEqual(['signin', 'signin', 'signout', 'signin', 'session.end-all', 'signin']);
  });

  it('keeps the last admin: it cannot be removed or lose its role', async () => {
    const { request, addEditor, signIn, deps } = setup();
    await addEditor('admin@example.org', 'admin');
    const admin = await signIn('admin@example.org');
    expect((await request('POST', '/admin/editors/remove', { cookie: admin.cookie, form: { csrf: admin.csrf, email: 'admin@example.org' } })).statusCode).toBe(409);
    expect((await request('POST', '/admin/editors', { cookie: admin.cookie, form: { csrf: admin.csrf, email: 'admin@example.org', role: 'viewer' } })).statusCode).toBe(409);
    expect((await deps.editors.get('admin@example.org'))?.role).toBe('admin');
  });

  it('serves the audit log to an admin session or a token, not to another role', async () => {
    const { handler, addEditor, signIn, deps } = setup();
    await addEditor('admin@example.org', 'admin');
    await addEditor('viewer@example.org', 'viewer');
    const admin = await signIn('admin@example.org');
    const viewer = await signIn('viewer@example.org');
    const get = (headers: Record<string, string>, cookie?: string) => {
      const event = httpEvent({ method: 'GET', path: '/v1/admin/audit', query: 'limit=1', headers });
      if (cookie) event.cookies = [cookie];
      return handler(event);
    };
    const bySession = await get({}, admin.cookie);
    expect(bySession.statusCode).toBe(200);
    expect(JSON.parse(bySession.body ?? '')).toEqual([expect.objectContaining({ actor: 'viewer@example.org', action: 'signin' })]);
    expect((await get({}, viewer.cookie)).statusCode).toBe(403);
    expect((await get({})).statusCode).toBe(401);
    // The page size: digits from 1 to 500, nothing else Number() would read.
    for (const limit of ['0', '501', '1e1', '0x10', '2.5', '', 'many']) {
      const event = httpEvent({ method: 'GET', path: '/v1/admin/audit', query: `limit=${encodeURIComponent(limit)}`, headers: {} });
      event.cookies = [admin.cookie];
      const answer = await handler(event);
      expect(answer.statusCode, limit).toBe(400);
      expect(JSON.parse(answer.body ?? ''), limit).toMatchObject({ error: { code: 'invalid_field', field: 'limit', message: 'A whole number from 1 to 500.' } });
    }
    const { token } = await createAdminToken(deps, 'script');
    expect((await get({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
  });
});

describe('console passkeys', () => {
  it('adds a passkey on the account page and signs in with it once per assertion', async () => {
    const { request, addEditor, signIn, deps, audit } = setup();
    await addEditor('editor@example.org', 'fundraiser');
    const session = await signIn('editor@example.org');
    const authenticator = new SoftwareAuthenticator(API);
    const account = await request('GET', '/admin/account', { cookie: session.cookie });
    const attribute = (html: string, form: string, name: string) =>
      new RegExp(`data-passkey="${form}"[^>]*data-options="([^"]+)"`).exec(html)?.[1]?.replace(/&quot;/g, '"') ??
      (() => {
        throw new Error(`no ${name}`);
      })();
    const state = (html: string) => /name="state" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const created = authenticator.create(JSON.parse(attribute(account.body, 'register', 'options')));
    const added = await request('POST', '/admin/account/passkeys', { cookie: session.cookie, form: { csrf: session.csrf, state: state(account.body), response: JSON.stringify(created) } });
    expect(added.statusCode).toBe(303);
    expect(await deps.passkeys.listFor('editor@example.org')).toHaveLength(1);

    const page = await request('GET', '/admin');
    const asserted = authenticator.get(JSON.parse(attribute(page.body, 'signin', 'options')));
    const form = { state: state(page.body), response: JSON.stringify(asserted) };
    const signedIn = await request('POST', '/admin/passkey', { form });
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.cookie).toMatch(/^appeal_session=/);
    // The same challenge again (a replay): refused, and the counter stays where the first use put it.
    expect((await request('POST', '/admin/passkey', { form })).statusCode).toBe(400);
    expect((await deps.passkeys.get(authenticator.credentialId.toString('base64url')))?.counter).toBe(1);
    // An answer for another origin: refused.
    const next = await request('GET', '/admin');
    const foreign = authenticator.get(JSON.parse(attribute(next.body, 'signin', 'options')), 'https://evil.example');
    expect((await request('POST', '/admin/passkey', { form: { state: state(next.body), response: JSON.stringify(foreign) } })).statusCode).toBe(400);
    expect(audit.entries.map((e) => [e.action, e.target])).toEqual([
      ['signin', 'link'],
      ['passkey.add', undefined],
      ['signin', 'passkey'],
    ]);
  });
});
