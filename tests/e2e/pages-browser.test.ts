import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { defaultBounds } from '../../functions/core/donations/campaigns.js';
import { documentClient } from '../../functions/platform/clients.js';
import { axeViolations } from '../support/axe.js';
import { launchChromium, sharedContext } from '../support/browser.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';

// Every page the API hosts, walked at a desktop and a phone width, with JavaScript on and off: in the
// site's style, no horizontal scroll at 360 px, a link back to the site, no console error, and no axe-core violation.
// The emails are checked the same way, rendered on their own.

let server: TestServer;
/** A second server whose signup limit is one a minute, for the rate-limited page. */
let strict: TestServer;
let browser: Browser;

const fixtures = {
  confirmUrl: '',
  unsubscribeUrl: '',
  paidSession: '',
  unpaidSession: '',
  emails: [] as { subject: string; html: string }[],
};

const checkout = async (campaign: string, amount: number, email: string) => {
  const created = await postJson(`${server.url}/v1/donations/checkout`, { campaign, amount, currency: 'usd', frequency: 'once', email });
  expect(created.status).toBe(201);
  return ((await created.json()) as { id: string }).id;
};
const pay = async (session: string, email: string) =>
  expect((await postJson(`${server.url}/_local/stripe/checkout/${session}/complete`, { email })).status).toBe(200);

beforeAll(async () => {
  [server, strict, browser] = await Promise.all([
    startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000' }),
    startTestServer({ SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1' }),
    launchChromium(),
  ]);
  // A campaign that took a gift, then closed.
  const campaigns = new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations);
  const winter = { id: 'winter', title: 'Winter appeal', currency: 'usd', goal: 100_000, suggestedAmounts: [1000, 2500], ...defaultBounds('usd') };
  await campaigns.saveSettings({ ...winter, open: true }, new Date());
  await pay(await checkout('winter', 4750, 'winter.donor@example.org'), 'winter.donor@example.org');
  await campaigns.saveSettings({ ...winter, open: false }, new Date());

  fixtures.paidSession = await checkout('ukraine', 2500, 'paid.donor@example.org');
  await pay(fixtures.paidSession, 'paid.donor@example.org');
  fixtures.unpaidSession = await checkout('ukraine', 3300, 'unpaid.donor@example.org');

  // One reader confirms again and again; another unsubscribes (which ends the first one's links if it were the same).
  expect((await postJson(`${server.url}/v1/subscriptions`, { email: 'confirmer@example.org' })).status).toBe(202);
  expect((await postJson(`${server.url}/v1/subscriptions`, { email: 'leaver@example.org' })).status).toBe(202);
  fixtures.confirmUrl = linkIn((await server.mailTo('confirmer@example.org'))[0]?.text ?? '', '/v1/subscriptions/confirm');
  const [confirmation] = await server.mailTo('leaver@example.org');
  fixtures.unsubscribeUrl = linkIn(confirmation?.text ?? '', '/v1/subscriptions/unsubscribe');
  expect((await postJson(linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm'), {})).status).toBe(200);
  const mails = [...(await server.mailTo('leaver@example.org')), ...(await server.mailTo('paid.donor@example.org'))];
  fixtures.emails = mails.map(({ subject, html }) => ({ subject, html }));
  expect(fixtures.emails.map((m) => m.subject)).toEqual([
    'Please confirm your subscription to GlobalSecurity.org',
    'Welcome to GlobalSecurity.org',
    'Thank you for your gift to UNITED24: humanitarian aid for Ukraine',
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([server?.stop(), strict?.stop()]);
});

/** axe-core's violations on a page, with or without its JavaScript (tests/support/axe.ts); `tags` narrows the rules. */
const axeOf = async (page: Page, _js: boolean, tags?: string[]): Promise<string[]> => axeViolations(page, tags);

/**
 * What an email is held to: WCAG 2.1 A and AA. axe's best practices for pages (one `main` landmark, every part in a
 * landmark, an `h1`) do not apply to a message that a mail client shows inside its own page.
 */
const EMAIL_RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Posts a form from a page of the server, as a reader's browser does without our script. */
const postForm = async (page: Page, base: string, fields: Record<string, string>) => {
  await page.goto(`${base}/v1/subscriptions/thanks`);
  await Promise.all([
    page.waitForEvent('framenavigated'),
    page.evaluate((values) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/v1/subscriptions';
      for (const [name, value] of Object.entries(values)) {
        const input = document.createElement('input');
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    }, fields),
  ]);
  await page.waitForLoadState();
};

interface Surface {
  name: string;
  /** Opens the page; answers the HTTP status the contract gives it (Chromium logs a 4xx document as a console error). */
  open(page: Page, js: boolean): Promise<number>;
  /** What the page must say. */
  heading: string | ((js: boolean) => string);
  /** The site the page links back to (the strict server's pages link to its own demo article). */
  home?: () => string;
}

const goto = async (page: Page, url: string) => (await page.goto(url))?.status() ?? 0;

const SURFACES: Surface[] = [
  { name: 'donation chooser', heading: 'Give to UNITED24: humanitarian aid for Ukraine', open: (p) => goto(p, `${server.url}/v1/donate?campaign=ukraine`) },
  {
    name: 'chooser with a bad custom amount',
    heading: 'Give to UNITED24: humanitarian aid for Ukraine',
    open: (p) => goto(p, `${server.url}/v1/donate?campaign=ukraine&currency=usd&custom_amount=0.50&frequency=monthly`),
  },
  { name: 'chooser after a cancelled checkout', heading: 'Give to UNITED24: humanitarian aid for Ukraine', open: (p) => goto(p, `${server.url}/v1/donate?campaign=ukraine&checkout=cancelled`) },
  { name: 'closed campaign', heading: 'This appeal has ended', open: (p) => goto(p, `${server.url}/v1/donate?campaign=winter`) },
  { name: 'donation thank-you, paid', heading: 'Thank you for your gift', open: (p) => goto(p, `${server.url}/v1/donate/thanks?session_id=${fixtures.paidSession}`) },
  { name: 'donation thank-you, not paid', heading: 'Your gift was not completed', open: (p) => goto(p, `${server.url}/v1/donate/thanks?session_id=${fixtures.unpaidSession}`) },
  { name: 'donation thank-you, unknown session', heading: 'We could not find this payment', open: (p) => goto(p, `${server.url}/v1/donate/thanks?session_id=cs_test_unknown`) },
  { name: 'donation error', heading: 'We could not start your donation', open: (p) => goto(p, `${server.url}/v1/donate?campaign=ukraine&amount=2500&currency=eur`) },
  { name: 'signup thank-you', heading: 'Check your inbox', open: (p) => goto(p, `${server.url}/v1/subscriptions/thanks`) },
  {
    name: 'confirm prompt (JavaScript confirms at once)',
    heading: (js) => (js ? 'Subscription confirmed' : 'Confirm your subscription'),
    open: async (p, js) => {
      const status = await goto(p, fixtures.confirmUrl);
      if (js) await p.locator('h1', { hasText: 'Subscription confirmed' }).waitFor();
      return status;
    },
  },
  {
    name: 'confirmed',
    heading: 'Subscription confirmed',
    open: async (p, js) => {
      await goto(p, fixtures.confirmUrl);
      if (!js) await p.getByRole('button', { name: 'Confirm my subscription' }).click();
      await p.locator('h1', { hasText: 'Subscription confirmed' }).waitFor();
      return 200;
    },
  },
  { name: 'bad confirmation link', heading: 'This link does not work', open: (p) => goto(p, `${server.url}/v1/subscriptions/confirm?token=v1.forged`) },
  { name: 'unsubscribe prompt', heading: 'Unsubscribe', open: (p) => goto(p, fixtures.unsubscribeUrl) },
  {
    name: 'unsubscribed',
    heading: 'You have been unsubscribed',
    open: async (p) => {
      await goto(p, fixtures.unsubscribeUrl);
      await p.getByRole('button', { name: 'Unsubscribe' }).click();
      await p.locator('h1', { hasText: 'You have been unsubscribed' }).waitFor();
      return 200;
    },
  },
  {
    name: 'signup refused (no JavaScript form post)',
    heading: 'Please check your email address',
    open: async (p) => {
      await postForm(p, server.url, { email: 'not-an-address', name: 'Dana', source: `${server.siteUrl}/` });
      return 400;
    },
  },
  {
    name: 'signup rate-limited',
    heading: 'Please wait a moment',
    home: () => `${strict.siteUrl}/`,
    open: async (p) => {
      // Use up this minute's one signup first, so that the browser's is the one refused.
      await postJson(`${strict.url}/v1/subscriptions`, { email: 'first@example.org' });
      await postForm(p, strict.url, { email: 'second@example.org' });
      return 429;
    },
  },
  { name: 'manage link refused', heading: 'This link does not work', open: (p) => goto(p, `${server.url}/v1/donations/manage?token=v1.forged`) },
  { name: '404', heading: 'Page not found', open: (p) => goto(p, `${server.url}/no/such/page`) },
];

const COMBOS = [1280, 360].flatMap((width) => [true, false].map((js) => ({ width, js })));

// One context per combination, a fresh page in it per case: the hosted pages set no cookie and keep nothing in
// storage, so the cases stay independent (tests/support/browser.ts says what a shared context saves).
describe.each(COMBOS)('hosted pages at $width px, JavaScript $js', ({ width, js }) => {
  const context = sharedContext(() => browser, { viewport: { width, height: 800 }, javaScriptEnabled: js });
  it.each(SURFACES.map((s) => [s.name, s] as const))('%s', async (_, surface) => {
    const page = await context().newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      const status = await surface.open(page, js);
      const heading = typeof surface.heading === 'string' ? surface.heading : surface.heading(js);
      await expect(page.locator('h1').textContent()).resolves.toBe(heading);
      // Chromium reports a document answered 4xx as a failed load: the contract gives these pages their status.
      const own = `Failed to load resource: the server responded with a status of ${status} `;
      expect(errors.filter((e) => !(status >= 400 && e.startsWith(own) && e.endsWith(`(${page.url()})`)))).toEqual([]);
      const home = surface.home?.() ?? `${server.siteUrl}/`;
      await expect(page.locator(`header a[href="${home}"]`).count()).resolves.toBe(1);
      await expect(page.locator(`footer a[href="${home}"]`).count()).resolves.toBe(1);
      if (width === 360) {
        await expect(page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).resolves.toBeLessThanOrEqual(0);
      }
      await expect(axeOf(page, js)).resolves.toEqual([]);
    } finally {
      await page.close();
    }
  });
});

/** The pages a reader reaches without a link of ours naming a language: the browser's Accept-Language decides. */
const BY_BROWSER_LANGUAGE = [
  'donation chooser',
  'chooser with a bad custom amount',
  'chooser after a cancelled checkout',
  'closed campaign',
  'donation thank-you, paid',
  'donation thank-you, not paid',
  'donation thank-you, unknown session',
  'donation error',
  'signup thank-you',
  'bad confirmation link',
  'signup refused (no JavaScript form post)',
  'manage link refused',
  '404',
];

describe.each(['uk', 'pl'] as const)('hosted pages in the browser language %s, at 360 px without JavaScript', (lang) => {
  const context = sharedContext(() => browser, { viewport: { width: 360, height: 800 }, javaScriptEnabled: false, locale: lang });
  it.each(SURFACES.filter((s) => BY_BROWSER_LANGUAGE.includes(s.name)).map((s) => [s.name, s] as const))('%s', async (_, surface) => {
    const page = await context().newPage();
    try {
      await surface.open(page, false);
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe(lang);
      const heading = typeof surface.heading === 'string' ? surface.heading : surface.heading(false);
      const h1 = (await page.locator('h1').textContent()) ?? '';
      // Translated (the campaign's own title is the campaign's, in its own words).
      if (!heading.includes('UNITED24')) expect(h1).not.toBe(heading);
      expect(h1.length).toBeGreaterThan(3);
      // Longer words than English, and still no sideways scroll on a phone.
      await expect(page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).resolves.toBeLessThanOrEqual(0);
      await expect(axeOf(page, false)).resolves.toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('renders its emails readable at 360 px, in its language, with no axe violation', async () => {
    const email = `${lang}.reader@example.org`;
    expect((await postJson(`${server.url}/v1/subscriptions`, { email, lang })).status).toBe(202);
    const [confirmation] = await server.mailTo(email);
    expect(confirmation?.html).toContain(`<html lang="${lang}">`);
    const page = await browser.newPage({ viewport: { width: 360, height: 800 } });
    await page.setContent(confirmation?.html ?? '');
    await expect(page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).resolves.toBeLessThanOrEqual(0);
    await expect(axeOf(page, true, EMAIL_RULES)).resolves.toEqual([]);
    await page.close();
  });
});

describe('hosted pages, in detail', () => {
  it('keep what a reader typed in the no-JavaScript signup form, with the problem at the field', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await postForm(page, server.url, { email: 'not-an-address', name: 'Dana' });
    const email = page.getByLabel('Email address');
    await expect(email.inputValue()).resolves.toBe('not-an-address');
    await expect(email.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator(`#${await email.getAttribute('aria-describedby')}`).textContent()).resolves.toBe('Please enter a valid email address.');
    await expect(page.getByLabel('Name (optional)').inputValue()).resolves.toBe('Dana');
    // Corrected, it goes through.
    await email.fill('dana.corrected@example.org');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('h1', { hasText: 'Check your inbox' }).waitFor();
    await context.close();
  });

  it('take a typed amount to Checkout with the Enter key, and the newsletter box along', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 800 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/v1/donate?campaign=ukraine`);
    await page.getByLabel('Also send me').check();
    await page.getByLabel('Other amount (USD)').fill('12.50');
    await page.getByLabel('Other amount (USD)').press('Enter');
    await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Pay $12.50');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('h1', { hasText: 'Give to' }).waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toContain('You cancelled your payment');
    await context.close();
  });

  it('serve an icon at /favicon.ico', async () => {
    const response = await fetch(`${server.url}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/x-icon');
    const page = await browser.newPage();
    await page.goto(`${server.url}/favicon.ico`);
    await expect(page.evaluate(() => [document.images[0]?.naturalWidth, document.images[0]?.naturalHeight])).resolves.toEqual([32, 32]);
    await page.close();
  });

  it.each([1280, 360])('render every email readable at %i px: masthead linking home, no horizontal scroll, no axe violation', async (width) => {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    for (const email of fixtures.emails) {
      await page.setContent(email.html);
      await expect(page.locator(`a[href="${server.siteUrl}/"]`).first().textContent()).resolves.toBe('GlobalSecurity.org');
      await expect(page.getByText('300 Example Street').count()).resolves.toBe(1);
      await expect(page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).resolves.toBeLessThanOrEqual(0);
      await expect(axeOf(page, true, EMAIL_RULES)).resolves.toEqual([]);
    }
    await page.close();
  });
});
