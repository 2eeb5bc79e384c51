// bench/embed-cost: what the embed costs the page that hosts it, as a reader's phone feels it and Core Web Vitals
// count it. The dev server's demo article is loaded in Chromium at 390 px with the CPU slowed 4x (DevTools'
// Emulation.setCPUThrottlingRate, as Lighthouse's mobile profile does), with the embed (the snippet as
// `npm run admin -- embed` prints it) and without it (the same article with no snippet at all), side by side and
// interleaved, and prints for each the layout shift (CLS: the sum of `layout-shift` entries) and the total blocking
// time (each long task's part over 50 ms), as medians, and the difference: the embed's own cost.
// Budget (the embed's promise to a site): no layout shift, at most 50 ms of blocking time.
// Usage: npm run bench:embed [-- --runs 9] [--width 390] [--cpu 4]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { articleWith } from '../local/demo/site.js';
import { startDevServer } from '../local/server/dev-server.js';
import { observePageCost, type PageCost, pageCost, throttleCpu, waitInPage } from '../tests/support/page-cost.js';
import { median } from './stats.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '9' }, width: { type: 'string', default: '390' }, cpu: { type: 'string', default: '4' } } });
const RUNS = Math.max(3, Number(args.runs));
const WIDTH = Number(args.width);
const CPU = Number(args.cpu);
const BUDGET = { cls: 0, tbtMs: 50 };
/** After the page (and the banner) are up: long enough for any task the embed leaves for later to run. */
const SETTLE_MS = 2_000;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const dataDir = await mkdtemp(join(tmpdir(), 'appeal-bench-embed-'));
const server = await startDevServer({ port: 0, dataDir, env: { LOG_LEVEL: 'ERROR' } });
const browser: Browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const article = `${server.siteUrl}/`;
// The article as it is without Appeal: no script, no placeholders.
const bare = articleWith(await readFile('web/article.html', 'utf8'), { script: '' });

const load = async (embed: boolean): Promise<PageCost> => {
  const context = await browser.newContext({ viewport: { width: WIDTH, height: 844 }, deviceScaleFactor: 1 });
  await observePageCost(context);
  const page = await context.newPage();
  const cdp = await throttleCpu(context, page, CPU);
  if (!embed) await page.route(article, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: bare }));
  await page.goto(article, { waitUntil: 'load' });
  // Both sides wait the same way, through DevTools, with no script of the harness's in the page (waitInPage).
  await waitInPage(cdp, embed ? `document.querySelector('[data-appeal="banner"]')?.shadowRoot?.querySelector('.appeal-banner')` : 'true');
  await page.waitForTimeout(SETTLE_MS);
  const cost = await pageCost(cdp);
  await context.close();
  return cost;
};

const results = { without: [] as PageCost[], with: [] as PageCost[] };
try {
  await load(true); // warms the dev server's caches (the snippet, the campaign), not counted
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, and in alternating order, so that a busy moment of the machine falls on both alike.
    const order = run % 2 ? [true, false] : [false, true];
    for (const embed of order) results[embed ? 'with' : 'without'].push(await load(embed));
    process.stderr.write(`\rrun ${run + 1}/${RUNS}`);
  }
  process.stderr.write('\n');
} finally {
  await browser.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}

const summary = (runs: PageCost[]) => ({
  cls: median(runs.map((r) => r.cls)),
  clsMax: Math.max(...runs.map((r) => r.cls)),
  tbt: median(runs.map((r) => r.tbt)),
  longTasks: median(runs.map((r) => r.longTasks.length)),
  longest: median(runs.map((r) => Math.max(0, ...r.longTasks))),
});
const without = summary(results.without);
const embedded = summary(results.with);
const extra = { cls: embedded.cls - without.cls, tbt: embedded.tbt - without.tbt };

console.log(`\nThe demo article at ${WIDTH} px, CPU slowed ${CPU}x, Chromium ${browser.version()}: medians of ${RUNS} loads each, interleaved\n`);
console.log('| page | layout shift (CLS) | worst CLS | blocking time (TBT) | long tasks | longest task |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, s] of [['without the embed', without], ['with the embed', embedded]] as const) {
  console.log(`| ${name} | ${s.cls.toFixed(3)} | ${s.clsMax.toFixed(3)} | ${Math.round(s.tbt)} ms | ${s.longTasks} | ${Math.round(s.longest)} ms |`);
}
const within = extra.cls <= BUDGET.cls && embedded.clsMax <= BUDGET.cls && extra.tbt <= BUDGET.tbtMs;
console.log(`\nThe embed's cost: layout shift ${extra.cls.toFixed(3)} (budget ${BUDGET.cls}), blocking time ${Math.round(extra.tbt)} ms (budget ${BUDGET.tbtMs} ms): ${within ? 'within budget' : 'OVER BUDGET'}`);
const shifted = results.with.flatMap((r) => r.shifts).slice(0, 5);
if (shifted.length) console.log(`What moved: ${shifted.map((s) => `${s.value.toFixed(3)} (${s.sources.join('; ')})`).join(', ')}`);
