import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import type { Dashboard, DashboardDay } from '../../functions/core/dashboard/dashboard.js';
import { documentClient } from '../../functions/platform/clients.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

// A scripted day through the dev server's real handlers (the signup form, the mail worker, SES's mailbox simulator,
// Stripe's simulated Checkout and webhooks), with every webhook delivered again, then the dashboard against what the
// exports and the ledger say.

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000', CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
  const dynamo = documentClient(server.clientOptions);
  token = (await createAdminToken({ tokens: new DynamoAdminTokens(dynamo, server.tables.subscribers), clock: { now: () => new Date() } }, 'dashboard tests')).token;
  const campaigns = new DynamoCampaignRepository(dynamo, server.tables.donations);
  await campaigns.saveSettings(campaignSettings({ id: 'dash-usd' }), new Date());
  await campaigns.saveSettings(campaignSettings({ id: 'dash-eur', currency: 'eur' }), new Date());
}, 60_000);
afterAll(() => server.stop());

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

const dashboard = async (days = 2) => {
  const response = await admin('GET', `/v1/admin/dashboard?days=${days}`);
  expect(response.status).toBe(200);
  return (await response.json()) as Dashboard;
};

const stripe = async (path: string, body: unknown = {}) => {
  const response = await postJson(`${server.url}/_local/stripe${path}`, body);
  expect(response.status, path).toBe(200);
  return (await response.json()) as Record<string, string>;
};

const give = async (campaign: string, currency: string, amount: number, frequency: 'once' | 'monthly', extra: Record<string, unknown> = {}) => {
  const response = await postJson(`${server.url}/v1/donations/checkout`, { campaign, currency, amount, frequency, ...extra });
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: string };
  return stripe(`/checkout/${id}/complete`);
};

/** The rows of a finished export, as objects by column. */
const exportRows = async (request: Record<string, unknown>) => {
  const started = await admin('POST', '/v1/admin/exports', request);
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as { id: string };
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

const day = (iso: string | undefined) => (iso ?? '').slice(0, 10);
const sumBy = <T>(items: T[], key: (item: T) => string | undefined, value: (item: T) => number) => {
  const out: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    if (k !== undefined) out[k] = (out[k] ?? 0) + value(item);
  }
  return out;
};
/** The dashboard's numbers of each day that has any, by field (money by `field:currency`). */
const perDay = (days: DashboardDay[], field: 'confirmations' | 'unsubscribes' | 'bounces' | 'complaints' | 'gifts' | 'giftsOnce' | 'giftsMonthly') =>
  Object.fromEntries(days.filter((d) => d[field] !== 0).map((d) => [d.date, d[field]]));
const moneyPerDay = (days: DashboardDay[], field: 'raised' | 'refunded') =>
  Object.fromEntries(days.flatMap((d) => Object.entries(d[field]).filter(([, n]) => n !== 0).map(([currency, n]) => [`${d.date}:${currency}`, n])));

describe('the dashboard after a scripted day', () => {
  it('equals the exports and the ledger exactly, however often Stripe delivered', async () => {
    const api = `${server.url}/v1/subscriptions`;
    let signups = 0;
    const signup = async (email: string, extra: Record<string, unknown> = {}) => {
      expect((await postJson(api, { email, ...extra })).status).toBe(202);
      if (!extra.website) signups++;
    };

    // The mailing list: five readers (one asks twice, one is a bot), three confirm (one clicks twice), one leaves
    // (twice, as mail clients do), one address bounces and one complains.
    for (const email of ['ann@example.org', 'bob@example.org', 'cy@example.org', 'di@example.org', 'ann@example.org']) await signup(email);
    await signup('bot@example.org', { website: 'https://spam.example' });
    await server.mailIdle();
    for (const email of ['ann@example.org', 'bob@example.org', 'cy@example.org']) {
      const [mail] = await server.mailTo(email);
      const confirm = linkIn(mail?.text ?? '', '/v1/subscriptions/confirm');
      expect((await postJson(confirm, undefined)).status).toBe(200);
      if (email === 'ann@example.org') expect((await postJson(confirm, undefined)).status).toBe(200);
    }
    await server.mailIdle();
    const [welcome] = (await server.mailTo('bob@example.org')).slice(-1);
    const unsubscribe = welcome?.headers['List-Unsubscribe']?.slice(1, -1) ?? '';
    for (let i = 0; i < 2; i++) {
      const left = await fetch(unsubscribe, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(left.status).toBe(200);
    }
    await signup('bounce@simulator.amazonses.com');
    await signup('complaint@simulator.amazonses.com');
    await server.mailIdle();

    // Gifts: one-time gifts in two currencies (one donor ticks the newsletter box: a signup request too), two monthly
    // gifts, one renewed and one cancelled, a partial and a full refund, a refund that fails, and a dispute.
    const first = await give('dash-usd', 'usd', 2500, 'once', { email: 'gil@example.org', subscribe: true });
    signups++;
    const second = await give('dash-usd', 'usd', 1000, 'once');
    const euro = await give('dash-eur', 'eur', 4000, 'once');
    const monthly = await give('dash-usd', 'usd', 1500, 'monthly');
    const ended = await give('dash-eur', 'eur', 700, 'monthly');
    await stripe(`/subscriptions/${monthly.subscription}/renew`);
    await stripe(`/subscriptions/${ended.subscription}/cancel`);
    await stripe(`/payments/${first.paymentIntent}/refund`, { amount: 1000 });
    await stripe(`/payments/${second.paymentIntent}/refund`);
    const failing = await stripe(`/payments/${euro.paymentIntent}/refund`, { amount: 500 });
    await stripe(`/refunds/${failing.refund}/fail`);
    const dispute = await stripe(`/payments/${monthly.paymentIntent}/dispute`);
    await stripe(`/disputes/${dispute.dispute}/close`, { outcome: 'lost' });
    await server.mailIdle();

    const before = await dashboard();
    // Stripe delivers every event again, in the order it first sent them: nothing moves.
    const events = (await (await fetch(`${server.url}/_local/stripe/events`)).json()) as { id: string }[];
    expect(events.length).toBeGreaterThan(15);
    for (const event of events) await stripe(`/events/${event.id}/resend`);
    await server.mailIdle();
    const view = await dashboard();
    expect(view).toEqual(before);

    // What the exports say.
    const subscribers = await exportRows({ kind: 'subscribers' });
    const gifts = await exportRows({ kind: 'donations' });
    const paid = gifts.filter((g) => ['paid', 'partially_refunded', 'refunded', 'disputed'].includes(g.status ?? ''));
    expect(paid).toHaveLength(6);

    const total = (field: keyof DashboardDay) => view.days.reduce((n, d) => n + (d[field] as number), 0);
    expect(total('signups')).toBe(signups);
    expect(signups).toBe(8);
    expect(perDay(view.days, 'confirmations')).toEqual(sumBy(subscribers, (s) => (s.confirmed_at ? day(s.confirmed_at) : undefined), () => 1));
    expect(perDay(view.days, 'unsubscribes')).toEqual(sumBy(subscribers.filter((s) => s.status === 'unsubscribed'), (s) => day(s.unsubscribed_at), () => 1));
    expect(total('confirmations')).toBe(3);
    expect(total('unsubscribes')).toBe(1);
    expect(total('bounces')).toBe(subscribers.filter((s) => s.status === 'bounced').length);
    expect(total('complaints')).toBe(subscribers.filter((s) => s.status === 'complained').length);
    expect(total('bounces')).toBe(1);
    expect(total('complaints')).toBe(1);

    // Gifts by the day they were paid, from the ledger's own items (the export gives the day a gift was created).
    const { Items = [] } = await documentClient(server.clientOptions).send(
      new ScanCommand({ TableName: server.tables.donations, FilterExpression: 'begins_with(pk, :gift)', ExpressionAttributeValues: { ':gift': 'GIFT#' } }),
    );
    const ledger = Items as { key: string; status: string; paidAt?: string; amount: number; currency: string; frequency: string; refunded: number; campaign: string }[];
    const paidGifts = ledger.filter((g) => g.status === 'paid');
    expect(paidGifts.map((g) => g.key).sort()).toEqual(paid.map((g) => g.id).sort());
    expect(perDay(view.days, 'gifts')).toEqual(sumBy(paidGifts, (g) => day(g.paidAt), () => 1));
    expect(perDay(view.days, 'giftsOnce')).toEqual(sumBy(paidGifts.filter((g) => g.frequency === 'once'), (g) => day(g.paidAt), () => 1));
    expect(perDay(view.days, 'giftsMonthly')).toEqual(sumBy(paidGifts.filter((g) => g.frequency === 'monthly'), (g) => day(g.paidAt), () => 1));
    expect(moneyPerDay(view.days, 'raised')).toEqual(sumBy(paidGifts, (g) => `${day(g.paidAt)}:${g.currency}`, (g) => g.amount));
    // Refunds summed over the period against the export's net refunded amounts, by currency.
    const refunded = sumBy(paid, (g) => g.currency, (g) => Number(g.refunded_amount));
    const dashboardRefunded = sumBy(view.days.flatMap((d) => Object.entries(d.refunded)), ([c]) => c, ([, n]) => n);
    expect(dashboardRefunded).toEqual({ ...Object.fromEntries(Object.keys(dashboardRefunded).map((c) => [c, 0])), ...refunded });
    expect(refunded).toEqual({ usd: 2000, eur: 0 });
    // By campaign: gifts and money as the export's rows of each campaign.
    for (const campaign of ['dash-usd', 'dash-eur']) {
      const rows = paid.filter((g) => g.campaign === campaign);
      const days = view.days.map((d) => d.campaigns[campaign]);
      expect(days.reduce((n, d) => n + (d?.gifts ?? 0), 0), campaign).toBe(rows.length);
      const currency = rows[0]?.currency ?? '';
      expect(days.reduce((n, d) => n + (d?.raised[currency] ?? 0), 0), campaign).toBe(rows.reduce((n, g) => n + Number(g.amount), 0));
      expect(days.reduce((n, d) => n + (d?.refunded[currency] ?? 0), 0), campaign).toBe(rows.reduce((n, g) => n + Number(g.refunded_amount), 0));
    }
    // Monthly gifts: two began, one ended; one is active at the end of today.
    expect(total('monthlyStarted')).toBe(2);
    expect(total('monthlyEnded')).toBe(1);
    expect(view.days.at(-1)?.activeMonthly).toBe(1);
  }, 120_000);

  it('answers 400 for a days the contract does not allow, and 401 without a token', async () => {
    const bad = await admin('GET', '/v1/admin/dashboard?days=401');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_field', field: 'days' } });
    expect((await fetch(`${server.url}/v1/admin/dashboard`)).status).toBe(401);
    expect((await dashboard(400)).days).toHaveLength(400);
  });
});
