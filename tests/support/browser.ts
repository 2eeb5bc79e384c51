import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer } from './dev-server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, driven by playwright-core; nothing is ever downloaded. Fails loudly when it is missing. */
export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with 'apt-get install -y chromium' (see README)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
};

/** A dev server (with `env` beside the defaults) and Chromium for one test file, started before its tests and stopped after them. */
export const useServerAndBrowser = (env: Record<string, string> = {}) => {
  const context: { server: TestServer; browser: Browser } = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    [context.server, context.browser] = await Promise.all([startTestServer(env), launchChromium()]);
  });
  afterAll(async () => {
    await context.browser?.close();
    await context.server?.stop();
  });
  return context;
};

/**
 * One browser context for the cases of a `describe` (made before them, closed after them), for cases that each open a
 * page of their own in it and leave nothing behind that another could see (no cookie, no storage). The pages of one
 * context share its renderer processes, which keep axe-core's compiled script from one page to the next; each new
 * context starts a renderer of its own and compiles axe-core again, which was most of such a case's time.
 */
export const sharedContext = (browser: () => Browser, options: Parameters<Browser['newContext']>[0]): (() => BrowserContext) => {
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    context = await browser().newContext(options);
  });
  afterAll(async () => {
    await context?.close();
  });
  return () => {
    if (!context) throw new Error('the shared context is made in beforeAll, before the tests');
    return context;
  };
};
