import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { documentClient } from '../../functions/platform/clients.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

/**
 * Failed monthly payments through the dev server: the simulator fails a renewal (`invoice.payment_failed`) and,
 * with `final`, gives up (`customer.subscription.deleted`, reason `payment_failed`); the webhook tells the donor
 * once each, whatever Stripe redelivers.
 */

let server: TestServer;
let stripe: Stripe;

beforeAll(async () => {
  server = await startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
  stripe = new Stripe('sk_test_appeal_local_simulator', { host: '127.0.0.1', port: Number(new URL(server.stripeApiUrl).port), protocol: 'http' });
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(campaignSettings({ id: 'failing', title: 'Winter Appeal' }), new Date());
});
afterAll(() => server.stop());

const local = async (path: string, body?: unknown) => {
  const response = await postJson(`${server.url}/_local/stripe${path}`, body ?? {});
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};

/** A paid monthly gift of 15.00 by `email`: its subscription. */
const monthlyGift = async (email: string, lang?: string) => {
  const response = await postJson(`${server.url}/v1/donations/checkout`, { campaign: 'failing', amount: 1500, currency: 'usd', frequency: 'monthly', email, ...(lang ? { lang } : {}) });
  const session = (await response.json()) as { id: string };
  expect((await local(`/checkout/${session.id}/complete`)).status).toBe(200);
  return String((await stripe.checkout.sessions.retrieve(session.id)).subscription);
};

const eventsOf = async (type: string) =>
  ((await (await fetch(`${server.url}/_local/stripe/events`)).json()) as { id: string; type: string }[]).filter((e) => e.type === type);

describe('a failed monthly payment', () => {
  it('emails the donor once per invoice with the manage link, even when Stripe delivers the event again', async () => {
    const subscription = await monthlyGift('card-expired@example.org');
    const failed = await local(`/subscriptions/${subscription}/fail`);
    expect(failed).toEqual({ status: 200, body: { status: 'failed', invoice: expect.stringMatching(/^in_/) } });
    const invoice = await stripe.invoices.retrieve(failed.body.invoice ?? '');
    expect(invoice).toMatchObject({ status: 'open', amount_paid: 0, amount_due: 1500, billing_reason: 'subscription_cycle', next_payment_attempt: expect.any(Number) });
    expect((await stripe.subscriptions.retrieve(subscription)).status).toBe('past_due');

    const [event] = (await eventsOf('invoice.payment_failed')).slice(-1);
    expect((await local(`/events/${event?.id}/resend`)).body.status).toBe('resent');

    const mail = (await server.mailTo('card-expired@example.org')).filter((m) => m.subject.includes('could not be taken'));
    expect(mail.map((m) => m.subject)).toEqual(['Your monthly gift to Winter Appeal could not be taken']);
    const manage = /(http:\/\/[^\s]+\/v1\/donations\/manage\?token=[^\s]+)/.exec(mail[0]?.text ?? '')?.[1];
    expect(manage).toBeDefined();
    // The link opens the donor's Customer Portal, where the card is changed.
    const portal = await fetch(manage ?? '', { redirect: 'manual' });
    expect(portal.status).toBe(303);
    expect(portal.headers.get('location')).toMatch(/\/_local\/stripe\/portal\/bps_/);

    // The next failure is another invoice: another email.
    await local(`/subscriptions/${subscription}/fail`);
    expect((await server.mailTo('card-expired@example.org')).filter((m) => m.subject.includes('could not be taken'))).toHaveLength(2);
  });

  it('when Stripe gives up, ends the gift and sends one "ended" email in the donor\'s language, with a way to give again', async () => {
    const subscription = await monthlyGift('gave-up@example.org', 'pl');
    const final = await local(`/subscriptions/${subscription}/fail`, { final: true });
    expect(final.body).toMatchObject({ status: 'failed', invoice: expect.stringMatching(/^in_/) });
    const ended = await stripe.subscriptions.retrieve(subscription);
    expect(ended).toMatchObject({ status: 'canceled', cancellation_details: { reason: 'payment_failed' } });

    const [deleted] = (await eventsOf('customer.subscription.deleted')).slice(-1);
    await local(`/events/${deleted?.id}/resend`);

    const mail = await server.mailTo('gave-up@example.org');
    const notices = mail.filter((m) => !m.subject.startsWith('Dziękujemy'));
    expect(notices.map((m) => m.subject)).toEqual(['Twoja comiesięczna darowizna na Winter Appeal została zakończona']);
    expect(notices[0]?.text).toContain('/v1/donate?campaign=failing&frequency=monthly&lang=pl');
    // A stopped gift cannot fail again.
    expect((await local(`/subscriptions/${subscription}/fail`)).status).toBe(409);
  });

  it('leaves both emails to Stripe when FAILED_PAYMENT_EMAILS=false', async () => {
    const quiet = await startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000', FAILED_PAYMENT_EMAILS: 'false' });
    try {
      await new DynamoCampaignRepository(documentClient(quiet.clientOptions), quiet.tables.donations).saveSettings(campaignSettings({ id: 'failing' }), new Date());
      const response = await postJson(`${quiet.url}/v1/donations/checkout`, { campaign: 'failing', amount: 1500, currency: 'usd', frequency: 'monthly', email: 'quiet@example.org' });
      const session = (await response.json()) as { id: string };
      await postJson(`${quiet.url}/_local/stripe/checkout/${session.id}/complete`, {});
      const quietStripe = new Stripe('sk_test_appeal_local_simulator', { host: '127.0.0.1', port: Number(new URL(quiet.stripeApiUrl).port), protocol: 'http' });
      const subscription = String((await quietStripe.checkout.sessions.retrieve(session.id)).subscription);
      expect((await postJson(`${quiet.url}/_local/stripe/subscriptions/${subscription}/fail`, {})).status).toBe(200);
      expect((await postJson(`${quiet.url}/_local/stripe/subscriptions/${subscription}/fail`, { final: true })).status).toBe(200);
      const mail = await quiet.mailTo('quiet@example.org');
      expect(mail.map((m) => m.subject)).toEqual(['Thank you for your gift to Support Ukraine']);
    } finally {
      await quiet.stop();
    }
  });
});
