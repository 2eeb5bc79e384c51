import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Language } from '../../functions/core/shared/i18n/index.js';
import { messagesOf } from '../../functions/core/shared/i18n/catalogue.js';
import { launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

// The demo article on its own origin embeds Appeal from the API's origin with the snippet `admin embed` prints (`/`,
// or `/?lang=uk`: the snippet with --lang uk), under a stylesheet that tries to restyle everything. With JavaScript
// the widgets live in shadow roots that the page's CSS cannot reach; without it the placeholders' own HTML must work.
// (The page is the demo site's own, not a copy fulfilled by the test: Chromium lets only a page served from a
// loopback address load the API's script from one.)

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** A host page at war with everything on it: every property unset, then fonts, sizes and spacing no widget wants. */
const HOSTILE = `
* { all: unset !important; }
html, body, * { font-family: "Comic Sans MS", Papyrus, fantasy !important; font-size: 31px !important; line-height: 7 !important;
  letter-spacing: .25em !important; word-spacing: 1em !important; font-weight: 900 !important; color: #f0f !important;
  background: #0f0 !important; direction: rtl !important; }
div, aside, section, form, fieldset, p, label, button, input, h2 { display: inline !important; margin: 40px 10px !important;
  padding: 0 !important; border: 9px dotted red !important; }
`;

/** A stylesheet added to the page (as a plain evaluation: with JavaScript off, Playwright's addStyleTag waits forever). */
const addStyle = (page: Page, css: string) =>
  page.evaluate((text) => {
    const style = document.createElement('style');
    style.textContent = text;
    document.head.append(style);
  }, css);

interface HostPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page asked for. */
  requests: string[];
  /** Console errors and uncaught exceptions on the article. */
  errors: string[];
  close(): Promise<void>;
}

/** Both placeholders hold their widget, in an open shadow root, in place of their plain HTML. */
const widgetsRendered = (page: Page) =>
  page.waitForFunction(() => {
    const hosts = Array.from(document.querySelectorAll('[data-appeal]'));
    return hosts.length === 2 && hosts.every((host) => host.shadowRoot?.querySelector('.root') && host.children.length === 0);
  });

/**
 * The demo article with the snippet for `language` (none: the language is each reader's), with or without
 * JavaScript; `hostile` adds the stylesheet above to the page, `css` more of the site's own, `script: false` leaves
 * the script tag out (the page as it would be without Appeal's script).
 */
const openArticle = async (o: { js: boolean; language?: Language; hostile?: boolean; script?: boolean; locale?: string; css?: string }): Promise<HostPage> => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: o.js, locale: o.locale ?? 'en-US' });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  const address = `${server.siteUrl}/${o.language ? `?lang=${o.language}` : ''}`;
  const onArticle = () => page.url() === address;
  page.on('request', (request: Request) => requests.push(request.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' && onArticle()) errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => {
    if (onArticle()) errors.push(e.message);
  });
  if (o.script === false) {
    await page.route(address, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: (await response.text()).replace(/<script [^>]*\/v1\/embed\.js[^>]*><\/script>/, '') });
    });
  }
  await page.goto(address);
  // More of the site's stylesheets, after its own: the hostile one wins wherever it can reach.
  if (o.hostile) await addStyle(page, HOSTILE);
  if (o.css) await addStyle(page, o.css);
  if (o.js && o.script !== false) await widgetsRendered(page);
  return { page, context, requests, errors, close: () => context.close() };
};

/** Pays the simulator's open Checkout page as the donor `email`, and waits for the thank-you page. */
const pay = async (page: Page, email: string) => {
  await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.waitForURL(/\/v1\/donate\/thanks\?session_id=/);
};

/**
 * What the reader sees of each widget: the size of every control (buttons, inputs, the switch, the bar's height),
 * and the text style of everything, which a page's fonts, line heights and spacing would change if they got in.
 */
const widgetBoxes = (page: Page) =>
  page.evaluate(() => {
    const seen: Record<string, string> = {};
    for (const host of Array.from(document.querySelectorAll<HTMLElement>('[data-appeal]'))) {
      const parts = host.shadowRoot?.querySelectorAll<HTMLElement>(
        '.appeal-amounts button, .appeal-frequency label, .appeal-frequency legend, .appeal-optin, .appeal-optin input, .appeal-progress-track, .field label, .field input, .appeal-submit, .appeal-banner-title, h2, .appeal-progress-label, .consent',
      );
      Array.from(parts ?? []).forEach((el, i) => {
        const box = el.getBoundingClientRect();
        const style = getComputedStyle(el);
        // Text blocks wrap with the column's width (the page's business); controls keep their own size.
        const size = el.matches('.appeal-banner-title, h2, .appeal-progress-label, .consent, .appeal-optin, .field label')
          ? ''
          : el.matches('.appeal-progress-track')
            ? `h${Math.round(box.height)}`
            : `${Math.round(box.width)}x${Math.round(box.height)}`;
        const text = [style.fontFamily, style.fontSize, style.fontWeight, style.lineHeight, style.letterSpacing, style.wordSpacing, style.direction, style.color];
        seen[`${host.dataset.appeal} ${i} ${el.tagName.toLowerCase()}.${el.className}`] = [size, ...text].join(' | ');
      });
    }
    return seen;
  });

/** axe-core on the widgets only: inside each placeholder's shadow root. */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
interface AxeResults {
  violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[];
  passes: { nodes: unknown[] }[];
}
const axeInWidgets = async (page: Page) => {
  await page.evaluate(`${axeSource}\n;undefined`);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: object, options: object): Promise<AxeResults> } }).axe;
    const include = ['banner', 'signup'].map((kind) => ({ fromShadowDom: [`[data-appeal="${kind}"]`, '.root'] }));
    const results = await axe.run({ include }, { resultTypes: ['violations', 'passes'] });
    return {
      violations: results.violations.map((v) => `${v.id} (${v.impact ?? 'unknown'}): ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`),
      checked: results.passes.reduce((sum, rule) => sum + rule.nodes.length, 0),
    };
  });
};

const origins = (urls: string[]) => [...new Set(urls.map((u) => new URL(u).origin))].sort();
/** The outbox's subjects for `email`, once the mail queue is idle. */
const subjects = async (email: string) => (await server.mailTo(email)).map((m) => m.subject);
/** The language of each email to `email` (its `<html lang>`), and whether its subject opens as the catalogue's does. */
const mailLanguages = async (email: string) => (await server.mailTo(email)).map((m) => /<html lang="([a-z]+)"/.exec(m.html)?.[1]);
/** A catalogue message up to its first placeholder: what a subject made from it starts with. */
const opening = (template: string) => template.split('{')[0] ?? template;

describe('the embed on the cross-origin demo article, with JavaScript', () => {
  it('renders both widgets in shadow roots, their boxes untouched by a stylesheet that restyles everything', async () => {
    for (const language of [undefined, 'uk'] as const) {
      const calm = await openArticle({ js: true, language });
      const hostile = await openArticle({ js: true, language, hostile: true });
      const expected = await widgetBoxes(calm.page);
      expect(Object.keys(expected).length, 'controls measured').toBeGreaterThan(15);
      expect(await widgetBoxes(hostile.page), `${language ?? 'en'}: the hostile page's widgets`).toEqual(expected);
      // The hostile stylesheet did reach the page itself.
      await expect(hostile.page.locator('h1').evaluate((h1) => getComputedStyle(h1).fontSize)).resolves.toBe('31px');
      expect([...calm.errors, ...hostile.errors]).toEqual([]);
      await calm.close();
      await hostile.close();
    }
  }, 60_000);

  it('signs up and donates in English, cross-origin, asking nothing of any other origin', async () => {
    const v = await openArticle({ js: true, hostile: true });
    const { page } = v;
    await expect(page.locator('.appeal-banner-title').textContent()).resolves.toBe('UNITED24: humanitarian aid for Ukraine – Make a charitable donation');
    await expect(page.locator('.appeal-progress-label').textContent()).resolves.toMatch(/^\$[\d,.]+ raised of \$50,000 goal · \d+\u00a0donors? · \d+\u00a0gifts?$/);

    await page.getByLabel('Email address').fill('embed.en@example.org');
    await page.getByLabel('Name (optional)').fill('Dana');
    const signup = page.waitForRequest((r) => r.url() === `${server.url}/v1/subscriptions` && r.method() === 'POST');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect((await signup).postDataJSON()).toMatchObject({ email: 'embed.en@example.org', name: 'Dana', lists: ['news'], lang: 'en', source: `${server.siteUrl}/` });
    const status = page.locator('form[data-appeal-signup]').getByRole('status');
    await expect.poll(() => status.textContent()).toBe('Thank you! Check your inbox: we have sent you a link to confirm your subscription.');
    expect(page.url()).toBe(`${server.siteUrl}/`);
    // The confirmation arrives, in English.
    expect(await mailLanguages('embed.en@example.org')).toEqual(['en']);
    expect((await subjects('embed.en@example.org'))[0]).toMatch(new RegExp(`^${opening(messagesOf('en').emails.confirmation.subject)}`));

    // Nothing but the page's own origin and the API's; no cookie, nothing stored.
    expect(origins(v.requests)).toEqual([server.url, server.siteUrl].map((u) => new URL(u).origin).sort());
    expect(await v.context.cookies()).toEqual([]);
    await expect(page.evaluate(() => localStorage.length + sessionStorage.length)).resolves.toBe(0);

    await page.getByLabel('Email me the GlobalSecurity.org newsletter').check();
    const checkout = page.waitForRequest((r) => r.url().endsWith('/v1/donations/checkout'));
    await page.getByRole('button', { name: '$25', exact: true }).click();
    // The fee box (unticked, API.md "The appeal") and the gift as chosen.
    await expect(page.getByLabel('Add $1.06 so all $25 reaches UNITED24: humanitarian aid for Ukraine').isChecked()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Give $25', exact: true }).click();
    expect((await checkout).postDataJSON()).toEqual({
      campaign: 'ukraine',
      amount: 2500,
      currency: 'usd',
      frequency: 'once',
      subscribe: true,
      lang: 'en',
      // Attribution (API.md): the variant shown (the control: the demo campaign has no other), from the banner, on this page.
      component: 'banner',
      variant: 'control',
      source: `${server.siteUrl}/`,
    });
    await pay(page, 'embed.en.donor@example.org');
    await expect(page.locator('h1').textContent()).resolves.toBe('Thank you for your gift');
    // The receipt, and the double opt-in the ticked box asked for.
    expect(await subjects('embed.en.donor@example.org')).toHaveLength(2);
    expect(v.errors).toEqual([]);
    await v.close();
  });

  it('signs up and gives monthly in Ukrainian (data-lang="uk"), the messages and the forms in Ukrainian', async () => {
    const v = await openArticle({ js: true, language: 'uk', hostile: true });
    const { page } = v;
    await expect(page.locator('.appeal-banner-title').textContent()).resolves.toBe('UNITED24: humanitarian aid for Ukraine – Зробіть благодійний внесок');
    await expect(page.locator('.appeal-progress-label').textContent()).resolves.toMatch(/^Зібрано [\d\s,]+\sUSD з 50\s000\sUSD · /);
    await expect(page.locator('[data-appeal="banner"] .root').getAttribute('lang')).resolves.toBe('uk');

    // A field error in Ukrainian, tied to its field.
    await page.getByRole('button', { name: 'Підписатися' }).click();
    const email = page.getByLabel('Електронна адреса');
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    await expect(page.locator(`#${await email.getAttribute('aria-describedby')}`).textContent()).resolves.toBe('Введіть, будь ласка, свою електронну адресу.');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-appeal="signup"]')?.shadowRoot?.activeElement?.id)).toBe('appeal-email');

    await email.fill('embed.uk@example.org');
    const signup = page.waitForRequest((r) => r.url() === `${server.url}/v1/subscriptions`);
    await page.getByRole('button', { name: 'Підписатися' }).click();
    expect((await signup).postDataJSON()).toMatchObject({ email: 'embed.uk@example.org', lang: 'uk', lists: ['news'] });
    const status = page.locator('form[data-appeal-signup]').getByRole('status');
    await expect.poll(() => status.textContent()).toBe('Дякуємо! Перевірте пошту: ми надіслали вам посилання, щоб підтвердити підписку.');
    await expect(email.getAttribute('aria-invalid')).resolves.toBeNull();
    // The confirmation arrives in Ukrainian.
    expect(await mailLanguages('embed.uk@example.org')).toEqual(['uk']);
    expect((await subjects('embed.uk@example.org'))[0]).toMatch(new RegExp(`^${opening(messagesOf('uk').emails.confirmation.subject)}`));

    await page.getByLabel('Щомісяця').check();
    const checkout = page.waitForRequest((r) => r.url().endsWith('/v1/donations/checkout'));
    await page.getByRole('button', { name: /^25\sUSD на місяць$/ }).click();
    await page.getByRole('button', { name: new RegExp(`^${messagesOf('uk').widget.banner.giveMonthly.replace('{amount}', '25\\sUSD')}$`) }).click();
    expect((await checkout).postDataJSON()).toMatchObject({ amount: 2500, frequency: 'monthly', lang: 'uk' });
    await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Pay $25.00 a month');
    await pay(page, 'embed.uk.donor@example.org');
    await expect(page.locator('h1').textContent()).resolves.toBe(messagesOf('uk').donations.thanks.paidTitle);
    // The receipt, in Ukrainian.
    await expect.poll(() => mailLanguages('embed.uk.donor@example.org')).toEqual(['uk']);
    expect((await subjects('embed.uk.donor@example.org'))[0]).toMatch(new RegExp(`^${opening(messagesOf('uk').emails.receipt.subject)}`));
    expect(v.errors).toEqual([]);
    await v.close();
  });

  it("speaks the reader's browser language when the placeholder names none", async () => {
    const expected: [string, string][] = [
      ['uk-UA', 'Підписатися'],
      ['pl-PL', 'Zapisz się'],
      ['es-US', 'Suscribirme'],
      ['de-DE', 'Subscribe'],
    ];
    for (const [locale, submit] of expected) {
      const v = await openArticle({ js: true, locale });
      await expect(v.page.locator('.appeal-submit').textContent(), locale).resolves.toBe(submit);
      await v.close();
    }
  });

  it('takes the theme from CSS custom properties and data-theme, which the hostile page cannot take away', async () => {
    const css = '[data-appeal="banner"] { --appeal-accent: rgb(1, 2, 3); --appeal-radius: 0px; --appeal-font: monospace; }';
    const v = await openArticle({ js: true, hostile: true, css });
    const button = v.page.getByRole('button', { name: '$10', exact: true });
    await expect(button.evaluate((b) => getComputedStyle(b).backgroundColor)).resolves.toBe('rgb(1, 2, 3)');
    await expect(button.evaluate((b) => getComputedStyle(b).borderTopLeftRadius)).resolves.toBe('0px');
    await expect(button.evaluate((b) => getComputedStyle(b).fontFamily)).resolves.toBe('monospace');
    await v.page.evaluate(() => document.querySelector('[data-appeal="signup"]')?.setAttribute('data-theme', 'dark'));
    await expect(v.page.locator('.appeal-signup').evaluate((s) => getComputedStyle(s).backgroundColor)).resolves.toBe('rgb(30, 33, 38)');
    await v.close();
  });

  it('passes axe-core inside the widgets, in both languages, on a calm and a hostile page, also with an error shown', async () => {
    for (const language of [undefined, 'uk'] as const) {
      for (const hostile of [false, true]) {
        const v = await openArticle({ js: true, language, hostile });
        const at = `${language ?? 'en'}${hostile ? ', hostile page' : ''}`;
        const first = await axeInWidgets(v.page);
        expect(first.violations, at).toEqual([]);
        expect(first.checked, `axe looked inside the shadow roots (${at})`).toBeGreaterThan(20);
        await v.page.locator('[data-appeal="banner"] input[value="monthly"]').check();
        await v.page.locator('.appeal-submit').click();
        await expect.poll(() => v.page.locator('.appeal-status').textContent()).not.toBe('');
        expect((await axeInWidgets(v.page)).violations, `monthly, a field error (${at})`).toEqual([]);
        await v.close();
      }
    }
  }, 60_000);

  it('leaves the page as it was: no global, no style of its own in the document, the article styled as before', async () => {
    const styleOf = (page: Page) =>
      page.evaluate(() => {
        const h1 = getComputedStyle(document.querySelector('h1') as Element);
        return {
          globals: Object.keys(window).sort(),
          sheets: document.styleSheets.length,
          adopted: document.adoptedStyleSheets.length,
          h1: [h1.fontFamily, h1.fontSize, h1.lineHeight, h1.color].join(' | '),
        };
      });
    const without = await openArticle({ js: true, script: false });
    const embedded = await openArticle({ js: true });
    expect(await styleOf(embedded.page)).toEqual(await styleOf(without.page));
    await without.close();
    await embedded.close();
  });
});

describe('the embed on the cross-origin demo article, without JavaScript', () => {
  for (const language of [undefined, 'uk'] as const) {
    const words =
      language === 'uk'
        ? { email: 'Електронна адреса', subscribe: 'Підписатися', amount: /^10\sUSD( на місяць)?$/ }
        : { email: 'Email address', subscribe: 'Subscribe', amount: /^\$10( a month)?$/ };
    it(`signs up and donates through the placeholders' plain HTML (${language ?? 'en'}), under the hostile stylesheet`, async () => {
      const address = `embed.nojs.${language ?? 'en'}@example.org`;
      const v = await openArticle({ js: false, language, hostile: true });
      await v.page.getByLabel(words.email).fill(address);
      await v.page.getByRole('button', { name: words.subscribe }).click();
      await v.page.waitForURL(`${server.url}/v1/subscriptions/thanks?lang=${language ?? 'en'}`);
      await expect(v.page.locator('h1').textContent()).resolves.toBe(messagesOf(language ?? 'en').subscriptions.thanks.title);
      await expect(v.page.locator('html').getAttribute('lang')).resolves.toBe(language ?? 'en');
      expect(await mailLanguages(address)).toEqual([language ?? 'en']);

      await v.page.goto(`${server.siteUrl}/${language ? `?lang=${language}` : ''}`);
      await addStyle(v.page, HOSTILE);
      // The page's CSS styles this HTML (here: none of it, so each amount also shows its "a month"); it still works.
      const donate = v.page.waitForRequest((r) => r.url().startsWith(`${server.url}/v1/donate?`));
      await v.page.getByRole('button', { name: words.amount }).click();
      const query = Object.fromEntries(new URL((await donate).url()).searchParams);
      expect(query).toEqual({ campaign: 'ukraine', currency: 'usd', component: 'banner', variant: 'control', frequency: 'once', amount: '1000', ...(language ? { lang: language } : {}) });
      await pay(v.page, `embed.nojs.${language ?? 'en'}.donor@example.org`);
      await expect(v.page.locator('h1').textContent()).resolves.toBe(messagesOf(language ?? 'en').donations.thanks.paidTitle);
      await expect.poll(() => mailLanguages(`embed.nojs.${language ?? 'en'}.donor@example.org`)).toEqual([language ?? 'en']);
      await v.close();
    });
  }
});
