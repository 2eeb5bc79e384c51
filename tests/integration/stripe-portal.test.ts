import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripePayments } from '../../functions/adapters/stripe-payments.js';
import { NotFoundError } from '../../functions/core/shared/errors.js';
import { postJson } from '../support/dev-server.js';
import { type SimulatorHarness, startSimulatorHarness } from '../support/stripe-harness.js';
import { stripeFixtures } from '../support/stripe-fixtures.js';

/**
 * The simulator's Customer Portal on its own: `POST /v1/billing_portal/sessions` through the `stripe` client,
 * held to Stripe's published example of a portal session (../shared/stripe/fixtures3.json), the portal page and
 * its Cancel, and the cancel action, each ending a subscription once with one signed `customer.subscription.deleted`.
 */

const fixtures = stripeFixtures();

let harness: SimulatorHarness;
let stripe: Stripe;
let localUrl: string;
const delivered: Stripe.Event[] = [];

beforeAll(async () => {
  harness = await startSimulatorHarness('portal_test', (event) => {
    delivered.push(event);
    return 200;
  });
  ({ stripe, localUrl } = harness);
});

afterAll(() => harness.close());

/** A paid monthly gift: its customer and subscription. */
const monthlyGift = async (email = 'monthly@example.org') => {
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'Donation to Support Ukraine' }, recurring: { interval: 'month' } } }],
    success_url: 'http://example.org/thanks',
    cancel_url: 'http://example.org/donate',
  });
  const completed = await postJson(`${localUrl}/_local/stripe/checkout/${session.id}/complete`, { email });
  expect(completed.status).toBe(200);
  const paid = await stripe.checkout.sessions.retrieve(session.id);
  return { customer: String(paid.customer), subscription: String(paid.subscription) };
};

const deletedEvents = (subscription: string) =>
  delivered.filter((e) => e.type === 'customer.subscription.deleted' && (e.data.object as Stripe.Subscription).id === subscription);

/** What a refusal looks like through the `stripe` client: its class, status and Stripe's error fields. */
const refusal = async (request: Promise<unknown>) => {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  const { statusCode, code, param, message, rawType: type } = error as Stripe.errors.StripeInvalidRequestError;
  return { statusCode, code, param, message, type };
};

describe('POST /v1/billing_portal/sessions', () => {
  it("answers a session in the shape of Stripe's own example, opening the portal page", async () => {
    const { customer } = await monthlyGift();
    const session = await stripe.billingPortal.sessions.create({ customer, return_url: 'https://news.example.org/support' });
    const example = fixtures['billing_portal.session'] ?? {};
    expect(Object.keys(session).sort()).toEqual(Object.keys(example).sort());
    for (const [field, value] of Object.entries(example)) {
      const ours = (session as unknown as Record<string, unknown>)[field];
      if (value !== null && ours !== null) expect([field, typeof ours]).toEqual([field, typeof value]);
    }
    expect(session).toMatchObject({
      object: 'billing_portal.session',
      id: expect.stringMatching(/^bps_/),
      configuration: expect.stringMatching(/^bpc_/),
      customer,
      customer_account: null,
      flow: null,
      livemode: false,
      return_url: 'https://news.example.org/support',
      url: `${localUrl}/_local/stripe/portal/${session.id}`,
    });
    // One default configuration for the account, as Stripe's dashboard saves it.
    const again = await stripe.billingPortal.sessions.create({ customer });
    expect(again.configuration).toBe(session.configuration);
    expect(again.return_url).toBeNull();
  });

  it('refuses what Stripe refuses, in its error shape', async () => {
    const { customer } = await monthlyGift();
    expect(await refusal(stripe.billingPortal.sessions.create({ customer: 'cus_nope' }))).toEqual({
      statusCode: 400,
      type: 'invalid_request_error',
      code: 'resource_missing',
      param: 'customer',
      message: "No such customer: 'cus_nope'",
    });
    expect(await refusal(stripe.billingPortal.sessions.create({}))).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'customer' });
    expect(await refusal(stripe.billingPortal.sessions.create({ customer, return_url: 'not a url' }))).toMatchObject({ statusCode: 400, code: 'url_invalid', param: 'return_url' });
    expect(await refusal(stripe.billingPortal.sessions.create({ customer, configuration: 'bpc_nope' }))).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'configuration' });
  });

  it('replays the first answer to an idempotency key', async () => {
    const { customer } = await monthlyGift();
    const first = await stripe.billingPortal.sessions.create({ customer }, { idempotencyKey: `portal-${customer}` });
    const second = await stripe.billingPortal.sessions.create({ customer }, { idempotencyKey: `portal-${customer}` });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
  });

  it('is what the Payments adapter opens, and an unknown customer is its NotFoundError', async () => {
    const { customer } = await monthlyGift();
    const payments = new StripePayments(stripe);
    expect(await payments.createPortalSession(customer, 'https://news.example.org/')).toMatch(new RegExp(`^${localUrl}/_local/stripe/portal/bps_`));
    await expect(payments.createPortalSession('cus_gone', 'https://news.example.org/')).rejects.toThrow(NotFoundError);
  });
});

describe('the portal page', () => {
  it('shows the subscription with Cancel, whose one press ends it with one signed customer.subscription.deleted', async () => {
    const { customer, subscription } = await monthlyGift('portal@example.org');
    const session = await stripe.billingPortal.sessions.create({ customer, return_url: 'https://news.example.org/support' });
    const page = await fetch(session.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('$15.00 a month');
    expect(html).toContain('portal@example.org');
    expect(html).toContain(`name="subscription" value="${subscription}"`);
    expect(html).toContain('href="https://news.example.org/support"');

    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: `subscription=${subscription}`, redirect: 'manual' as const };
    const cancelled = await fetch(`${localUrl}/_local/stripe/portal/${session.id}/cancel`, form);
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.get('location')).toBe(`/_local/stripe/portal/${session.id}`);
    expect(deletedEvents(subscription)).toHaveLength(1);
    expect(deletedEvents(subscription)[0]?.data.object).toMatchObject({ id: subscription, status: 'canceled', ended_at: expect.any(Number), customer });
    expect(await stripe.subscriptions.retrieve(subscription)).toMatchObject({ status: 'canceled' });
    const after = await (await fetch(session.url)).text();
    expect(after).toContain('Canceled on');
    expect(after).not.toContain(`name="subscription" value="${subscription}"`);

    // A stale page pressed again: nothing more happens.
    expect((await fetch(`${localUrl}/_local/stripe/portal/${session.id}/cancel`, form)).status).toBe(303);
    expect(deletedEvents(subscription)).toHaveLength(1);
  });

  it("cannot cancel another customer's subscription", async () => {
    const mine = await monthlyGift();
    const theirs = await monthlyGift('other@example.org');
    const session = await stripe.billingPortal.sessions.create({ customer: mine.customer });
    const answer = await postJson(`${localUrl}/_local/stripe/portal/${session.id}/cancel`, { subscription: theirs.subscription });
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'resource_missing' } });
    expect(deletedEvents(theirs.subscription)).toHaveLength(0);
  });

  it('is a 404 page for an unknown portal session', async () => {
    expect((await fetch(`${localUrl}/_local/stripe/portal/bps_nope`)).status).toBe(404);
  });
});

describe('POST /_local/stripe/subscriptions/{subscription}/cancel', () => {
  it('ends a subscription once; a second cancel gets Stripe answer for an ended subscription and sends nothing', async () => {
    const { subscription } = await monthlyGift();
    const first = await postJson(`${localUrl}/_local/stripe/subscriptions/${subscription}/cancel`, {});
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ status: 'canceled' });
    const second = await postJson(`${localUrl}/_local/stripe/subscriptions/${subscription}/cancel`, {});
    expect(second.status).toBe(404);
    expect(await second.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        param: 'id',
        message: `No such subscription: '${subscription}'`,
      },
    });
    expect(deletedEvents(subscription)).toHaveLength(1);
    // Billing a cancelled subscription is refused too.
    expect((await postJson(`${localUrl}/_local/stripe/subscriptions/${subscription}/renew`, {})).status).toBe(409);
  });
});
