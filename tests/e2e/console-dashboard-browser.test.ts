import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { DynamoEditors } from '../../functions/adapters/dynamo-console.js';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import type { Dashboard, DashboardDay } from '../../functions/core/dashboard/dashboard.js';
import { fractionDigits } from '../../functions/core/shared/money.js';
import { documentClient } from '../../functions/platform/clients.js';
import { launchChromium } from '../support/browser.js';
import { ConsoleClient } from '../support/console-client.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

// After a scripted day through the dev server (signups, confirmations, an unsubscribe, gifts in two currencies, a
// monthly gift, refunds and a lost dispute), the console's dashboard in Chromium shows, cell for cell, the numbers
// of GET /v1/admin/dashboard, and those equal what the exports say.

let server: TestServer;
let browser: Browser;
let token: string;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({ SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000', CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' }),
    launchChromium(),
  ]);
  const dynamo = documentClient(server.clientOptions);
  token = (await createAdminToken({ tokens: new DynamoAdminTokens(dynamo, server.tables.subscribers), clock: { now: () => new Date() } }, 'dashboard walk')).token;
  const campaigns = new DynamoCampaignRepository(dynamo, server.tables.donations);
  await campaigns.saveSettings(campaignSettings({ id: 'walk-usd' }), new Date());
  await campaigns.saveSettings(campaignSettings({ id: 'walk-eur', currency: 'eur' }), new Date());
  await new DynamoEditors(dynamo, server.tables.subscribers).put('dash.viewer@example.org', 'viewer', new Date());
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

const stripe = async (path: string, body: unknown = {}) => {
  const response = await postJson(`${server.url}/_local/stripe${path}`, body);
  expect(response.status, path).toBe(200);
  return (await response.json()) as Record<string, string>;
};

const give = async (campaign: string, currency: string, amount: number, frequency: 'once' | 'monthly') => {
  const response = await postJson(`${server.url}/v1/donations/checkout`, { campaign, currency, amount, frequency });
  expect(response.status).toBe(201);
  return stripe(`/checkout/${((await response.json()) as { id: string }).id}/complete`);
};

/** The rows of a finished export, by column. */
const exportRows = async (request: Record<string, unknown>) => {
  const { id } = (await (await admin('POST', '/v1/admin/exports', request)).json()) as { id: string };
  for (let i = 0; i < 200; i++) {
    const state = (await (await admin('GET', `/v1/admin/exports/${id}`)).json()) as { status: string; url?: string };
    if (state.status === 'done') {
      const [header, ...lines] = (await (await fetch(state.url ?? '')).text()).replace(/^\uFEFF/, '').trim().split('\r\n');
      const columns = (header ?? '').split(',');
      return lines.map((line) => Object.fromEntries(line.split(',').map((cell, j) => [columns[j], cell])) as Record<string, string>);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('export did not finish');
};

/** A chart's table on the console's page: one row per day, each cell read back as a number (money in minor units). */
const tableOf = async (page: Page, chartId: string, currency?: string) => {
  const rows = await page.locator(`#${chartId}-h ~ details tbody tr`).evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
  const digits = currency ? fractionDigits(currency) : 0;
  const value = (text: string) => (currency ? Math.round(Number(text.replace(/[^\d.-]/g, '')) * 10 ** digits) : Number(text.replace(/[^\d-]/g, '')));
  return rows.map((cells) => cells.map(value));
};

const sum = (days: DashboardDay[], pick: (day: DashboardDay) => number) => days.reduce((n, d) => n + pick(d), 0);

describe('the console\'s dashboard after a scripted day', () => {
  it('shows the API\'s numbers in every chart\'s table, and they equal the exports\'', async () => {
    // The mailing list: four readers sign up, three confirm, one leaves.
    for (const email of ['ann@example.org', 'bob@example.org', 'cy@example.org', 'di@example.org']) expect((await postJson(`${server.url}/v1/subscriptions`, { email })).status).toBe(202);
    await server.mailIdle();
    for (const email of ['ann@example.org', 'bob@example.org', 'cy@example.org']) {
      const [mail] = await server.mailTo(email);
      expect((await postJson(linkIn(mail?.text ?? '', '/v1/subscriptions/confirm'), undefined)).status).toBe(200);
    }
    await server.mailIdle();
    const unsubscribe = (await server.mailTo('bob@example.org')).at(-1)?.headers['List-Unsubscribe']?.slice(1, -1) ?? '';
    expect((await fetch(unsubscribe, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(200);

    // Gifts: one-time in two currencies, a monthly gift renewed, a partial and a full refund, a lost dispute.
    const first = await give('walk-usd', 'usd', 2500, 'once');
    const second = await give('walk-usd', 'usd', 1000, 'once');
    await give('walk-eur', 'eur', 4000, 'once');
    const monthly = await give('walk-usd', 'usd', 1500, 'monthly');
    await stripe(`/subscriptions/${monthly.subscription}/renew`);
    await stripe(`/payments/${first.paymentIntent}/refund`, { amount: 1000 });
    await stripe(`/payments/${second.paymentIntent}/refund`);
    const dispute = await stripe(`/payments/${monthly.paymentIntent}/dispute`);
    await stripe(`/disputes/${dispute.dispute}/close`, { outcome: 'lost' });
    await server.mailIdle();

    const api = (await (await admin('GET', '/v1/admin/dashboard?days=7')).json()) as Dashboard;
    const days = api.days;

    // The API against the exports.
    const subscribers = await exportRows({ kind: 'subscribers' });
    const gifts = await exportRows({ kind: 'donations' });
    const paid = gifts.filter((g) => ['paid', 'partially_refunded', 'refunded', 'disputed'].includes(g.status ?? ''));
    expect(sum(days, (d) => d.confirmations)).toBe(subscribers.filter((s) => s.confirmed_at).length);
    expect(sum(days, (d) => d.unsubscribes)).toBe(subscribers.filter((s) => s.status === 'unsubscribed').length);
    expect(sum(days, (d) => d.gifts)).toBe(paid.length);
    for (const currency of ['usd', 'eur']) {
      const mine = paid.filter((g) => g.currency === currency);
      expect(sum(days, (d) => d.raised[currency] ?? 0), currency).toBe(mine.reduce((n, g) => n + Number(g.amount), 0));
      expect(sum(days, (d) => d.refunded[currency] ?? 0), currency).toBe(mine.reduce((n, g) => n + Number(g.refunded_amount), 0));
    }
    expect(sum(days, (d) => d.gifts)).toBe(5);

    // The console's page against the API, cell for cell, as a viewer sees it in Chromium.
    const client = new ConsoleClient(server.url, (to) => server.mailTo(to));
    await client.signInByLink('dash.viewer@example.org');
    const context = await browser.newContext({ javaScriptEnabled: false });
    await context.addCookies([{ name: 'appeal_session', value: client.cookie.split('=')[1] ?? '', url: server.url }]);
    const page = await context.newPage();
    expect((await page.goto(`${server.url}/admin?days=7`))?.status()).toBe(200);
    expect(await page.locator('.periods a[aria-current=page]').textContent()).toBe('7 days');
    expect(await tableOf(page, 'chart-list')).toEqual(days.map((d) => [d.signups, d.confirmations, d.unsubscribes, d.bounces, d.complaints]));
    expect(await tableOf(page, 'chart-gifts')).toEqual(days.map((d) => [d.gifts]));
    for (const currency of ['eur', 'usd']) {
      expect(await tableOf(page, `chart-raised-${currency}`, currency), currency).toEqual(days.map((d) => [d.raised[currency] ?? 0]));
      expect(await tableOf(page, `chart-refunded-${currency}`, currency), currency).toEqual(days.map((d) => [d.refunded[currency] ?? 0]));
    }
    expect(await tableOf(page, 'chart-frequency')).toEqual(days.map((d) => [d.giftsOnce, d.giftsMonthly]));
    expect(await tableOf(page, 'chart-active-monthly')).toEqual(days.map((d) => [d.activeMonthly]));
    const byCampaign = await page.locator('#dashboard-campaigns-h ~ table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector('th')?.textContent, ...Array.from(tr.querySelectorAll('td'), (td) => td.textContent)]),
    );
    expect(byCampaign.map(([id, count]) => [id, Number(count)])).toEqual(
      ['walk-eur', 'walk-usd'].map((id) => [id, paid.filter((g) => g.campaign === id).length]),
    );
    await context.close();
  }, 120_000);
});
