import { expect } from 'vitest';
import { makeHandler } from '../../../functions/console/routes.js';
import type { Role } from '../../../functions/core/console/model.js';
import { processMailJob } from '../../../functions/core/mail/mail.js';
import { defaultBrand } from '../../../functions/core/shared/brand.js';
import { makeConsoleDeps } from '../../support/console-fakes.js';
import { httpEvent } from '../../support/events.js';

// The console function over in-memory fakes, as a browser on its own origin calls it: sign-in by link, a session
// cookie and its forms' CSRF token.

export const API = 'https://api.example.org';
export const BROWSER = { accept: 'text/html', origin: API };

export const setup = () => {
  const fakes = makeConsoleDeps();
  const { t, deps } = fakes;
  const handler = makeHandler(deps, { brand: defaultBrand('Example News'), apiBaseUrl: API, secureCookie: true });
  const request = async (method: string, path: string, options: { form?: Record<string, string>; rawBody?: string; cookie?: string; headers?: Record<string, string>; query?: string; ip?: string } = {}) => {
    const event = httpEvent({
      method,
      path,
      query: options.query,
      sourceIp: options.ip,
      headers: { ...BROWSER, ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...options.headers },
      // `rawBody`: a form whose field repeats (ticked boxes), as a browser encodes it.
      body: options.rawBody ?? (options.form ? new URLSearchParams(options.form).toString() : undefined),
    });
    if (options.cookie) event.cookies = [options.cookie];
    const result = await handler(event);
    return { ...result, body: result.body ?? '', cookie: result.cookies?.[0] };
  };
  /** Mails the queued sign-in links (as the mail worker does) and returns the link sent to `to`. */
  const linkFor = async (to: string) => {
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    const mail = t.mailer.sent.filter((m) => m.to === to).at(-1);
    return mail && /https:\/\/api\.example\.org\/admin\/signin\?(token=[^\s&]+(&lang=\w+)?)/.exec(mail.text)?.[1];
  };
  const addEditor = (email: string, role: Role) => deps.editors.put(email, role, t.clock.now());
  /** Signs an editor in by link; returns the session cookie (`name=value`) and the CSRF token of its forms. */
  const signIn = async (email: string) => {
    await request('POST', '/admin', { form: { email } });
    const query = await linkFor(email);
    const answer = await request('POST', '/admin/signin', { query });
    expect(answer.statusCode).toBe(303);
    const cookie = answer.cookie?.split(';')[0] ?? '';
    const page = await request('GET', '/admin/account', { cookie });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    return { cookie, csrf };
  };
  return { ...fakes, handler, request, linkFor, addEditor, signIn };
};

export type Harness = ReturnType<typeof setup>;

/** An editor of `role` added and signed in: their address, session cookie and CSRF token. */
export const signedIn = async (h: Harness, role: 'viewer' | 'fundraiser' | 'exporter' | 'admin') => {
  const email = `${role}@example.org`;
  await h.addEditor(email, role);
  return { email, ...(await h.signIn(email)) };
};

/** Requests as that session: a GET with its cookie, a form POST with its cookie and CSRF token. */
export const actingAs = (h: Harness, session: { cookie: string; csrf: string }) => ({
  get: (path: string, query?: string) => h.request('GET', path, { cookie: session.cookie, query }),
  post: (path: string, form: Record<string, string> = {}) => h.request('POST', path, { cookie: session.cookie, form: { csrf: session.csrf, ...form } }),
});
