import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations } from './axe.js';
import type { TestServer } from './dev-server.js';

/** The page's one heading. */
export const heading = (page: Page) => page.locator('h1').textContent();

/**
 * Signs in to the console of `server` in Chromium as a person does, in `context`: the sign-in page, the email with
 * its link (exactly one more for `email`), the link's page (which posts itself: the console's script), the
 * dashboard. Returns the signed-in page.
 */
export const signInByLink = async (server: TestServer, context: BrowserContext, email: string): Promise<Page> => {
  const page = await context.newPage();
  await page.goto(`${server.url}/admin`);
  await expect(heading(page)).resolves.toBe('Sign in to the console');
  const before = (await server.mailTo(email)).length;
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect.poll(() => heading(page)).toBe('Check your inbox');
  const mails = await server.mailTo(email);
  expect(mails).toHaveLength(before + 1);
  expect(mails.at(-1)?.subject).toBe('Sign in to the GlobalSecurity.org console');
  const link = /http:\/\/\S+\/admin\/signin\?token=[\w.-]+(&lang=\w+)?/.exec(mails.at(-1)?.text ?? '')?.[0] ?? '';
  await page.goto(link);
  // The page posts itself at once (the console's script), and the post lands on the dashboard.
  await page.waitForURL(`${server.url}/admin`);
  await expect.poll(() => heading(page)).toBe('Dashboard');
  return page;
};

/** The page as it is now, at a desktop's and a phone's width: axe-core clean, and nothing wider than the screen. */
export const checkAtBothWidths = async (page: Page, label: string) => {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 800 });
    expect(await axeViolations(page), `${label} at ${width} px`).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${label} at ${width} px`).toBeLessThanOrEqual(width);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
};
