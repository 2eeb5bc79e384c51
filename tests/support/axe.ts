import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

interface AxeResults {
  violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

let source: string | undefined;
const axeSource = (): string => {
  if (source !== undefined) return source;
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  } catch (error) {
    throw new Error("axe-core is not installed: 'npm install --save-dev axe-core'", { cause: error });
  }
  source = readFileSync(path, 'utf8');
  return source;
};

/**
 * axe-core's violations on the page as it is now, one line each (rule, impact, help, elements): an empty list when
 * it finds none. `tags` narrows the run to the rules of those tags. Works with the page's JavaScript off too: the
 * script goes in through the debugging protocol, which a page's own settings do not block, rather than as a
 * <script> tag. And with JavaScript off Chromium fires no timer in the page, while axe-core waits on timers between
 * its checks: for its run, timers become promise reactions (which the protocol's evaluation still resolves; not
 * queueMicrotask, which Chromium does not run in a page without scripts), and the page's own come back after it.
 */
export const axeViolations = async (page: Page, tags?: readonly string[]): Promise<string[]> => {
  // A string is evaluated as a script in the page (the `undefined` keeps axe's own object from being sent back).
  await page.evaluate(`${axeSource()}\n;undefined`);
  return page.evaluate(async (only) => {
    const w = window as unknown as Record<string, unknown>;
    const saved = { setTimeout: w.setTimeout, clearTimeout: w.clearTimeout, requestAnimationFrame: w.requestAnimationFrame };
    const pending = new Set<number>();
    let next = 0;
    w.setTimeout = (run: (...args: unknown[]) => void, _ms?: number, ...args: unknown[]) => {
      const id = ++next;
      pending.add(id);
      void Promise.resolve().then(() => {
        if (pending.delete(id)) run(...args);
      });
      return id;
    };
    w.clearTimeout = (id: number) => pending.delete(id);
    w.requestAnimationFrame = (run: (at: number) => void) => (w.setTimeout as (f: () => void) => number)(() => run(performance.now()));
    try {
      const axe = w.axe as { run(context: Document, options: object): Promise<AxeResults> };
      const results = await axe.run(document, { resultTypes: ['violations'], ...(only ? { runOnly: { type: 'tag', values: only } } : {}) });
      return results.violations.map(
        (v) => `${v.id} (${v.impact ?? 'unknown'}): ${v.help} at ${v.nodes.map((n) => n.target.map(String).join(' ')).join(', ')}`,
      );
    } finally {
      Object.assign(w, saved);
    }
  }, tags ? [...tags] : undefined);
};
