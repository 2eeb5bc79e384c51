import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository, DynamoGiftLedger } from '../../functions/adapters/dynamo-donations.js';
import { documentClient } from '../../functions/platform/clients.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

/**
 * The appeal's money paths through the dev server, the Stripe simulator and DynamoDB Local: a covered fee from
 * checkout to the ledger, the campaign, the receipt and a refund; a monthly gift with its fee; a tribute; and
 * embedded Checkout from the session to the donor's return.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
});
afterAll(() => server.stop());

let count = 0;
const newCampaign = async (overrides: Parameters<typeof campaignSettings>[0] = {}) => {
  const id = `appeal-${++count}`;
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(campaignSettings({ id, ...overrides }), new Date());
  return id;
};
const progress = async (id: string) => (await (await fetch(`${server.url}/v1/campaigns/${id}`)).json()) as Record<string, unknown>;
const checkout = async (body: Record<string, unknown>) => {
  const response = await postJson(`${server.url}/v1/donations/checkout`, { currency: 'usd', amount: 2500, ...body });
  return { status: response.status, body: (await response.json()) as Record<string, string> & { total?: number } };
};
const local = async (path: string, body: unknown = {}) => {
  const response = await postJson(`${server.url}/_local/stripe${path}`, body);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};
const gift = (key: string) => new DynamoGiftLedger(documentClient(server.clientOptions), server.tables.donations).get(key);

describe('a gift whose donor covers the fee', () => {
  it('charges the total, keeps the gift and the fee apart, counts the fee within raised, receipts both lines, and refunds all that was charged', async () => {
    const id = await newCampaign();
    const started = await checkout({ campaign: id, coverFee: true, email: 'cover@example.org', tribute: { type: 'honour', name: 'Maria Petrenko' }, anonymous: true });
    expect(started).toMatchObject({ status: 201, body: { total: 2606 } });
    const paid = await local(`/checkout/${started.body.id}/complete`, { name: 'Cora Cover' });
    expect(paid.status).toBe(200);

    expect(await gift(paid.body.paymentIntent ?? '')).toMatchObject({ amount: 2606, feeCovered: 106, tribute: { type: 'honour', name: 'Maria Petrenko' }, anonymous: true });
    expect(await progress(id)).toMatchObject({ raised: 2606, donations: 1, donors: 1, feesCovered: 106 });
    const [receipt, ...more] = (await server.mailTo('cover@example.org')).filter((m) => m.subject.startsWith('Thank you for your gift'));
    expect(more).toEqual([]);
    expect(receipt?.text).toContain('Gift: $25.00\nFee you covered: $1.06\nTotal charged: $26.06\nDedication: In honour of Maria Petrenko\n');

    // A refund in full (the dashboard's default) gives back what the charge was: the gift and the fee.
    expect((await local(`/payments/${paid.body.paymentIntent}/refund`)).body.status).toBe('refunded');
    expect(await gift(paid.body.paymentIntent ?? '')).toMatchObject({ refunded: 2606 });
    expect(await progress(id)).toMatchObject({ raised: 0, donations: 0, feesCovered: 0 });
  });

  it('charges each month of a monthly gift the total, and counts the fee with each month', async () => {
    const id = await newCampaign();
    const started = await checkout({ campaign: id, frequency: 'monthly', coverFee: true, email: 'monthly-cover@example.org' });
    expect(started.body.total).toBe(2606);
    const paid = await local(`/checkout/${started.body.id}/complete`);
    expect(await progress(id)).toMatchObject({ raised: 2606, donations: 1, feesCovered: 106 });
    await local(`/subscriptions/${paid.body.subscription}/renew`);
    expect(await progress(id)).toMatchObject({ raised: 5212, donations: 2, feesCovered: 212 });
  });
});

describe('the appeal settings', () => {
  it('are shown by GET /v1/campaigns/{id} as stored', async () => {
    const upsell = [{ amount: 1000, monthly: 500 }, { amount: 2500, monthly: 800 }];
    const id = await newCampaign({ defaultFrequency: 'monthly', upsell, thankDays: 60, snoozeDays: 7 });
    expect(await progress(id)).toMatchObject({ defaultFrequency: 'monthly', upsell, thankDays: 60, snoozeDays: 7, feesCovered: 0 });
  });
});

describe('embedded Checkout', () => {
  it('makes a session for Stripe.js, which pays it with its client secret and sends the donor back to the article with the session', async () => {
    const id = await newCampaign();
    const article = `${server.siteUrl}/2026/11/appeal?ref=home#top`;
    const started = await checkout({ campaign: id, mode: 'embedded', returnUrl: article, coverFee: true, email: 'embedded@example.org' });
    expect(started.status).toBe(201);
    const { id: session, clientSecret, publishableKey, stripeJsUrl } = started.body;
    expect(started.body).not.toHaveProperty('url');
    expect(clientSecret).toMatch(new RegExp(`^${session}_secret_`));
    expect(stripeJsUrl).toBe(`${server.url}/_local/stripe/v3`);
    expect((await fetch(stripeJsUrl ?? '')).status).toBe(200);

    const lookup = await fetch(`${server.url}/_local/stripe/embedded/session?${new URLSearchParams({ key: publishableKey ?? '', client_secret: clientSecret ?? '' })}`);
    expect(lookup.status).toBe(200);
    const paid = await local(`/checkout/${session}/complete`, { client_secret: clientSecret, name: 'Em Bedded' });
    expect(paid.body.returnUrl).toBe(`${server.siteUrl}/2026/11/appeal?ref=home&appeal_checkout=${session}`);
    expect(await progress(id)).toMatchObject({ raised: 2606, donations: 1, feesCovered: 106 });

    // The same click again: a paid session is never offered twice.
    const again = await checkout({ campaign: id, mode: 'embedded', returnUrl: article, coverFee: true, email: 'embedded@example.org' });
    expect(again.body.id).not.toBe(session);
  });

  it('refuses to send the donor anywhere but the site', async () => {
    const id = await newCampaign();
    const refused = await checkout({ campaign: id, mode: 'embedded', returnUrl: 'https://evil.example.org/' });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'returnUrl' } } });
  });
});
