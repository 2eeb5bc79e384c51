import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { documentClient } from '../../functions/platform/clients.js';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';

// The tests run in order on one dev server: before any gift, after one gift of $47.50, after more, then closed.
let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const WIDTHS = [1280, 390, 360] as const;
const BOTH = [true, false] as const;

interface Visit {
  page: Page;
  /** Console errors and uncaught exceptions on the article page (not on the checkout pages it leads to). */
  errors: string[];
  close(): Promise<void>;
}

/** The demo article (on the demo site's origin, embedding the API's banner) at a width, with or without JavaScript. */
const visit = async (width: number, js: boolean): Promise<Visit> => {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 844 : 900 }, javaScriptEnabled: js });
  const page = await context.newPage();
  const errors: string[] = [];
  const onArticle = () => page.url() === `${server.siteUrl}/`;
  page.on('console', (m) => {
    if (m.type() === 'error' && onArticle()) errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => {
    if (onArticle()) errors.push(e.message);
  });
  await page.goto(`${server.siteUrl}/`);
  if (js) await page.locator('[data-appeal-progress]').waitFor({ state: 'visible' });
  return { page, errors, close: () => context.close() };
};

const banner = (page: Page) => page.locator('aside.appeal-banner');
/** Text as a reader sees it: the banner keeps a number and its word together with a no-break space. */
const words = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

/** A paid one-time gift, as a donor makes it through Checkout. */
const give = async (amount: number, email: string) => {
  const session = await postJson(`${server.url}/v1/donations/checkout`, { campaign: 'ukraine', amount, currency: 'usd', frequency: 'once', email });
  expect(session.status).toBe(201);
  const { id } = (await session.json()) as { id: string };
  expect((await postJson(`${server.url}/_local/stripe/checkout/${id}/complete`, { email })).status).toBe(200);
};

/** Pays the simulator's open Checkout page as the donor `email`, and waits for the thank-you page. */
const pay = async (page: Page, email: string) => {
  await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.waitForURL(/\/v1\/donate\/thanks\?session_id=/);
};


describe('the donation banner on the demo article', () => {
  it('before any gift, shows $0 and an empty bar', async () => {
    const v = await visit(1280, true);
    expect(words(await v.page.locator('.appeal-progress-label').textContent())).toBe('$0 raised of $50,000 goal · 0 donors · 0 gifts');
    expect((await v.page.locator('.appeal-progress-fill').boundingBox())?.width).toBe(0);
    expect(v.errors).toEqual([]);
    await v.close();
  });

  it('after one gift of $47.50, shows the exact total, a visible bar, and "1 donor" and "1 gift", at every width', async () => {
    await give(4750, 'first.donor@example.org');
    for (const width of WIDTHS) {
      const v = await visit(width, true);
      const label = words(await v.page.locator('.appeal-progress-label').textContent());
      expect(label, `at ${width} px`).toBe('$47.50 raised of $50,000 goal · 1 donor · 1 gift');
      // 4,750 of 5,000,000 is 0.095 %: a third of a pixel, shown anyway.
      const fill = await v.page.locator('.appeal-progress-fill').boundingBox();
      expect(fill?.width, `bar at ${width} px`).toBeGreaterThanOrEqual(8);
      expect(fill?.height, `bar at ${width} px`).toBeGreaterThanOrEqual(8);
      expect(v.errors).toEqual([]);
      await v.close();
    }
  });

  it('without JavaScript, the Once/Monthly switch makes the checkout monthly, at every width', async () => {
    for (const width of WIDTHS) {
      const v = await visit(width, false);
      const { page } = v;
      await expect(page.locator('[data-appeal-progress]').isVisible()).resolves.toBe(false);
      await expect(page.getByLabel('Once').isChecked()).resolves.toBe(true);
      await page.getByLabel('Monthly').check();
      const request = page.waitForRequest((r) => r.url().includes('/v1/donate?'));
      await page.getByRole('button', { name: '$10 a month' }).click();
      expect(new URL((await request).url()).searchParams.get('frequency')).toBe('monthly');
      await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
      await expect(page.locator('h1').textContent(), `at ${width} px`).resolves.toBe('Pay $10.00 a month');
      expect(v.errors).toEqual([]);
      await v.close();
    }
  });

  it('without JavaScript, a one-time amount goes straight to a one-time checkout', async () => {
    const v = await visit(390, false);
    await v.page.getByRole('button', { name: '$25', exact: true }).click();
    await v.page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await expect(v.page.locator('h1').textContent()).resolves.toBe('Pay $25.00');
    await v.close();
  });

  it('with JavaScript, the switch makes the checkout monthly', async () => {
    const v = await visit(390, true);
    await v.page.getByLabel('Monthly').check();
    const request = v.page.waitForRequest((r) => r.url().endsWith('/v1/donations/checkout'));
    await v.page.getByRole('button', { name: '$25 a month' }).click();
    // The fee box comes first (unticked): the gift as chosen is one tap on.
    await v.page.getByRole('button', { name: 'Give $25 a month' }).click();
    expect((await request).postDataJSON()).toMatchObject({ campaign: 'ukraine', amount: 2500, currency: 'usd', frequency: 'monthly', subscribe: false });
    await v.page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await expect(v.page.locator('h1').textContent()).resolves.toBe('Pay $25.00 a month');
    expect(v.errors).toEqual([]);
    await v.close();
  });

  it('never starts a gift when Enter is pressed on the switch or the newsletter box', async () => {
    for (const js of BOTH) {
      const v = await visit(390, js);
      await v.page.getByLabel('Monthly').focus();
      await v.page.keyboard.press('Enter');
      await v.page.waitForLoadState('networkidle');
      // Without JavaScript, Enter presses the form's default button: the amount chooser, not a checkout.
      expect(v.page.url(), js ? 'with JavaScript' : 'without').not.toContain('/_local/stripe/checkout/');
      if (js) expect(v.page.url()).toBe(`${server.siteUrl}/`);
      await v.close();
    }
  });

  it('at 390 px puts the frequency before the amounts, on the screen and in tab order', async () => {
    for (const js of BOTH) {
      const v = await visit(390, js);
      const { page } = v;
      const switchBox = await page.locator('fieldset.appeal-frequency').boundingBox();
      const firstAmount = await page.getByRole('button', { name: '$10', exact: true }).boundingBox();
      expect(switchBox && firstAmount && switchBox.y + switchBox.height <= firstAmount.y).toBe(true);

      const stops: string[] = [];
      for (let i = 0; i < 8; i++) {
        await page.keyboard.press('Tab');
        stops.push(
          await page.evaluate(() => {
            // With JavaScript the banner is in a shadow root: focus is on its host, and inside it.
            let el = document.activeElement;
            while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
            if (el instanceof HTMLInputElement || el instanceof HTMLButtonElement) return `${el.type}:${el.name}=${el.value}`;
            return `${el?.tagName.toLowerCase()}:${el?.textContent?.trim()}`;
          }),
        );
      }
      const tab = (stop: string) => stops.indexOf(stop);
      expect(tab('radio:frequency=once'), stops.join(' → ')).toBeGreaterThan(-1);
      expect(tab('radio:frequency=once'), stops.join(' → ')).toBeLessThan(tab('checkbox:subscribe=true'));
      expect(tab('checkbox:subscribe=true'), stops.join(' → ')).toBeLessThan(tab('submit:amount=1000'));
      await v.close();
    }
  });

  it('is compact at 390 px: the amounts on one row, the article starting on the first screen', async () => {
    for (const js of BOTH) {
      const v = await visit(390, js);
      const { page } = v;
      const box = await banner(page).boundingBox();
      // The placeholder's HTML takes the widget's space (no layout shift when it appears), so both are as tall: room
      // for the progress line of a campaign that has raised thousands, which wraps, and the reminder link below it.
      expect(box?.height, js ? 'with JavaScript' : 'without').toBeLessThanOrEqual(315);
      const tops = await page.locator('.appeal-amounts button').evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().top));
      expect(new Set(tops).size).toBe(1);
      const h1 = await page.locator('h1').boundingBox();
      expect(h1 && h1.y + h1.height).toBeLessThan(844);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await v.close();
    }
  });

  it('keeps the masthead on one line each for the brand and the section, never a column of words', async () => {
    for (const width of WIDTHS) {
      for (const js of BOTH) {
        const v = await visit(width, js);
        const { page } = v;
        const measure = (selector: string) =>
          page.locator(selector).evaluate((el) => {
            const box = el.getBoundingClientRect();
            return { top: box.top, height: box.height, lineHeight: Number.parseFloat(getComputedStyle(el).lineHeight), overflows: el.scrollWidth > el.clientWidth + 1 };
          });
        const brand = await measure('.masthead .brand');
        const section = await measure('.masthead nav a');
        const at = `${width} px, ${js ? 'with' : 'without'} JavaScript`;
        expect(brand.height, `brand on one line at ${at}`).toBeLessThan(brand.lineHeight * 1.5);
        expect(section.height, `section on one line at ${at}`).toBeLessThan(section.lineHeight * 1.5);
        expect(section.overflows, `section shown whole at ${at}`).toBe(false);
        if (width === 1280) expect(section.top, 'one row on a desktop').toBeLessThan(brand.top + brand.height);
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `no sideways scroll at ${at}`).toBeLessThanOrEqual(width);
        await v.close();
      }
    }
  });

  it('leaves the newsletter box unticked; ticked, the gift brings the double opt-in email (with JavaScript)', async () => {
    for (const subscribe of [true, false]) {
      const email = `banner.${subscribe ? 'optin' : 'nooptin'}@example.org`;
      const v = await visit(390, true);
      const box = v.page.getByLabel('Email me the GlobalSecurity.org newsletter');
      await expect(box.isChecked()).resolves.toBe(false);
      if (subscribe) await box.check();
      const request = v.page.waitForRequest((r) => r.url().endsWith('/v1/donations/checkout'));
      await v.page.getByRole('button', { name: '$10', exact: true }).click();
      await v.page.getByRole('button', { name: 'Give $10', exact: true }).click();
      expect((await request).postDataJSON()).toMatchObject({ amount: 1000, frequency: 'once', subscribe });
      await pay(v.page, email);
      const subjects = (await server.mailTo(email)).map((m) => m.subject);
      expect(subjects.some((s) => s.startsWith('Thank you'))).toBe(true);
      if (subscribe) expect(subjects).toContain('Please confirm your subscription to GlobalSecurity.org');
      else expect(subjects).not.toContain('Please confirm your subscription to GlobalSecurity.org');
      expect(v.errors).toEqual([]);
      await v.close();
    }
  });

  it('without JavaScript, leaves the newsletter box unticked; ticked, it goes with the link and the gift brings the double opt-in email', async () => {
    const v = await visit(1280, false);
    const box = v.page.getByLabel('Email me the GlobalSecurity.org newsletter');
    await expect(box.isChecked()).resolves.toBe(false);
    await box.check();
    const request = v.page.waitForRequest((r) => r.url().includes('/v1/donate?'));
    await v.page.getByRole('button', { name: '$10', exact: true }).click();
    const query = new URL((await request).url()).searchParams;
    expect(Object.fromEntries(query)).toEqual({ campaign: 'ukraine', currency: 'usd', component: 'banner', variant: 'control', frequency: 'once', subscribe: 'true', amount: '1000' });
    await pay(v.page, 'banner.nojs.optin@example.org');
    const subjects = (await server.mailTo('banner.nojs.optin@example.org')).map((m) => m.subject);
    expect(subjects).toContain('Please confirm your subscription to GlobalSecurity.org');
    await v.close();
  });

  it('passes axe-core at every width, with and without JavaScript', async () => {
    for (const width of WIDTHS) {
      for (const js of BOTH) {
        const v = await visit(width, js);
        expect(await axeViolations(v.page), `${width} px, ${js ? 'with' : 'without'} JavaScript`).toEqual([]);
        await v.page.getByLabel('Monthly').check();
        await v.page.getByLabel('Email me the GlobalSecurity.org newsletter').check();
        expect(await axeViolations(v.page), `monthly, ${width} px, ${js ? 'with' : 'without'} JavaScript`).toEqual([]);
        expect(v.errors).toEqual([]);
        await v.close();
      }
    }
  });

  it('says a closed campaign has ended, with its final total, and offers no donate button', async () => {
    const openBefore = await visit(390, true);
    const campaigns = new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations);
    const { id, title, currency, goal, suggestedAmounts, minAmount, maxAmount } = (await campaigns.getSettings('ukraine'))!;
    await campaigns.saveSettings({ id, title, currency, goal, suggestedAmounts, minAmount, maxAmount, open: false }, new Date());
    // A reader whose page was loaded before the campaign closed: the refused checkout turns the banner into the ended one.
    await openBefore.page.getByRole('button', { name: '$10', exact: true }).click();
    await openBefore.page.getByRole('button', { name: 'Give $10', exact: true }).click();
    await expect.poll(() => openBefore.page.locator('.appeal-banner-title').textContent()).toContain('this appeal has ended');
    // Nothing but the button that hides the banner.
    await expect(banner(openBefore.page).locator('button:not(.appeal-close)').count()).resolves.toBe(0);
    expect(openBefore.page.url()).toBe(`${server.siteUrl}/`);
    await openBefore.close();
    // $47.50 and the three $10 gifts of the newsletter tests, from four donors.
    await expect(fetch(`${server.url}/v1/campaigns/ukraine`).then((r) => r.json())).resolves.toMatchObject({ open: false, raised: 7750, donors: 4, donations: 4 });
    for (const width of WIDTHS) {
      const v = await visit(width, true);
      const { page } = v;
      await expect(page.locator('.appeal-banner-title').textContent()).resolves.toBe('UNITED24: humanitarian aid for Ukraine – this appeal has ended');
      const label = words(await page.locator('.appeal-progress-label').textContent());
      expect(label).toBe('$77.50 raised of the $50,000 goal, from 4 donors and 4 gifts. Thank you to everyone who gave.');
      await expect(banner(page).locator('form, button:not(.appeal-close), input, a[href*="/v1/donate"]').count()).resolves.toBe(0);
      expect(v.errors).toEqual([]);
      await v.close();
    }
  });

  it('passes axe-core on the ended banner at every width', async () => {
    for (const width of WIDTHS) {
      const v = await visit(width, true);
      await expect(v.page.locator('.appeal-banner-title').textContent()).resolves.toContain('has ended');
      expect(await axeViolations(v.page), `${width} px`).toEqual([]);
      await v.close();
    }
  });

  it('without JavaScript, leads from a closed campaign\'s banner to the page that says it has ended, never to an error', async () => {
    // The banner's own HTML cannot know the campaign closed: the page its buttons lead to says so.
    for (const name of ['Other amount', '$10']) {
      const v = await visit(390, false);
      const response = v.page.waitForResponse((r) => r.url().includes('/v1/donate?'));
      await v.page.getByRole('button', { name, exact: true }).click();
      expect((await response).status(), name).toBe(200);
      await expect(v.page.locator('h1').textContent(), name).resolves.toBe('This appeal has ended');
      await v.close();
    }
  });
});
