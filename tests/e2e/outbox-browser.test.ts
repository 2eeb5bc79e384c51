import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';

// The local outbox is an inbox for a browser, and stays the contract's JSON for tools.

let server: TestServer;
let browser: Browser;
const READER = 'inbox.reader@example.org';

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  await postJson(`${server.url}/v1/subscriptions`, { email: READER, name: 'Ines Reader' });
  await server.mailIdle();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const WIDTHS = [1280, 360] as const;

/** A page at a width, with or without JavaScript, collecting the top document's console errors. */
const open = async (width: number, js: boolean) => {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 800 : 900 }, javaScriptEnabled: js });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.startsWith('about:srcdoc')) errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors, close: () => context.close() };
};

const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

describe('the outbox for tools', () => {
  it('answers the contract\'s JSON to fetch, curl and API clients, oldest first, and one email by id', async () => {
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/plain, */*']) {
      const response = await fetch(`${server.url}/_local/outbox`, { headers: accept ? { accept } : {} });
      expect(response.headers.get('content-type'), String(accept)).toBe('application/json; charset=utf-8');
      expect(response.headers.get('vary')).toBe('accept');
      const emails = (await response.json()) as { id: string; at: string; to: string[] }[];
      const mine = emails.find((m) => m.to.includes(READER));
      expect(mine).toMatchObject({ id: expect.any(String), at: expect.any(String), from: expect.any(String), subject: expect.any(String), headers: expect.any(Object), text: expect.any(String), html: expect.any(String) });
      expect(emails.map((m) => m.at)).toEqual([...emails.map((m) => m.at)].sort());
    }
    const [mail] = await server.mailTo(READER);
    const one = await fetch(`${server.url}/_local/outbox/${encodeURIComponent(mail?.id ?? '')}`);
    expect(await one.json()).toEqual(mail);
    const missing = await fetch(`${server.url}/_local/outbox/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('the outbox in a browser', () => {
  for (const width of WIDTHS) {
    for (const js of [true, false]) {
      it(`lists the emails and opens one rendered, with its headers and working links (${width} px, JavaScript ${js ? 'on' : 'off'})`, async () => {
        const [mail] = await server.mailTo(READER);
        const { page, errors, close } = await open(width, js);
        await page.goto(`${server.url}/_local/outbox`);
        await expect(page.locator('h1').textContent()).resolves.toBe('Outbox');
        expect(await fitsWidth(page)).toBe(true);
        const entry = page.getByRole('link', { name: mail?.subject ?? '' }).first();
        await expect(entry.isVisible()).resolves.toBe(true);

        await entry.click();
        await page.waitForURL(`${server.url}/_local/outbox/${encodeURIComponent(mail?.id ?? '')}`);
        await expect(page.locator('h1').textContent()).resolves.toBe(mail?.subject);
        const headers = (await page.locator('dl.headers').textContent()) ?? '';
        expect(headers).toContain(READER);
        expect(headers).toContain('List-Unsubscribe');
        expect(await fitsWidth(page)).toBe(true);

        // The HTML part in a sandbox: no script of the email runs, and it cannot reach the outbox's origin.
        const frame = page.locator('iframe');
        const sandbox = (await frame.getAttribute('sandbox')) ?? '';
        expect(sandbox.split(/\s+/)).not.toContain('allow-scripts');
        expect(sandbox.split(/\s+/)).not.toContain('allow-same-origin');
        await expect(frame.getAttribute('title')).resolves.toBeTruthy();
        const body = page.frameLocator('iframe').locator('body');
        await expect.poll(() => body.textContent()).toContain('confirm');

        // A click on the email's confirmation link opens its page in the tab, as from a webmail.
        await page.frameLocator('iframe').locator('a[href*="/v1/subscriptions/confirm?token="]').first().click();
        await page.waitForURL(/\/v1\/subscriptions\/confirm\?token=/);
        await expect.poll(() => page.locator('h1').textContent()).toMatch(/Confirm your subscription|Subscription confirmed/);
        expect(errors).toEqual([]);
        await close();
      });
    }
  }

  it('makes the text part\'s links clickable too, and says when there is no email', async () => {
    const [mail] = await server.mailTo(READER);
    const { page, close } = await open(1280, false);
    await page.goto(`${server.url}/_local/outbox/${encodeURIComponent(mail?.id ?? '')}`);
    const link = page.locator('pre a[href*="/v1/subscriptions/confirm?token="]');
    await expect(link.count()).resolves.toBe(1);
    expect(mail?.text).toContain(await link.getAttribute('href'));
    const missing = await page.goto(`${server.url}/_local/outbox/nope`);
    expect(missing?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('No such email');
    await close();
  });
});

describe('the outbox\'s accessibility', () => {
  it('has no axe-core violation on the list or an email, at 1280 and 360 px', async () => {
    const [mail] = await server.mailTo(READER);
    for (const width of WIDTHS) {
      const { page, close } = await open(width, true);
      for (const path of ['/_local/outbox', `/_local/outbox/${encodeURIComponent(mail?.id ?? '')}`]) {
        await page.goto(`${server.url}${path}`);
        expect(await axeViolations(page), `${path} at ${width} px`).toEqual([]);
      }
      await close();
    }
  });
});
