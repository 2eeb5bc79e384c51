import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { analyse, verdict } from '../../functions/core/experiments/stats.js';
import { documentClient } from '../../functions/platform/clients.js';
import { runAdminHere } from '../support/cli.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

// An appeal experiment through the dev server: variants set with the admin CLI, views and clicks by beacon, gifts
// through each variant in the Stripe simulator, then the results against a hand computation, the attribution in
// the exports, and the experiment ended.

let server: TestServer;
let token: string;
const CAMPAIGN = 'spring-appeal';
const PAGE = 'https://news.example.org/2026/story';

beforeAll(async () => {
  server = await startTestServer({
    EVENTS_CLIENT_LIMIT_PER_MINUTE: '10000',
    EXPERIMENT_CACHE_SECONDS: '0',
    CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000',
    SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000',
    SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000',
  });
  const dynamo = documentClient(server.clientOptions);
  await new DynamoCampaignRepository(dynamo, server.tables.donations).saveSettings(campaignSettings({ id: CAMPAIGN, title: 'Spring appeal' }), new Date());
  token = (await createAdminToken({ tokens: new DynamoAdminTokens(dynamo, server.tables.subscribers), clock: { now: () => new Date() } }, 'experiments')).token;
});
afterAll(() => server.stop());

const admin = async (path: string, init: RequestInit = {}) => {
  const response = await fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const cli = (...args: string[]) => runAdminHere(['--data-dir', server.dataDir, 'campaign', 'variant', ...args]);
const variantsServed = async () => ((await (await fetch(`${server.url}/v1/campaigns/${CAMPAIGN}`)).json()) as { variants: Record<string, unknown>[] }).variants;
const beacon = (type: 'view' | 'click', variant: string) =>
  fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify({ type, campaign: CAMPAIGN, variant }) });

/** A gift through Checkout with the embed's attribution, paid in the simulator; answers its payment intent. */
const give = async (amount: number, attribution: Record<string, string>) => {
  const created = await postJson(`${server.url}/v1/donations/checkout`, { campaign: CAMPAIGN, amount, currency: 'usd', ...attribution });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  return complete(id);
};
const complete = async (session: string) => {
  const done = await postJson(`${server.url}/_local/stripe/checkout/${session}/complete`, { email: `donor-${session.slice(-8)}@example.org` });
  expect(done.status).toBe(200);
  return ((await done.json()) as { paymentIntent: string }).paymentIntent;
};
const refund = (paymentIntent: string, amount: number) => postJson(`${server.url}/_local/stripe/payments/${paymentIntent}/refund`, { amount });

const exported = async (kind: 'subscribers' | 'donations') => {
  const started = await admin('/v1/admin/exports', { method: 'POST', body: JSON.stringify({ kind }) });
  for (let i = 0; i < 200; i++) {
    const state = await admin(`/v1/admin/exports/${started.body.id}`);
    if (state.body.status === 'done') {
      const text = await (await fetch(String(state.body.url))).text();
      return text.replace(/^\uFEFF/, '').trim().split('\r\n').map((line) => line.split(','));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('export did not finish');
};

describe('an appeal experiment, end to end', () => {
  it('serves the variants the CLI sets, the control included at weight 1', async () => {
    const set = await cli('set', '--campaign', CAMPAIGN, '--id', 'urgent', '--headline', 'Our reporters need you today', '--amounts', '1000,2500,10000', '--frequency', 'once', '--weight', '2');
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('urgent\tweight 2 (67 % of views)');
    expect(await variantsServed()).toEqual([
      { id: 'control', weight: 1 },
      { id: 'urgent', weight: 2, headline: 'Our reporters need you today', amounts: [1000, 2500, 10000], frequency: 'once' },
    ]);
    const refused = await cli('set', '--campaign', CAMPAIGN, '--id', 'control', '--headline', 'x', '--weight', '1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/control is the campaign's own appeal/);
    expect((await cli('set', '--campaign', 'no-such', '--id', 'b', '--weight', '1')).code).toBe(1);
  });

  it('gives each variant exactly its views, clicks, gifts and money, with the intervals of the statistics module', async () => {
    const sends = [
      ...Array.from({ length: 40 }, () => beacon('view', 'control')),
      ...Array.from({ length: 50 }, () => beacon('view', 'urgent')),
      ...Array.from({ length: 3 }, () => beacon('click', 'control')),
      ...Array.from({ length: 5 }, () => beacon('click', 'urgent')),
    ];
    expect(new Set((await Promise.all(sends)).map((r) => r.status))).toEqual(new Set([204]));
    await server.eventsIdle();

    const embed = { source: `${PAGE}?email=reader%40example.org#top`, referrer: 'https://www.search.example/?q=news', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring', component: 'banner' };
    await give(2500, { ...embed, variant: 'control' });
    await give(5000, { ...embed, variant: 'control' });
    await give(1000, { ...embed, variant: 'urgent' });
    const refunded = await give(10_000, { ...embed, variant: 'urgent' });
    await give(7000, { component: 'link' }); // no variant: in no arm
    // Through the donate link and its chooser page (the no-JS way): the chooser carries the attribution on.
    const chooser = await (await fetch(`${server.url}/v1/donate?campaign=${CAMPAIGN}&variant=urgent&utm_source=newsletter&component=link`)).text();
    expect(chooser).toContain('<input type="hidden" name="variant" value="urgent">');
    expect(chooser).toContain('<input type="hidden" name="utm_source" value="newsletter">');
    const link = await fetch(`${server.url}/v1/donate?campaign=${CAMPAIGN}&currency=usd&amount=2500&variant=urgent&utm_source=newsletter&component=chooser`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    await complete(String(link.headers.get('location')).split('/').pop() ?? '');
    expect((await refund(refunded, 4000)).status).toBe(200);

    const results = await admin(`/v1/admin/campaigns/${CAMPAIGN}/results`);
    expect(results.status).toBe(200);
    // By hand: control 2 gifts (25.00, 50.00) of 40 views; urgent 3 (10.00, 100.00 less 40.00 refunded, 25.00) of 50.
    const arms = [
      { id: 'control', views: 40, gifts: 2, raised: 7500, raisedSquares: 2500 ** 2 + 5000 ** 2, raisedCubes: 2500 ** 3 + 5000 ** 3 },
      { id: 'urgent', views: 50, gifts: 3, raised: 9500, raisedSquares: 1000 ** 2 + 6000 ** 2 + 2500 ** 2, raisedCubes: 1000 ** 3 + 6000 ** 3 + 2500 ** 3 },
    ];
    const [control, urgent] = analyse(arms);
    expect(results.body).toEqual({
      campaign: CAMPAIGN,
      since: expect.any(String),
      allocation: 'weights',
      variants: [
        { ...control, clicks: 3, weight: 1 },
        { ...urgent, clicks: 5, weight: 2 },
      ],
      verdict: verdict(arms).sentence,
    });
    expect(results.body.verdict).toMatch(/^Not enough data yet/);
    expect((await admin('/v1/admin/campaigns/no-such/results')).status).toBe(404);
    expect((await fetch(`${server.url}/v1/admin/campaigns/${CAMPAIGN}/results`)).status).toBe(401);
  });

  it('keeps where each gift and signup came from in the exports, the page without its query string', async () => {
    await postJson(`${server.url}/v1/subscriptions`, {
      email: 'reader@example.org',
      source: `${PAGE}?utm_source=x&token=secret`,
      referrer: 'https://social.example/post/1',
      utm_source: 'social',
      utm_campaign: 'spring',
      component: 'form',
      variant: 'urgent',
      lang: 'uk',
    });
    const [mail] = await server.mailTo('reader@example.org');
    await postJson(linkIn(mail?.text ?? '', '/v1/subscriptions/confirm'), undefined);
    await server.mailIdle();

    const subscribers = await exported('subscribers');
    const header = subscribers[0] ?? [];
    expect(header.slice(-9)).toEqual(['referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'component', 'variant', 'lang']);
    const reader = subscribers.find((row) => row[0] === 'reader@example.org') ?? [];
    const cell = (row: string[], name: string) => row[header.indexOf(name)];
    expect([cell(reader, 'source'), cell(reader, 'referrer'), cell(reader, 'utm_source'), cell(reader, 'utm_campaign'), cell(reader, 'component'), cell(reader, 'variant'), cell(reader, 'lang')]).toEqual([
      PAGE, 'https://social.example', 'social', 'spring', 'form', 'urgent', 'uk',
    ]);

    const donations = await exported('donations');
    const columns = donations[0] ?? [];
    expect(columns.slice(-13, -4)).toEqual(['source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'component', 'variant']);
    const gift = donations.find((row) => row[columns.indexOf('amount')] === '1000') ?? [];
    expect(gift.slice(-13, -4)).toEqual([PAGE, 'https://www.search.example', 'newsletter', 'email', 'spring', '', '', 'banner', 'urgent']);
  });

  it('counts signups, confirmations, gifts and money by page and by source', async () => {
    const answer = await admin('/v1/admin/attribution?days=1');
    expect(answer.status).toBe(200);
    const pages = answer.body.pages as Record<string, unknown>[];
    expect(pages.find((p) => p.source === PAGE)).toEqual({ source: PAGE, signups: 1, confirmations: 1, gifts: 4, raised: { usd: 2500 + 5000 + 1000 + 6000 } });
    const sources = answer.body.sources as Record<string, unknown>[];
    expect(sources.find((s) => s.utm_source === 'newsletter' && s.utm_medium === 'email')).toEqual({
      utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring', signups: 0, confirmations: 0, gifts: 4, raised: { usd: 14_500 },
    });
    expect(sources.find((s) => s.utm_source === 'newsletter' && s.utm_medium === null)).toMatchObject({ gifts: 1, raised: { usd: 2500 } });
    expect(sources.find((s) => s.utm_source === 'social')).toMatchObject({ signups: 1, confirmations: 1, gifts: 0 });
    expect((await admin('/v1/admin/attribution?days=91')).status).toBe(400);
  });

  it('ends the experiment by keeping one variant, and can let the allocation follow the results', async () => {
    const thompson = await cli('allocate', '--campaign', CAMPAIGN, '--thompson');
    expect(thompson.code, thompson.stderr).toBe(0);
    const drawn = await variantsServed();
    expect(drawn.map((v) => v.id)).toEqual(['control', 'urgent']);
    expect(Number(drawn[0]?.weight) + Number(drawn[1]?.weight)).toBeCloseTo(1, 2);
    const kept = await cli('keep', '--campaign', CAMPAIGN, '--id', 'urgent');
    expect(kept.code, kept.stderr).toBe(0);
    expect((await variantsServed()).map((v) => [v.id, v.weight])).toEqual([
      ['control', 0],
      ['urgent', 2],
    ]);
    // The results stay readable after the end.
    expect(((await admin(`/v1/admin/campaigns/${CAMPAIGN}/results`)).body.variants as unknown[]).length).toBe(2);
    const removed = await cli('remove', '--campaign', CAMPAIGN, '--id', 'urgent');
    expect(removed.code, removed.stderr).toBe(0);
    expect(await variantsServed()).toEqual([{ id: 'control', weight: 1 }]);
  });
});
