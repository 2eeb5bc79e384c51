import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CAMPAIGN } from '../../local/demo/campaign.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, undefined, { stripeSecret: 'unset' });
});
afterAll(() => server.stop());

describe('the dev server before its Stripe secret is set', () => {
  it('starts, and shows the campaign banner its progress (no Stripe needed)', async () => {
    const response = await fetch(`${server.url}/v1/campaigns/${DEMO_CAMPAIGN}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: DEMO_CAMPAIGN });
  });

  it('answers a checkout 503 donations_not_configured', async () => {
    const response = await fetch(`${server.url}/v1/donations/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.siteUrl },
      body: JSON.stringify({ campaign: DEMO_CAMPAIGN, amount: 2500, currency: 'usd' }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'donations_not_configured' } });
  });

  it('shows a browser following a donate link the page that says donations are not set up yet', async () => {
    const response = await fetch(`${server.url}/v1/donate?campaign=${DEMO_CAMPAIGN}&lang=pl`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(503);
    const page = await response.text();
    expect(page).toContain('<html lang="pl">');
    expect(page).toContain('Darowizny nie są jeszcze uruchomione');
  });

  it('answers the Stripe webhook 503, so that Stripe delivers again later', async () => {
    const response = await fetch(`${server.url}/v1/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=x' },
      body: JSON.stringify({ id: 'evt_1' }),
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'donations_not_configured' } });
  });
});
