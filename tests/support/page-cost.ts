import type { BrowserContext, CDPSession, Page } from 'playwright-core';

// What a page costs its reader, as Core Web Vitals count it: the layout shift (CLS, the sum of `layout-shift` entries
// without recent input) and the blocking time (each long task's part over 50 ms, from `longtask` entries). Observers
// go in before the page's own scripts, buffered, so nothing from the first parse on is missed. Used by
// bench/embed-cost.ts (which prints both, with and without the embed) and the browser test of the embed's cost.

export interface PageCost {
  /** Cumulative layout shift: the sum of every shift's score (not windowed: a stricter figure than CLS's). */
  cls: number;
  /** Total blocking time in ms: Σ max(0, duration − 50) over every long task from navigation on. */
  tbt: number;
  longTasks: number[];
  /** Each shift: its score and the elements that moved (for a failing test's message). */
  shifts: { value: number; sources: string[] }[];
}

type Seen = { shifts: { value: number; sources: string[] }[]; longTasks: number[] };

// A string, not a function: a function would reach the page as its source after tsx's transform, which wraps named
// functions in a helper that exists only in Node.
const OBSERVE = `(() => {
  const cost = { shifts: [], longTasks: [] };
  // Not enumerable: a test that lists the page's globals does not see it.
  Object.defineProperty(window, '__pageCost', { value: cost, enumerable: false });
  const describe = (node) => node instanceof Element
    ? node.tagName.toLowerCase() + (node.id ? '#' + node.id : '') + (typeof node.className === 'string' && node.className ? '.' + node.className.split(' ').join('.') : '')
    : String(node && node.nodeName);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.hadRecentInput) continue;
      cost.shifts.push({
        value: entry.value,
        sources: (entry.sources || []).map((s) => describe(s.node) + ' x ' + Math.round(s.previousRect.x) + '→' + Math.round(s.currentRect.x) + ' y ' + Math.round(s.previousRect.y) + '→' + Math.round(s.currentRect.y) + ' w ' + Math.round(s.previousRect.width) + '→' + Math.round(s.currentRect.width) + ' h ' + Math.round(s.previousRect.height) + '→' + Math.round(s.currentRect.height)),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) cost.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
})();`;

/** Starts observing in every page of `context` opened from now on, before the page's own scripts run. */
export const observePageCost = (context: BrowserContext) => context.addInitScript({ content: OBSERVE });

/** Slows the page's CPU by `rate` (4: a mid-range phone, as Lighthouse's mobile profile does), through DevTools. */
export const throttleCpu = async (context: BrowserContext, page: Page, rate: number) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return cdp;
};

/**
 * Waits until `expression` is true in the page, asking through DevTools' `Runtime.evaluate` every 50 ms. Not
 * Playwright's `waitForFunction`: that first evaluates Playwright's own injected script in the page, a task of
 * 40-60 ms with the CPU slowed 4x, which a long-task observer would charge to whatever the page was waiting for.
 */
export const waitInPage = async (cdp: CDPSession, expression: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { result } = await cdp.send('Runtime.evaluate', { expression: `Boolean(${expression})`, returnByValue: true });
    if (result.value === true) return;
    if (Date.now() > deadline) throw new Error(`the page never had ${expression} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** The cost so far of the page (observed with observePageCost). */
export const pageCost = async (page: Page | CDPSession): Promise<PageCost> => {
  const seen: Seen =
    'evaluate' in page
      ? await page.evaluate(() => (window as unknown as { __pageCost?: Seen }).__pageCost ?? { shifts: [], longTasks: [] })
      : ((await page.send('Runtime.evaluate', { expression: 'window.__pageCost ?? { shifts: [], longTasks: [] }', returnByValue: true })).result.value as Seen);
  return {
    cls: seen.shifts.reduce((sum, shift) => sum + shift.value, 0),
    tbt: seen.longTasks.reduce((sum, duration) => sum + Math.max(0, duration - 50), 0),
    longTasks: seen.longTasks,
    shifts: seen.shifts,
  };
};
