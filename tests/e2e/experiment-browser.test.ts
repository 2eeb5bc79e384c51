import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { analyse, verdict } from '../../functions/core/experiments/stats.js';
import { documentClient } from '../../functions/platform/clients.js';
import { DEMO_CAMPAIGN } from '../../local/demo/campaign.js';
import { launchChromium } from '../support/browser.js';
import { runAdmin } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

// An appeal experiment as readers meet it: two variants set with the CLI, the demo article's banner drawing one per
// page view in Chromium, the view and click beacons the embed itself sends, a gift paid through each in the Stripe
// simulator, and the results against a hand computation.

let server: TestServer;
let browser: Browser;
let token: string;
const URGENT = 'Our reporters need you today';

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({ EXPERIMENT_CACHE_SECONDS: '0', CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000', EVENTS_CLIENT_LIMIT_PER_MINUTE: '1000' }),
    launchChromium(),
  ]);
  const dynamo = documentClient(server.clientOptions);
  token = (await createAdminToken({ tokens: new DynamoAdminTokens(dynamo, server.tables.subscribers), clock: { now: () => new Date() } }, 'experiment-browser')).token;
  const set = await runAdmin(['--data-dir', server.dataDir, 'campaign', 'variant', 'set', '--campaign', DEMO_CAMPAIGN, '--id', 'urgent', '--headline', URGENT, '--amounts', '1000,2500,10000', '--frequency', 'once', '--weight', '1']);
  expect(set.code, set.stderr).toBe(0);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * One page view of the demo article, its draw fixed by Math.random (the embed stores nothing to draw: the same value
 * draws the same variant); answers once the banner's view beacon has left (half the banner seen for a second).
 */
const view = async (random: number): Promise<Page> => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(`Math.random = () => ${random};`);
  const page = await context.newPage();
  const viewed = page.waitForRequest((r) => r.url().endsWith('/v1/events') && (r.postData() ?? '').includes('"view"'));
  await page.goto(`${server.siteUrl}/`);
  await page.locator('aside.appeal-banner').waitFor({ state: 'visible' });
  await viewed;
  return page;
};

/** Chooses `amount` on the banner (the click beacon), gives it once and pays it in the simulator's Checkout. */
const give = async (page: Page, amount: string, email: string) => {
  const clicked = page.waitForRequest((r) => r.url().endsWith('/v1/events') && (r.postData() ?? '').includes('"click"'));
  const checkout = page.waitForRequest((r) => r.url().endsWith('/v1/donations/checkout'));
  await page.getByRole('button', { name: amount, exact: true }).click();
  await page.getByRole('button', { name: `Give ${amount}`, exact: true }).click();
  await clicked;
  const body = (await checkout).postDataJSON() as Record<string, unknown>;
  await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Pay' }).click();
  await page.waitForURL(/\/v1\/donate\/thanks\?session_id=/);
  await page.context().close();
  return body;
};

describe('an appeal experiment in the browser', () => {
  it('draws a variant per page view, counts the views and clicks its beacons send, attributes each gift, and the results equal a hand computation', async () => {
    const first = await view(0.1);
    const second = await view(0.9);
    // The draw: the control (the campaign's own appeal) for one view, the urgent variant's words and amounts for the other.
    await expect(first.locator('aside.appeal-banner').textContent()).resolves.not.toContain(URGENT);
    await expect(second.locator('aside.appeal-banner').textContent()).resolves.toContain(URGENT);
    await expect(second.getByRole('button', { name: '$50', exact: true }).count()).resolves.toBe(0);

    const control = await give(first, '$25', 'experiment.control@example.org');
    const urgent = await give(second, '$10', 'experiment.urgent@example.org');
    expect(control).toMatchObject({ amount: 2500, variant: 'control', component: 'banner' });
    expect(urgent).toMatchObject({ amount: 1000, variant: 'urgent', component: 'banner' });
    await server.eventsIdle();
    await server.mailIdle();

    const response = await fetch(`${server.url}/v1/admin/campaigns/${DEMO_CAMPAIGN}/results`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const results = (await response.json()) as { variants: Record<string, unknown>[]; verdict: string };
    // By hand: each variant one view, one click and one gift, $25.00 for the control and $10.00 for the urgent one.
    const arms = [
      { id: 'control', views: 1, gifts: 1, raised: 2500, raisedSquares: 2500 ** 2, raisedCubes: 2500 ** 3 },
      { id: 'urgent', views: 1, gifts: 1, raised: 1000, raisedSquares: 1000 ** 2, raisedCubes: 1000 ** 3 },
    ];
    const [byHandControl, byHandUrgent] = analyse(arms);
    expect(results.variants).toEqual([
      { ...byHandControl, clicks: 1, weight: 1 },
      { ...byHandUrgent, clicks: 1, weight: 1 },
    ]);
    expect(results.verdict).toBe(verdict(arms).sentence);
  });
});
