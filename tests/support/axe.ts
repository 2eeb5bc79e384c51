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
 * it finds none. Works with the page's JavaScript off too: the script goes in through the debugging protocol,
 * which a page's own settings do not block, rather than as a <script> tag.
 */
export const axeViolations = async (page: Page): Promise<string[]> => {
  // A string is evaluated as a script in the page (the `undefined` keeps axe's own object from being sent back).
  await page.evaluate(`${axeSource()}\n;undefined`);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe;
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map(
      (v) => `${v.id} (${v.impact ?? 'unknown'}): ${v.help} at ${v.nodes.map((n) => n.target.map(String).join(' ')).join(', ')}`,
    );
  });
};
