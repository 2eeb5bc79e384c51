// Measures the banner's height below its title, per language and per width of its placeholder, for the placeholder
// rules of web/embed/reserve.ts (BELOW_TITLE_EM): the widget on the demo article, in Chromium, its campaign answered
// with totals in the tens of thousands (a progress line as long as a campaign's that has raised money: the demo's
// empty one is shorter), at every width from 1,300 px down to 260 px.
// Prints, per language, the largest height in each of reserve.ts's width ranges, in em of the widget's font size,
// rounded up to a quarter em. Usage: node --import tsx scripts/measure-reserve.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer } from '../local/server/dev-server.js';
import { UP_TO } from '../web/embed/reserve.js';
import { launchChromium } from '../tests/support/browser.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const dataDir = await mkdtemp(join(tmpdir(), 'appeal-reserve-'));
const server = await startDevServer({ port: 0, dataDir, env: { LOG_LEVEL: 'ERROR' } });
const browser = await launchChromium();

/** The widget's height below its title (the title's margin, the progress, the choices, the bottom padding), in em. */
const measure = () =>
  (document.querySelector('[data-appeal="banner"]') as HTMLElement).shadowRoot
    ? (() => {
        const host = document.querySelector('[data-appeal="banner"]') as HTMLElement;
        const root = host.shadowRoot?.querySelector('.root') as HTMLElement;
        const banner = root.querySelector('.appeal-banner') as HTMLElement;
        const title = root.querySelector('.appeal-banner-title') as HTMLElement;
        // The height the script gave it from the placeholder: measured without it.
        banner.style.minHeight = '';
        const em = Number.parseFloat(getComputedStyle(root).fontSize);
        return { width: host.getBoundingClientRect().width, below: (banner.getBoundingClientRect().bottom - title.getBoundingClientRect().bottom) / em };
      })()
    : undefined;

try {
  for (const language of ['en', 'uk', 'pl', 'es']) {
    const context = await browser.newContext({ viewport: { width: 1300, height: 844 } });
    const page = await context.newPage();
    await page.route(`${server.url}/v1/campaigns/*`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...((await response.json()) as object), raised: 4_987_654, donations: 23_456, donors: 12_345 } });
    });
    await page.goto(`${server.siteUrl}/?lang=${language}`);
    await page.waitForFunction(() => document.querySelector('[data-appeal="banner"]')?.shadowRoot?.querySelector('.appeal-banner') != null);
    const most = UP_TO.map(() => 0);
    for (let width = 1300; width >= 260; width -= 2) {
      await page.setViewportSize({ width, height: 844 });
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      const seen = await page.evaluate(measure);
      if (!seen) throw new Error('no banner');
      const range = UP_TO.findIndex((upTo) => seen.width <= upTo);
      most[range] = Math.max(most[range] ?? 0, seen.below);
    }
    console.log(`  ${language}: [${most.map((em) => Math.ceil(em * 4) / 4).join(', ')}],`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}
