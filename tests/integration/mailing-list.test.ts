import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
let server: TestServer;
let api: string;

beforeAll(async () => {
  // Limits are raised here (every test shares 127.0.0.1); rate-limits.test.ts covers the contract's defaults.
  server = await startTestServer({ SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000' });
  api = `${server.url}/v1/subscriptions`;
});
afterAll(() => server.stop());

describe('POST /v1/subscriptions', () => {
  it('answers 202 pending and emails a confirmation link with one-click unsubscribe headers', async () => {
    const response = await postJson(api, { email: ' New.Reader@Example.org ', name: 'Ann', source: 'https://news.example.org/a' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'pending' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const [mail, ...rest] = await server.mailTo('new.reader@example.org');
    expect(rest).toHaveLength(0);
    expect(mail?.subject).toBe('Please confirm your subscription to GlobalSecurity.org');
    expect(mail?.headers['List-Unsubscribe']).toMatch(/^<http:\/\/localhost:\d+\/v1\/subscriptions\/unsubscribe\?token=v1\.[\w-]+&lang=en>$/);
    expect(mail?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(mail?.html).toContain('/v1/subscriptions/confirm?token=');
    expect(mail?.text).toContain('Unsubscribe: ');
  });

  it('gives the same answer for new, pending and confirmed addresses', async () => {
    const email = 'same-answer@example.org';
    const first = await postJson(api, { email });
    const [mail] = await server.mailTo(email);
    await postJson(`${linkIn(mail?.text ?? '', '/v1/subscriptions/confirm')}`, {});
    const again = await postJson(api, { email });
    const unknown = await postJson(api, { email: 'never-seen@example.org' });
    const answers = await Promise.all([first, again, unknown].map(async (r) => [r.status, await r.text()]));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('accepts a plain form post and sends a browser to the thank-you page', async () => {
    const response = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: BROWSER_ACCEPT },
      body: 'email=form.reader%40example.org&name=Bo&lists=news',
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    const location = response.headers.get('location') ?? '';
    // The thank-you page in the reader's language (here English: no lang asked, no Accept-Language).
    expect(location).toBe(`${server.url}/v1/subscriptions/thanks?lang=en`);
    const page = await fetch(location);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Check your inbox');
    expect(await server.mailTo('form.reader@example.org')).toHaveLength(1);
  });

  it("reads a PHP-style form's lists[] as lists, and refuses what it cannot read instead of dropping it", async () => {
    const form = (body: string) =>
      fetch(api, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body });
    const taken = await form('email=php.form%40example.org&lists%5B%5D=news');
    expect(taken.status).toBe(202);
    expect(await server.mailTo('php.form@example.org')).toHaveLength(1);
    const unknown = await form('email=php.sports%40example.org&lists%5B%5D=sports');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: unknown }).error).toMatchObject({ code: 'invalid_list', field: 'lists' });
    const nested = await form('email=php.nested%40example.org&lists%5Bnews%5D=on');
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as { error: unknown }).error).toMatchObject({ code: 'invalid_field', field: 'lists[news]' });
    expect(await server.mailTo('php.sports@example.org')).toHaveLength(0);
    expect(await server.mailTo('php.nested@example.org')).toHaveLength(0);
  });

  it('answers a filled honeypot like any signup, and stores and sends nothing', async () => {
    const response = await postJson(api, { email: 'honeypot@example.org', website: 'https://spam.example' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'pending' });
    expect(await server.mailTo('honeypot@example.org')).toHaveLength(0);
  });

  it.each([
    [{ email: 'not-an-address' }, 'invalid_email', 'email'],
    [{ email: 'a@example.org\r\nBcc: x@example.org' }, 'invalid_email', 'email'],
    [{}, 'invalid_email', 'email'],
    [{ email: 'a@example.org', lists: ['sports'] }, 'invalid_list', 'lists'],
    [{ email: 'a@example.org', name: 'n'.repeat(101) }, 'invalid_field', 'name'],
    [{ email: 'a@example.org', source: 'javascript:alert(1)' }, 'invalid_field', 'source'],
  ])('rejects %j with 400 %s on %s', async (body, code, field) => {
    const response = await postJson(api, body);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; field: string; message: string } };
    expect(error).toMatchObject({ code, field });
    expect(error.message.length).toBeGreaterThan(5);
  });

  it('answers a browser form that fails with an HTML page of the same status', async () => {
    const response = await fetch(api, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: BROWSER_ACCEPT },
      body: 'email=nope',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('Please enter a valid email address.');
  });

  it('refuses a body over 16 KiB (413), another content type (415) and malformed JSON (400)', async () => {
    const big = await postJson(api, { email: 'a@example.org', name: 'x'.repeat(17 * 1024) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const xml = await fetch(api, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' });
    expect(xml.status).toBe(415);
    const broken = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });
});

describe('confirming', () => {
  const signUp = async (email: string) => {
    await postJson(api, { email, name: 'Cy' });
    const [mail] = await server.mailTo(email);
    return linkIn(mail?.text ?? '', '/v1/subscriptions/confirm');
  };

  it('shows a page on GET that changes nothing, and confirms on POST, twice without harm', async () => {
    const email = 'confirm-me@example.org';
    const link = await signUp(email);
    const page = await fetch(link, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('method="post"');
    expect(html).toContain('<button type="submit">Confirm my subscription</button>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'sha256-");
    await server.mailIdle();
    expect((await server.mailTo(email)).map((m) => m.subject)).toHaveLength(1); // no welcome from a GET

    const first = await postJson(link, undefined);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'confirmed' });
    const second = await fetch(link, { method: 'POST', headers: { accept: BROWSER_ACCEPT } });
    expect(second.status).toBe(200);
    expect(await second.text()).toContain('Subscription confirmed');
    const subjects = (await server.mailTo(email)).map((m) => m.subject);
    expect(subjects).toEqual(['Please confirm your subscription to GlobalSecurity.org', 'Welcome to GlobalSecurity.org']);
  });

  it('answers a forged link with a 400 page that offers a new link', async () => {
    const link = await signUp('forger@example.org');
    const forged = link.replace(/token=v1\.(.)/, (_m, c: string) => `token=v1.${c === 'A' ? 'B' : 'A'}`);
    const page = await fetch(forged, { method: 'POST', headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain('Send me a new link');
    expect(html).toContain(`action="${server.url}/v1/subscriptions"`);
    const json = await postJson(forged, undefined);
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('invalid_token');
    const missing = await fetch(`${api}/confirm`, { headers: { accept: 'application/json' } });
    expect(missing.status).toBe(400);
  });

  it('says that a link has more than one token, in JSON and on the page', async () => {
    const link = await signUp('twice@example.org');
    const token = new URL(link).searchParams.get('token') ?? '';
    const doubled = `${api}/confirm?token=${token}&token=${token}`;
    const json = await fetch(doubled, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: unknown }).error).toEqual({ code: 'invalid_token', field: 'token', message: 'The link has more than one token.' });
    const page = await fetch(doubled, { method: 'POST', headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('The link has more than one token.');
  });
});

describe('unsubscribing', () => {
  it('never unsubscribes on GET; one-click POST unsubscribes, idempotently', async () => {
    const email = 'leaver@example.org';
    await postJson(api, { email });
    const [confirmation] = await server.mailTo(email);
    await postJson(linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm'), undefined);
    const header = confirmation?.headers['List-Unsubscribe'] ?? '';
    const link = header.slice(1, -1);

    const page = await fetch(link, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<button type="submit">Unsubscribe</button>');
    // Still subscribed: signing up again gets the "already subscribed" note after the interval, not an opt-in.
    for (let i = 0; i < 2; i++) {
      const oneClick = await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(oneClick.status).toBe(200);
      expect(await oneClick.json()).toEqual({ status: 'unsubscribed' });
    }
    const button = await fetch(link, { method: 'POST', headers: { accept: BROWSER_ACCEPT } });
    expect(button.status).toBe(200);
    expect(await button.text()).toContain('You have been unsubscribed');

    const bad = await fetch(`${api}/unsubscribe?token=v1.${'A'.repeat(80)}`, { method: 'POST' });
    expect(bad.status).toBe(400);
  });

  it('unsubscribes on an RFC 8058 one-click POST sent as multipart/form-data, as Gmail sends it', async () => {
    const email = 'gmail-leaver@example.org';
    await postJson(api, { email });
    const [confirmation] = await server.mailTo(email);
    const confirmed = await postJson(linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm'), undefined);
    expect(confirmed.status).toBe(200);
    const link = (confirmation?.headers['List-Unsubscribe'] ?? '').slice(1, -1);
    const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const oneClick = await fetch(link, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.json()).toEqual({ status: 'unsubscribed' });
    // The record says so: a new signup is a new opt-in round (a confirmation), not an "already subscribed" note.
    await postJson(api, { email });
    const last = (await server.mailTo(email)).at(-1);
    expect(last?.subject).toBe('Please confirm your subscription to GlobalSecurity.org');

    const viaFetch = new FormData(); // undici's own encoder: another boundary style
    viaFetch.append('List-Unsubscribe', 'One-Click');
    expect((await fetch(link, { method: 'POST', body: viaFetch })).status).toBe(200);
  });
});

describe("a container's first link POST", () => {
  // The signup, the function's main route, loads none of the link POSTs' writes (functions/subscriptions/sections.ts):
  // a container that has served only signups confirms and unsubscribes all the same, on a handler of its own.
  it('confirms, then unsubscribes, on a handler that has served only a signup', async () => {
    const fresh = await startTestServer({ LINK_CLIENT_LIMIT_PER_MINUTE: '1000' });
    try {
      const email = 'first-link@example.org';
      expect((await postJson(`${fresh.url}/v1/subscriptions`, { email })).status).toBe(202);
      const [confirmation] = await fresh.mailTo(email);
      const confirmed = await postJson(linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm'), undefined);
      expect(confirmed.status).toBe(200);
      expect(await confirmed.json()).toEqual({ status: 'confirmed' });
      expect((await fresh.mailTo(email)).map((m) => m.subject)).toEqual([
        'Please confirm your subscription to GlobalSecurity.org',
        'Welcome to GlobalSecurity.org',
      ]);
      const link = (confirmation?.headers['List-Unsubscribe'] ?? '').slice(1, -1);
      const oneClick = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(oneClick.status).toBe(200);
      expect(await oneClick.json()).toEqual({ status: 'unsubscribed' });
      // Written: signing up again starts a new opt-in round (a confirmation), not an "already subscribed" note.
      await postJson(`${fresh.url}/v1/subscriptions`, { email });
      expect((await fresh.mailTo(email)).at(-1)?.subject).toBe('Please confirm your subscription to GlobalSecurity.org');
    } finally {
      await fresh.stop();
    }
  });
});

describe('the API surface', () => {
  it('answers unknown routes 404 and wrong methods 405 in the contract format', async () => {
    const missing = await fetch(`${server.url}/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
    const wrong = await fetch(api, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await wrong.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });

  it('answers CORS preflights for the site origin only', async () => {
    const preflight = (origin: string) =>
      fetch(api, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const allowed = await preflight(new URL(server.url).origin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('x-request-id')).toBeTruthy();
    expect(allowed.headers.get('access-control-allow-origin')).toBe(new URL(server.url).origin);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the demo article with the signup form and the outbox', async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    expect(page).toContain('Russia Resumes Aleppo Bombings After Brief Pause');
    expect(page).toContain(`<form data-appeal-signup method="post" action="${server.url}/v1/subscriptions"`);
    const outbox = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string[] }[];
    expect(Array.isArray(outbox)).toBe(true);
    expect(outbox[0]).toMatchObject({ id: expect.any(String), at: expect.any(String), from: expect.any(String), to: expect.any(Array) });
  });
});
