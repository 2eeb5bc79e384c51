import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';
import { observePageCost, pageCost } from '../support/page-cost.js';

// What the embed costs the article that hosts it: nothing may move when the banner replaces its placeholder's plain
// HTML (layout shift is deterministic, so it is asserted exactly). Blocking time depends on the machine: it is
// printed by `npm run bench:embed`, never asserted here.

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const bannerRendered = (page: Page) =>
  page.waitForFunction(() => document.querySelector('[data-appeal="banner"]')?.shadowRoot?.querySelector('.appeal-banner') != null);

/** The banner placeholder's box, and where the article below it starts. */
const boxes = (page: Page) =>
  page.evaluate(() => {
    const banner = document.querySelector('[data-appeal="banner"]')?.getBoundingClientRect();
    const article = document.querySelector('article')?.getBoundingClientRect();
    return { bannerHeight: Math.round(banner?.height ?? -1), articleTop: Math.round(article?.top ?? -1) };
  });

const open = async (o: { width: number; js: boolean; language?: 'uk' | 'pl' | 'es' }) => {
  const context = await browser.newContext({ viewport: { width: o.width, height: 844 }, javaScriptEnabled: o.js });
  await observePageCost(context);
  const page = await context.newPage();
  await page.goto(`${server.siteUrl}/${o.language ? `?lang=${o.language}` : ''}`);
  return { page, close: () => context.close() };
};

describe("the embed's cost to the page", () => {
  for (const language of [undefined, 'uk', 'pl', 'es'] as const) {
    it(`moves nothing when the banner appears (${language ?? 'en'}), at every width`, async () => {
      for (const width of [320, 390, 600, 1280]) {
        const at = `${language ?? 'en'} at ${width} px`;
        const plain = await open({ width, js: false, language });
        const before = await boxes(plain.page);
        await plain.close();

        const enhanced = await open({ width, js: true, language });
        await bannerRendered(enhanced.page);
        // Two frames for any shift to be reported.
        await enhanced.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        const cost = await pageCost(enhanced.page);
        expect(cost.shifts, `${at}: what moved`).toEqual([]);
        expect(cost.cls, at).toBe(0);
        // The plain HTML (JavaScript off) and the widget take the same space.
        expect(await boxes(enhanced.page), at).toEqual(before);
        await enhanced.close();
      }
    }, 60_000);
  }
});
