import { expect } from 'vitest';
import { SoftwareAuthenticator } from './webauthn.js';

/**
 * The console as a browser uses it, over HTTP with fetch: one cookie jar, our own `Origin` on every post, forms posted
 * as a browser posts them (each with the CSRF token its page carries), redirects not followed (their 303s are checked).
 */
export class ConsoleClient {
  cookie = '';
  /** The CSRF token of the last console page read. */
  csrf = '';

  constructor(
    readonly url: string,
    private readonly mailTo: (to: string) => Promise<{ text: string }[]>,
  ) {}

  async request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        origin: new URL(this.url).origin,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = /Max-Age=0/.test(set) ? '' : (set.split(';')[0] ?? '');
    const body = await response.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(body)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: response.status, location: response.headers.get('location'), body, headers: response.headers };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  /** Posts a console form with the current page's CSRF token. */
  post(path: string, form: Record<string, string> = {}) {
    return this.request('POST', path, { csrf: this.csrf, ...form });
  }

  /** Asks for a link, takes it from the outbox, opens it (GET) and posts it, as the link's page does. */
  async signInByLink(email: string) {
    const before = (await this.mailTo(email)).length;
    expect((await this.request('POST', '/admin', { email })).status).toBe(200);
    const mails = await this.mailTo(email);
    expect(mails.length).toBe(before + 1);
    const link = /https?:\/\/\S+\/admin\/signin\?token=[\w.-]+(&lang=\w+)?/.exec(mails.at(-1)?.text ?? '')?.[0] ?? '';
    const path = link.slice(this.url.length);
    expect((await this.get(path)).status).toBe(200);
    const answer = await this.request('POST', path);
    expect(answer.status).toBe(303);
    expect(this.cookie).toMatch(/^appeal_session=/);
    await this.get('/admin');
  }

  /** Adds a passkey from the account page with a software authenticator; returns the authenticator. */
  async addPasskey(authenticator = new SoftwareAuthenticator(new URL(this.url).origin)) {
    const page = await this.get('/admin/account');
    const created = authenticator.create(JSON.parse(optionsOf(page.body, 'register')));
    expect((await this.post('/admin/account/passkeys', { state: stateOf(page.body), response: JSON.stringify(created) })).status).toBe(303);
    return authenticator;
  }

  /** Signs in on the sign-in page with a passkey the authenticator holds. */
  async signInByPasskey(authenticator: SoftwareAuthenticator) {
    this.cookie = '';
    const page = await this.get('/admin');
    const asserted = authenticator.get(JSON.parse(optionsOf(page.body, 'signin')));
    const answer = await this.request('POST', '/admin/passkey', { state: stateOf(page.body), response: JSON.stringify(asserted) });
    expect(answer.status).toBe(303);
    await this.get('/admin');
  }
}

const optionsOf = (html: string, kind: string) =>
  (new RegExp(`data-passkey="${kind}" data-options="([^"]+)"`).exec(html)?.[1] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
const stateOf = (html: string) => /name="state" value="([^"]+)"/.exec(html)?.[1] ?? '';
