import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository, DynamoGiftLedger, donationKeys } from '../../functions/adapters/dynamo-donations.js';
import { documentClient } from '../../functions/platform/clients.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

/**
 * A monthly donor stops giving, end to end on the dev server: the manage link in the receipt (and on the thank-you
 * page) opens the simulator's Customer Portal; its Cancel ends the subscription, and the webhook records the end
 * of the monthly gift once, however often Stripe delivers it, without touching the campaign's totals.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
});
afterAll(() => server.stop());

let campaignCount = 0;
const newCampaign = async () => {
  const id = `manage-${++campaignCount}`;
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(campaignSettings({ id }), new Date());
  return id;
};

const progress = async (id: string) => (await (await fetch(`${server.url}/v1/campaigns/${id}`)).json()) as { raised: number; donations: number; donors: number };

const local = async (path: string, body: unknown = {}) => {
  const response = await postJson(`${server.url}/_local/stripe${path}`, body);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const events = async () => (await (await fetch(`${server.url}/_local/stripe/events`)).json()) as { id: string; type: string }[];

const monthlyItem = async (subscription: string) =>
  (await documentClient(server.clientOptions).send(new GetCommand({ TableName: server.tables.donations, Key: donationKeys.monthly(subscription), ConsistentRead: true }))).Item;

/** A monthly gift paid through the simulator's Checkout: its session, first payment and subscription. */
const giveMonthly = async (campaign: string, email: string) => {
  const created = await postJson(`${server.url}/v1/donations/checkout`, { campaign, amount: 1000, currency: 'usd', frequency: 'monthly', email });
  const session = (await created.json()) as { id: string };
  const done = await local(`/checkout/${session.id}/complete`, { name: 'Monty Monthly' });
  expect(done.body).toMatchObject({ status: 'complete', subscription: expect.stringMatching(/^sub_/) });
  return { session: session.id, paymentIntent: String(done.body.paymentIntent), subscription: String(done.body.subscription) };
};

const receipts = async (email: string) => (await server.mailTo(email)).filter((m) => m.subject.startsWith('Thank you for your gift'));

/** Follows a manage link as a browser does (manually, to see the 303). */
const follow = (url: string) => fetch(url, { redirect: 'manual', headers: { accept: 'text/html' } });

describe('managing a monthly gift', () => {
  it('goes from the receipt to the portal, whose Cancel ends the gift exactly once', async () => {
    const campaign = await newCampaign();
    const email = `donor-${campaign}@example.org`;
    const gift = await giveMonthly(campaign, email);
    await local(`/subscriptions/${gift.subscription}/renew`);
    expect(await progress(campaign)).toMatchObject({ raised: 2000, donations: 2, donors: 1 });

    // Every monthly receipt carries the link, and it leads to this donor's portal.
    const mail = await receipts(email);
    expect(mail).toHaveLength(2);
    const links = mail.map((m) => linkIn(m.text, '/v1/donations/manage'));
    for (const m of mail) expect(m.html).toContain('/v1/donations/manage?token=');
    const opened = await follow(links[1] ?? '');
    expect(opened.status).toBe(303);
    const portalUrl = opened.headers.get('location') ?? '';
    expect(portalUrl).toMatch(new RegExp(`^${server.url}/_local/stripe/portal/bps_`));
    expect((await follow(links[0] ?? '')).status).toBe(303); // last month's receipt works too

    const portal = await fetch(portalUrl);
    expect(portal.status).toBe(200);
    const page = await portal.text();
    expect(page).toContain(email);
    expect(page).toContain(`value="${gift.subscription}"`);
    // The way back: the site's home page (the dev server's demo article), or the donation page without one.
    expect(page).toContain(`href="${server.environment.SITE_URL ?? `${server.url}/v1/donate/thanks`}"`);
    expect(await monthlyItem(gift.subscription)).toMatchObject({ status: 'active', campaign });

    // Cancel, as the donor presses it.
    const deletedBefore = (await events()).filter((e) => e.type === 'customer.subscription.deleted').length;
    const cancel = await fetch(`${portalUrl}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ subscription: gift.subscription }).toString(),
      redirect: 'manual',
    });
    expect(cancel.status).toBe(303);
    const deleted = (await events()).filter((e) => e.type === 'customer.subscription.deleted');
    expect(deleted).toHaveLength(deletedBefore + 1);
    const ended = await monthlyItem(gift.subscription);
    expect(ended).toMatchObject({ status: 'ended', campaign, endedAt: expect.any(String), startedAt: expect.any(String) });
    expect(await (await fetch(portalUrl)).text()).toContain('Canceled on');

    // Stripe delivers the end again, and every other event of the gift: nothing changes.
    const giftsBefore = await Promise.all([gift.paymentIntent].map((pi) => new DynamoGiftLedger(documentClient(server.clientOptions), server.tables.donations).get(pi)));
    expect(await local(`/events/${deleted.at(-1)?.id}/resend`)).toEqual({ status: 200, body: { status: 'resent' } });
    expect(await monthlyItem(gift.subscription)).toEqual(ended);
    for (const event of await events()) await local(`/events/${event.id}/resend`);
    expect(await monthlyItem(gift.subscription)).toEqual(ended);
    expect(await progress(campaign)).toMatchObject({ raised: 2000, donations: 2, donors: 1 });
    const giftsAfter = await Promise.all([gift.paymentIntent].map((pi) => new DynamoGiftLedger(documentClient(server.clientOptions), server.tables.donations).get(pi)));
    expect(giftsAfter).toEqual(giftsBefore);
    expect(giftsAfter[0]).toMatchObject({ status: 'paid', frequency: 'monthly', subscription: gift.subscription, customer: expect.stringMatching(/^cus_/) });
    expect(await receipts(email)).toHaveLength(2);

    // An ended gift is not cancelled twice, nor billed again.
    expect(await local(`/subscriptions/${gift.subscription}/cancel`)).toMatchObject({ status: 404, body: { error: { code: 'resource_missing' } } });
    expect((await local(`/subscriptions/${gift.subscription}/renew`)).status).toBe(409);
    expect((await events()).filter((e) => e.type === 'customer.subscription.deleted')).toHaveLength(deletedBefore + 1);
    expect(await progress(campaign)).toMatchObject({ raised: 2000, donations: 2, donors: 1 });
  });

  it('is offered on the thank-you page of a paid monthly gift, not of a one-time one', async () => {
    const campaign = await newCampaign();
    const gift = await giveMonthly(campaign, `thanks-${campaign}@example.org`);
    const page = await (await fetch(`${server.url}/v1/donate/thanks?session_id=${gift.session}`, { headers: { accept: 'text/html' } })).text();
    const link = /href="([^"]+\/v1\/donations\/manage\?token=[^"]+)"/.exec(page)?.[1] ?? '';
    const opened = await follow(link.replace(/&amp;/g, '&'));
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toMatch(/\/_local\/stripe\/portal\/bps_/);

    const once = (await (await postJson(`${server.url}/v1/donations/checkout`, { campaign, amount: 1000, currency: 'usd', frequency: 'once' })).json()) as { id: string };
    await local(`/checkout/${once.id}/complete`, { email: `once-${campaign}@example.org` });
    const oncePage = await (await fetch(`${server.url}/v1/donate/thanks?session_id=${once.id}`, { headers: { accept: 'text/html' } })).text();
    expect(oncePage).not.toContain('/v1/donations/manage');
    const onceReceipt = await receipts(`once-${campaign}@example.org`);
    expect(onceReceipt).toHaveLength(1);
    expect(onceReceipt[0]?.text).not.toContain('/v1/donations/manage');
  });

  it('answers a forged link with a 400 page', async () => {
    for (const accept of ['text/html', 'application/json']) {
      const response = await fetch(`${server.url}/v1/donations/manage?token=v1.${'A'.repeat(60)}`, { redirect: 'manual', headers: { accept } });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(response.headers.get('x-request-id')).toBeTruthy();
    }
  });
});
