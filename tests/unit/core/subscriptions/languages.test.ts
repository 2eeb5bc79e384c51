import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../../functions/subscriptions/routes.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import type { OutgoingEmail } from '../../../../functions/core/mail/model.js';
import { messagesOf } from '../../../../functions/core/shared/i18n/catalogue.js';
import { fill, pluralOf } from '../../../../functions/core/shared/i18n/format.js';
import { DEFAULT_COLORS } from '../../../../functions/core/shared/brand.js';
import { makeConfirmToken } from '../../../../functions/core/shared/secrets.js';
import { makeSubscriptionDeps, testKeys } from '../../../support/fakes.js';
import { bodyOf, httpEvent } from '../../../support/events.js';

// A reader's language, from the signup to every later page and email: the form's `lang`, else the
// browser's Accept-Language, else the site's own; stored with the subscriber; carried by every link we send.

const limits = {
  signupClient: { name: 'signup-client', limit: 50, windowSeconds: 60 },
  linkClient: { name: 'link-client', limit: 50, windowSeconds: 60 },
};
const SITE = 'Example News';
const uk = messagesOf('uk');
const en = messagesOf('en');

const setup = (siteLanguage?: string) => {
  const fakes = makeSubscriptionDeps();
  const brand = { siteName: SITE, siteUrl: 'https://news.example.org/', ...DEFAULT_COLORS, lang: siteLanguage };
  const handler = makeHandler(fakes.deps, { limits, brand });
  /** Runs every queued job through the mail worker, as the queue consumer does; returns the emails sent. */
  const drain = async (): Promise<OutgoingEmail[]> => {
    const before = fakes.mailer.sent.length;
    for (const job of fakes.queue.take()) await processMailJob(fakes.mailDeps, job);
    return fakes.mailer.sent.slice(before);
  };
  return { ...fakes, handler, drain };
};

const signup = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  httpEvent({ method: 'POST', path: '/v1/subscriptions', body, headers });
/** A signup form posted by a browser without JavaScript. */
const formPost = (body: string) =>
  httpEvent({ method: 'POST', path: '/v1/subscriptions', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body });
const linkIn = (email: OutgoingEmail | undefined, path: string) => {
  const found = email?.text.match(new RegExp(`https://api\\.example\\.org${path}\\?[^\\s]+`));
  if (!found) throw new Error(`no ${path} link in the email`);
  return new URL(found[0]);
};
const htmlPage = (path: string, query: string, headers: Record<string, string> = {}, method = 'GET') =>
  httpEvent({ method, path, query, headers: { accept: 'text/html', ...headers } });

describe('the language a signup asks in', () => {
  it.each([
    ['uk', {}, 'uk'],
    ['uk-UA', {}, 'uk'],
    ['PL', {}, 'pl'],
    [undefined, { 'accept-language': 'fr-FR, es;q=0.8, en;q=0.5' }, 'es'],
    [undefined, { 'accept-language': 'de' }, 'en'],
    [undefined, {}, 'en'],
  ])('lang %s with %o is stored as %s', async (lang, headers, expected) => {
    const t = setup();
    const result = await t.handler(signup({ email: 'reader@example.org', ...(lang ? { lang } : {}) }, headers));
    expect(result.statusCode).toBe(202);
    await t.drain();
    expect((await t.subscribers.get('reader@example.org'))?.lang).toBe(expected);
  });

  it("falls back to the site's own language when the reader's is not known", async () => {
    const t = setup('pl');
    await t.handler(signup({ email: 'reader@example.org' }, { 'accept-language': 'de-DE' }));
    await t.drain();
    expect((await t.subscribers.get('reader@example.org'))?.lang).toBe('pl');
  });

  it('refuses a language we do not speak with 400 invalid_field on lang, and queues nothing', async () => {
    const t = setup();
    const result = await t.handler(signup({ email: 'reader@example.org', lang: 'fr' }));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_field', field: 'lang' } });
    expect(t.queue.jobs).toHaveLength(0);
  });
});

describe('emails and pages in the subscriber’s language', () => {
  it('sends the confirmation, its pages and the welcome in Ukrainian, every link carrying the language', async () => {
    const t = setup();
    await t.handler(signup({ email: 'reader@example.org', name: 'Оксана', lang: 'uk' }));
    const [confirmation] = await t.drain();
    expect(confirmation?.subject).toBe(fill(uk.emails.confirmation.subject, { site: SITE }));
    expect(confirmation?.html).toContain('<html lang="uk">');
    expect(confirmation?.text).toContain(fill(uk.emails.confirmation.asked, { site: SITE }));
    expect(confirmation?.text).not.toContain(en.emails.confirmation.button);
    const confirmUrl = linkIn(confirmation, '/v1/subscriptions/confirm');
    expect(confirmUrl.searchParams.get('lang')).toBe('uk');
    expect(confirmation?.headers['List-Unsubscribe']).toMatch(/[?&]lang=uk>$/);

    // The link's page, to a browser that prefers English: the link's language wins.
    const prompt = await t.handler(htmlPage('/v1/subscriptions/confirm', confirmUrl.search.slice(1), { 'accept-language': 'en' }));
    expect(prompt.body).toContain('<html lang="uk">');
    expect(prompt.body).toContain(uk.subscriptions.confirmPrompt.title);
    const confirmed = await t.handler(htmlPage('/v1/subscriptions/confirm', confirmUrl.search.slice(1), {}, 'POST'));
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain(uk.subscriptions.confirmed.title);

    const [welcome] = await t.drain();
    expect(welcome?.subject).toBe(fill(uk.emails.welcome.subject, { site: SITE }));
    expect(welcome?.text).toContain(fill(uk.emails.helloName, { name: 'Оксана' }));
    const unsubscribeUrl = linkIn(welcome, '/v1/subscriptions/unsubscribe');
    expect(unsubscribeUrl.searchParams.get('lang')).toBe('uk');
    const left = await t.handler(htmlPage('/v1/subscriptions/unsubscribe', unsubscribeUrl.search.slice(1), {}, 'POST'));
    expect(left.body).toContain(uk.subscriptions.unsubscribed.title);
    expect((await t.subscribers.get('reader@example.org'))?.lang).toBe('uk');
  });

  it('writes to a subscriber in the language stored with them, whatever a later request asks', async () => {
    const t = setup();
    await t.handler(signup({ email: 'reader@example.org', lang: 'pl' }));
    const [confirmation] = await t.drain();
    await t.handler(htmlPage('/v1/subscriptions/confirm', linkIn(confirmation, '/v1/subscriptions/confirm').search.slice(1), {}, 'POST'));
    await t.drain();
    t.clock.advance(3600); // past the interval between notes
    await t.handler(signup({ email: 'reader@example.org', lang: 'es' }));
    const [note] = await t.drain();
    expect(note?.subject).toBe(fill(messagesOf('pl').emails.alreadySubscribed.subject, { site: SITE }));
  });

  it('writes in English, with links that carry no language, to a reader whose language is not known', async () => {
    const t = setup();
    await processMailJob(t.mailDeps, { kind: 'welcome', id: 'w1', email: 'old@example.org', round: 'r1' });
    const welcome = t.mailer.sent.at(-1);
    expect(welcome?.subject).toBe(fill(en.emails.welcome.subject, { site: SITE }));
    expect(welcome?.html).toContain('<html lang="en">');
    expect(welcome?.headers['List-Unsubscribe']).not.toContain('lang=');
  });

  it('shows a form posted without JavaScript again in its own language, keeping the language for the next try', async () => {
    const t = setup();
    const result = await t.handler(formPost('email=not-an-address&lang=uk'));
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('<html lang="uk">');
    expect(result.body).toContain(uk.subscriptions.form.checkTitle.email);
    expect(result.body).toContain(uk.widget.signup.emailInvalid);
    expect(result.body).toContain('<input type="hidden" name="lang" value="uk">');
    expect(result.body).not.toContain('Please check');

    const accepted = await t.handler(formPost('email=reader%40example.org&lang=uk'));
    expect(accepted.statusCode).toBe(303);
    const thanks = new URL(accepted.headers.location ?? '');
    expect(thanks.searchParams.get('lang')).toBe('uk');
    const page = await t.handler(htmlPage(thanks.pathname, thanks.search.slice(1)));
    expect(page.body).toContain(uk.subscriptions.thanks.title);
  });

  it("answers a browser's error in the language of its Accept-Language", async () => {
    const t = setup();
    const result = await t.handler(htmlPage('/v1/subscriptions/unsubscribe', 'token=v1.forged', { 'accept-language': 'uk-UA,uk;q=0.9' }));
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('<html lang="uk">');
    expect(result.body).toContain(uk.errors.badLinkTitle);
    expect(result.body).toContain(uk.errors.messages.badLink);
  });

  it("says how long the configured confirmation links work, in the reader's plural forms", async () => {
    const t = setup();
    t.deps.settings.confirmTtlSeconds = 3 * 86400;
    const result = await t.handler(htmlPage('/v1/subscriptions/confirm', 'token=v1.forged&lang=uk'));
    expect(result.statusCode).toBe(400);
    const expected = fill(pluralOf('uk', 3, uk.subscriptions.invalidLink.validity), { n: 3 });
    expect(expected).not.toBe(fill(pluralOf('uk', 1, uk.subscriptions.invalidLink.validity), { n: 1 }).replace('1', '3'));
    expect(result.body).toContain(expected);
  });

  it("writes in the site's language to a reader whose own is not known", async () => {
    const t = setup();
    t.mailDeps.settings.sender = { name: SITE, postalAddress: '1 Example Street', color: '#13294b', accent: '#b22234', language: 'pl' };
    await processMailJob(t.mailDeps, { kind: 'welcome', id: 'w2', email: 'old@example.org', round: 'r1' });
    expect(t.mailer.sent.at(-1)?.subject).toBe(fill(messagesOf('pl').emails.welcome.subject, { site: SITE }));
  });

  it('says an authentic but expired link has expired, in the reader\'s words (by the error, not its English)', async () => {
    const t = setup();
    const token = makeConfirmToken(testKeys.token, { email: 'reader@example.org', round: 'r1', request: 'j1', expiresAt: new Date('2026-11-01T00:00:00Z') });
    const expired = await t.handler(htmlPage('/v1/subscriptions/confirm', `token=${token}&lang=uk`));
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toContain(uk.errors.messages.expiredConfirm);
    const forged = await t.handler(htmlPage('/v1/subscriptions/confirm', 'token=v1.forged&lang=uk'));
    expect(forged.body).toContain(uk.errors.messages.badLink);
    expect(forged.body).not.toContain(uk.errors.messages.expiredConfirm);
  });
});

