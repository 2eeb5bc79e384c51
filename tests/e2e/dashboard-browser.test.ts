import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardSections } from '../../functions/core/dashboard/charts.js';
import { type Dashboard, readDashboard } from '../../functions/core/dashboard/dashboard.js';
import { LANGUAGES } from '../../functions/core/shared/i18n/index.js';
import { page as pageShell } from '../../functions/core/shared/page-shell.js';
import { pagePolicy } from '../../functions/core/shared/page-policy.js';
import { SITE_CSS_PATH, stylesheet } from '../../functions/core/shared/stylesheet.js';
import { axeViolations } from '../support/axe.js';
import { testBrand } from '../support/brand.js';
import { launchChromium } from '../support/browser.js';
import { makeDashboardDeps } from '../support/dashboard-fakes.js';
import { FakeClock } from '../support/fakes.js';

// The dashboard's charts as the console's page will carry them, in Chromium: under the pages' strict CSP (nothing
// refused), with JavaScript off, at 1280 and 360 px, and clean for axe-core.

const ORIGIN = 'https://appeal.test';
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(() => browser?.close());

const month = async (): Promise<Dashboard> => {
  const deps = makeDashboardDeps(new FakeClock(new Date('2026-12-07T12:00:00Z')));
  deps.counters.activeMonthly = 40;
  for (let d = 1; d <= 30; d++) {
    const day = new Date(Date.UTC(2026, 10, 7 + d)).toISOString().slice(0, 10);
    deps.counters.add('list', { day, counts: { signups: (d * 7) % 23, confirmations: (d * 5) % 17, unsubscribes: d % 3, bounces: d % 5 === 0 ? 1 : 0, complaints: d % 11 === 0 ? 1 : 0 } });
    deps.counters.add('gifts', { day, counts: { gifts: d % 4, 'gifts:once': d % 2, 'gifts:monthly': (d % 4) - (d % 2), 'raised:usd': (d % 4) * 2500, 'monthly:started': d % 3 === 0 ? 1 : 0, 'campaign:ukraine:gifts': d % 4, 'campaign:ukraine:raised:usd': (d % 4) * 2500 } });
    if (d % 9 === 0) deps.counters.add('gifts', { day, counts: { 'refunded:usd': 1000, 'campaign:ukraine:refunded:usd': 1000 } });
  }
  return readDashboard(deps, { days: 30 });
};

/** The page served from one origin with its policy and the stylesheet, in a context without JavaScript. */
const open = async (lang: string, width: number): Promise<{ page: Page; refused: string[] }> => {
  const site = testBrand('Example News', { lang });
  const html = pageShell('Dashboard', dashboardSections(await month(), lang), site);
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height: 900 } });
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
  });
  await page.route(`${ORIGIN}/**`, (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === SITE_CSS_PATH) return route.fulfill({ status: 200, contentType: 'text/css', body: stylesheet(site) });
    return route.fulfill({ status: 200, contentType: 'text/html', headers: { 'content-security-policy': pagePolicy(html) }, body: html });
  });
  await page.goto(`${ORIGIN}/admin`);
  return { page, refused };
};

describe('the dashboard charts in Chromium', () => {
  it.each([1280, 360])('draw every chart under the strict CSP, without JavaScript, axe-clean, at %i px', async (width) => {
    const { page, refused } = await open('en', width);
    expect(await page.locator('svg.chart').count()).toBe(6);
    // The stylesheet applied: the bars take the brand's colour from their class, and nothing overflows the page.
    expect(await page.locator('svg.chart .bar').first().evaluate((el) => getComputedStyle(el).fill)).not.toBe('rgb(0, 0, 0)');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    expect(await axeViolations(page)).toEqual([]);
    // The tables open without a script (details/summary) and hold every day.
    await page.locator('#chart-gifts-h ~ details summary').click();
    expect(await page.locator('#chart-gifts-h ~ details tbody tr').count()).toBe(30);
    expect(await axeViolations(page)).toEqual([]);
    expect(refused).toEqual([]);
    await page.context().close();
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('read as well in %s', async (lang) => {
    const { page, refused } = await open(lang, 360);
    expect(await axeViolations(page)).toEqual([]);
    expect(refused).toEqual([]);
    await page.context().close();
  });
});
