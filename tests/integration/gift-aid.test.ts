import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository, DynamoGiftLedger } from '../../functions/adapters/dynamo-donations.js';
import { GIFT_AID_DECLARATION_VERSION } from '../../functions/core/donations/gift-aid.js';
import { documentClient } from '../../functions/platform/clients.js';
import { STRIPE_TEST_KEY } from '../../local/server/dev-config.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ GIFT_AID: 'true', CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
});
afterAll(() => server.stop());

let campaignCount = 0;
const newCampaign = async (currency: string) => {
  const id = `gift-aid-${++campaignCount}`;
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(campaignSettings({ id, currency }), new Date());
  return id;
};

const checkout = async (body: Record<string, unknown>) => {
  const response = await postJson(`${server.url}/v1/donations/checkout`, { amount: 2500, frequency: 'once', ...body });
  return { status: response.status, body: (await response.json()) as { id: string; url: string; error?: { code: string; field?: string; message: string } } };
};

const local = async (path: string, body?: unknown) => {
  const response = await postJson(`${server.url}/_local/stripe${path}`, body ?? {});
  return { status: response.status, body: (await response.json()) as Record<string, string> & { error?: { message: string; param?: string } } };
};

const session = async (id: string) =>
  (await (await fetch(`${server.stripeApiUrl}/v1/checkout/sessions/${id}`, { headers: { authorization: `Bearer ${STRIPE_TEST_KEY}` } })).json()) as {
    billing_address_collection: string | null;
    metadata: Record<string, string>;
  };

const gift = (paymentIntent: string) => new DynamoGiftLedger(documentClient(server.clientOptions), server.tables.donations).get(paymentIntent);

const HOME = { line1: '12 High Street', line2: 'Flat 3', city: 'Bristol', postal_code: 'bs1 4dj', country: 'GB' };

describe('Gift Aid at checkout (GIFT_AID=true)', () => {
  it('asks Checkout for the home address and keeps the declaration with the gift, once however often the event comes', async () => {
    const campaign = await newCampaign('gbp');
    const started = await checkout({ campaign, currency: 'gbp', giftAid: true, email: 'ada@example.org' });
    expect(started.status).toBe(201);
    const created = await session(started.body.id);
    expect(created.billing_address_collection).toBe('required');
    expect(created.metadata.gift_aid).toBe(GIFT_AID_DECLARATION_VERSION);

    // Checkout will not take the payment without the name and the full address.
    const refused = await local(`/checkout/${started.body.id}/complete`, { name: 'Ada Lovelace' });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.param).toBe('address');

    const done = await local(`/checkout/${started.body.id}/complete`, { name: 'Ada Lovelace', address: HOME });
    expect(done.status).toBe(200);
    const kept = await gift(done.body.paymentIntent!);
    expect(kept?.status).toBe('paid');
    expect(kept?.giftAid).toEqual({
      version: GIFT_AID_DECLARATION_VERSION,
      declaredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      name: 'Ada Lovelace',
      address: { line1: '12 High Street', line2: 'Flat 3', city: 'Bristol', postalCode: 'bs1 4dj', country: 'GB' },
    });

    // A repeated checkout.session.completed writes nothing: the gift stays at its version, its declaration as made.
    const events = (await (await fetch(`${server.url}/_local/stripe/events`)).json()) as { id: string; type: string }[];
    const completed = events.filter((e) => e.type === 'checkout.session.completed').at(-1)!;
    expect((await local(`/events/${completed.id}/resend`)).body.status).toBe('resent');
    const again = await gift(done.body.paymentIntent!);
    expect(again?.version).toBe(kept?.version);
    expect(again?.giftAid).toEqual(kept?.giftAid);
  });

  it('keeps no declaration for a gift without the box ticked, and asks Checkout for no address', async () => {
    const campaign = await newCampaign('gbp');
    const started = await checkout({ campaign, currency: 'gbp' });
    expect((await session(started.body.id)).billing_address_collection).toBeNull();
    const done = await local(`/checkout/${started.body.id}/complete`, { name: 'Ada Lovelace', address: HOME });
    const kept = await gift(done.body.paymentIntent!);
    expect(kept?.status).toBe('paid');
    expect(kept?.giftAid).toBeUndefined();
  });

  it('refuses Gift Aid on a campaign in another currency, with the field named', async () => {
    const campaign = await newCampaign('usd');
    const refused = await checkout({ campaign, currency: 'usd', giftAid: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_field', field: 'giftAid' });
  });

  it("offers the declaration on a GBP campaign's chooser only, and carries the ticked box on to Checkout", async () => {
    const gbp = await newCampaign('gbp');
    const usd = await newCampaign('usd');
    const page = await (await fetch(`${server.url}/v1/donate?campaign=${gbp}`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('name="gift_aid"');
    expect(page).toContain('I want to Gift Aid this donation');
    expect(page).toContain('I am a UK taxpayer');
    const other = await (await fetch(`${server.url}/v1/donate?campaign=${usd}`, { headers: { accept: 'text/html' } })).text();
    expect(other).not.toContain('gift_aid');

    const link = await fetch(`${server.url}/v1/donate?campaign=${gbp}&currency=gbp&amount=2500&gift_aid=true`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    const id = /\/checkout\/([^/?#]+)/.exec(link.headers.get('location') ?? '')?.[1];
    expect((await session(id!)).billing_address_collection).toBe('required');
  });
});
