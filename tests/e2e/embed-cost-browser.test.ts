import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { documentClient } from '../../functions/platform/clients.js';
import { launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';
import { observePageCost, pageCost } from '../support/page-cost.js';

// What the embed costs the article that hosts it: nothing may move when the banner replaces its placeholder's plain
// HTML (layout shift is deterministic, so it is asserted exactly), for a campaign that has raised money (its
// progress line is longer than an empty one) and for a title that wraps to three lines. Blocking time depends on the machine: it is
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

/** A campaign that has raised money: its progress line is longer than the demo's empty one, and wraps sooner. */
const RAISED = { raised: 4_987_654, donations: 23_456, donors: 12_345 };

/** The demo article on `on` (else the file's server), its campaign answered as one that has raised RAISED. */
const open = async (o: { width: number; js: boolean; language?: 'uk' | 'pl' | 'es' | undefined; on?: TestServer }) => {
  const context = await browser.newContext({ viewport: { width: o.width, height: 844 }, javaScriptEnabled: o.js });
  await observePageCost(context);
  await context.route(`${(o.on ?? server).url}/v1/campaigns/*`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, json: { ...((await response.json()) as object), ...RAISED } });
  });
  const page = await context.newPage();
  await page.goto(`${(o.on ?? server).siteUrl}/${o.language ? `?lang=${o.language}` : ''}`);
  return { page, close: () => context.close() };
};

/** Opens the article without JavaScript, then with it, at each width: the banner appears, and nothing moves. */
const expectNoShift = async (widths: readonly number[], language: 'uk' | 'pl' | 'es' | undefined, on?: TestServer) => {
  for (const width of widths) {
    const at = `${language ?? 'en'} at ${width} px`;
    const plain = await open({ width, js: false, language, on });
    const before = await boxes(plain.page);
    await plain.close();

    const enhanced = await open({ width, js: true, language, on });
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
};

describe("the embed's cost to the page", () => {
  for (const language of [undefined, 'uk', 'pl', 'es'] as const) {
    it(`moves nothing when the banner appears (${language ?? 'en'}), at every width`, async () => {
      await expectNoShift([320, 390, 600, 1280], language);
    }, 60_000);
  }
});

describe("the embed's cost to the page, with a campaign title that wraps", () => {
  // Three lines at 360 px: more than the placeholder's reserve was measured with (the demo's 40 characters).
  const LONG =
    'UNITED24: winter aid for the families of Kharkiv, Kherson and Zaporizhzhia who lost their homes, their heating and their water';
  let long: TestServer;
  beforeAll(async () => {
    long = await startTestServer();
    // Before the demo article is first asked for: it makes its snippet (the no-JavaScript HTML) once, with the title.
    const campaigns = new DynamoCampaignRepository(documentClient(long.clientOptions), long.tables.donations);
    const settings = await campaigns.getSettings('ukraine');
    if (!settings) throw new Error('no demo campaign');
    await campaigns.saveSettings({ ...settings, title: LONG }, new Date());
  });
  afterAll(async () => {
    await long?.stop();
  });

  for (const language of [undefined, 'uk'] as const) {
    it(`moves nothing when the banner appears (${language ?? 'en'}), at 360, 390 and 1280 px`, async () => {
      const plain = await open({ width: 360, js: false, language, on: long });
      const lines = await plain.page.evaluate(() => {
        const title = document.querySelector('[data-appeal="banner"] .appeal-banner-title');
        return title ? Math.round(title.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(title).lineHeight)) : 0;
      });
      await plain.close();
      expect(lines, 'the title wraps').toBeGreaterThanOrEqual(3);
      await expectNoShift([360, 390, 1280], language, long);
    }, 60_000);
  }
});

describe("the embed's cost to the page, when the page's HTML arrives in parts", () => {
  // A network delivers a page in packets, and a parser on a slow phone yields between parts: a browser may paint what
  // it has. The snippet's <link rel="expect" blocking="render"> holds the first paint until the banner's placeholder
  // is all there; without it, half a placeholder is painted and the rest then moves it (a layout shift).
  const PAUSE_MS = 300;
  let article: string;
  let cut: string;
  let site: Server;
  let siteUrl: string;
  beforeAll(async () => {
    // The article without the script: the placeholder's own HTML is what is painted in parts.
    article = (await (await fetch(`${server.siteUrl}/`)).text()).replace(/<script src="[^"]*\/v1\/embed\.js[^>]*><\/script>/, '');
    site = createServer((req, res) => {
      if (req.url?.startsWith('/assets/')) {
        fetch(`${server.siteUrl}${req.url}`)
          .then(async (asset) => {
            res.writeHead(asset.status, { 'content-type': asset.headers.get('content-type') ?? 'text/plain' });
            res.end(Buffer.from(await asset.arrayBuffer()));
          })
          .catch(() => res.destroy());
        return;
      }
      const at = article.indexOf(cut);
      if (at < 0) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`the article has no ${cut}`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.write(article.slice(0, at));
      setTimeout(() => res.end(article.slice(at)), PAUSE_MS);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => site?.close(resolve));
  });

  // Cut before a label's words, and between two amounts.
  for (const [name, at] of [['a label', ' Once</label>'], ['the amounts', '<button type="submit" name="amount" value="2500">']] as const) {
    it(`paints the banner's placeholder whole, the HTML cut inside ${name}, at 320, 390 and 1280 px`, async () => {
      cut = at;
      for (const width of [320, 390, 1280]) {
        const context = await browser.newContext({ viewport: { width, height: 844 } });
        await observePageCost(context);
        const page = await context.newPage();
        await page.goto(`${siteUrl}/`, { waitUntil: 'load' });
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
        const cost = await pageCost(page);
        expect(cost.shifts, `at ${width} px: what moved`).toEqual([]);
        expect(cost.cls, `at ${width} px`).toBe(0);
        // Nothing was painted before the rest of the placeholder arrived.
        const firstPaint = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              new PerformanceObserver((list, observer) => {
                const entry = list.getEntriesByName('first-contentful-paint')[0];
                if (!entry) return;
                observer.disconnect();
                resolve(entry.startTime);
              }).observe({ type: 'paint', buffered: true });
            }),
        );
        expect(firstPaint, `at ${width} px`).toBeGreaterThanOrEqual(PAUSE_MS);
        await context.close();
      }
    }, 60_000);
  }
});
