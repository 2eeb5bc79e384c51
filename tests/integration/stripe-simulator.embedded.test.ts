import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../support/dev-server.js';
import { type SimulatorHarness, startSimulatorHarness } from '../support/stripe-harness.js';

/**
 * Embedded Checkout on the Stripe simulator alone: what its API refuses and answers for `ui_mode`, and the
 * stand-in for Stripe.js's side of it (the session lookup, the page in the iframe, paying with the client secret).
 */

let harness: SimulatorHarness;
let stripe: Stripe;
let localUrl: string;
const delivered: Stripe.Event[] = [];

beforeAll(async () => {
  harness = await startSimulatorHarness('embedded_test', (event) => {
    delivered.push(event);
    return 200;
  });
  ({ stripe, localUrl } = harness);
});
afterAll(() => harness.close());

const PUBLISHABLE_KEY = 'pk_test_embedded_test';
const RETURN_URL = 'https://news.example.org/story?appeal_checkout={CHECKOUT_SESSION_ID}';

const params = (extra: Record<string, unknown>): Stripe.Checkout.SessionCreateParams => ({
  mode: 'payment',
  line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: 2606, product_data: { name: 'Donation' } } }],
  metadata: { campaign: 'ukraine', fee_covered: '106' },
  ...extra,
});

const refusal = async (extra: Record<string, unknown>) => {
  const error = await stripe.checkout.sessions.create(params(extra)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  const { message, param, code } = error as Stripe.errors.StripeInvalidRequestError;
  return { message, param, code };
};

const lookup = async (query: Record<string, string>) => {
  const response = await fetch(`${localUrl}/_local/stripe/embedded/session?${new URLSearchParams(query)}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { message: string } } };
};

describe('ui_mode, as the pinned API version names it', () => {
  it('makes an embedded_page session with a client secret and its return URL, and no URL of its own', async () => {
    const session = await stripe.checkout.sessions.create(params({ ui_mode: 'embedded_page', return_url: RETURN_URL }));
    expect(session).toMatchObject({ ui_mode: 'embedded_page', url: null, success_url: null, cancel_url: null, return_url: RETURN_URL, redirect_on_completion: 'always', status: 'open' });
    expect(session.client_secret).toMatch(new RegExp(`^${session.id}_secret_[A-Za-z0-9]+$`));
  });

  it('keeps hosted_page the default: a URL, no client secret', async () => {
    const session = await stripe.checkout.sessions.create(params({ success_url: 'https://news.example.org/thanks', cancel_url: 'https://news.example.org/' }));
    expect(session).toMatchObject({ ui_mode: 'hosted_page', client_secret: null, url: expect.stringContaining('/_local/stripe/checkout/') });
  });

  it('refuses the names of older API versions and the modes it does not simulate', async () => {
    for (const ui_mode of ['embedded', 'hosted', 'custom']) {
      expect(await refusal({ ui_mode, return_url: RETURN_URL })).toMatchObject({ param: 'ui_mode', message: 'Invalid ui_mode: must be one of elements, embedded_page, form, or hosted_page' });
    }
    expect(await refusal({ ui_mode: 'elements', return_url: RETURN_URL })).toMatchObject({ param: 'ui_mode', message: expect.stringContaining('does not simulate ui_mode elements') });
  });

  it('refuses on embedded_page a success or cancel URL, a missing or broken return URL, and a return URL that never redirects', async () => {
    expect(await refusal({ ui_mode: 'embedded_page', return_url: RETURN_URL, success_url: 'https://news.example.org/thanks' })).toMatchObject({ param: 'success_url' });
    expect(await refusal({ ui_mode: 'embedded_page', return_url: RETURN_URL, cancel_url: 'https://news.example.org/' })).toMatchObject({ param: 'cancel_url' });
    expect(await refusal({ ui_mode: 'embedded_page' })).toMatchObject({ param: 'return_url', code: 'parameter_missing' });
    expect(await refusal({ ui_mode: 'embedded_page', return_url: 'not a url' })).toMatchObject({ param: 'return_url', code: 'url_invalid' });
    expect(await refusal({ ui_mode: 'embedded_page', redirect_on_completion: 'never', return_url: RETURN_URL })).toMatchObject({ param: 'return_url' });
    expect(await refusal({ ui_mode: 'embedded_page', redirect_on_completion: 'sometimes', return_url: RETURN_URL })).toMatchObject({ param: 'redirect_on_completion' });
  });

  it('refuses a return URL or redirect_on_completion on hosted_page', async () => {
    const hosted = { success_url: 'https://news.example.org/thanks', cancel_url: 'https://news.example.org/' };
    expect(await refusal({ ...hosted, return_url: RETURN_URL })).toMatchObject({ param: 'return_url' });
    expect(await refusal({ ...hosted, redirect_on_completion: 'always' })).toMatchObject({ param: 'redirect_on_completion' });
  });
});

describe("Stripe.js's side: the lookup, the page in the iframe, paying", () => {
  it('serves the Stripe.js stand-in as a script, at /v3 and at the versioned path', async () => {
    for (const path of ['/v3', '/endive/stripe.js']) {
      const response = await fetch(`${localUrl}/_local/stripe${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
      const source = await response.text();
      expect(source).toContain('createEmbeddedCheckoutPage');
      expect(source).toContain('initEmbeddedCheckout');
    }
  });

  it('completes a session paid with its client secret, delivers its events, and sends the donor back with the session id; the secret is then spent', async () => {
    const session = await stripe.checkout.sessions.create(params({ ui_mode: 'embedded_page', return_url: RETURN_URL }));
    const secret = String(session.client_secret);
    expect(await lookup({ key: PUBLISHABLE_KEY, client_secret: secret })).toEqual({ status: 200, body: { id: session.id, status: 'open', mode: 'payment', amount_total: 2606, currency: 'usd' } });
    const frame = await fetch(`${localUrl}/_local/stripe/embedded/${session.id}?${new URLSearchParams({ client_secret: secret, parent: 'https://news.example.org' })}`);
    expect(frame.status).toBe(200);
    expect(await frame.text()).toContain('data-parent="https://news.example.org"');

    // Neither the hosted page nor a payment without the secret: an embedded session is paid through Stripe.js only.
    expect((await fetch(`${localUrl}/_local/stripe/checkout/${session.id}`)).status).toBe(404);
    expect((await postJson(`${localUrl}/_local/stripe/checkout/${session.id}/complete`, { email: 'donor@example.org' })).status).toBe(401);
    expect((await postJson(`${localUrl}/_local/stripe/checkout/${session.id}/complete`, { email: 'donor@example.org', client_secret: `${secret}x` })).status).toBe(401);
    expect((await postJson(`${localUrl}/_local/stripe/checkout/${session.id}/cancel`, {})).status).toBe(400);

    const paid = await postJson(`${localUrl}/_local/stripe/checkout/${session.id}/complete`, { email: 'donor@example.org', client_secret: secret });
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({ status: 'complete', redirectOnCompletion: 'always', returnUrl: `https://news.example.org/story?appeal_checkout=${session.id}` });
    const completed = delivered.find((e) => e.type === 'checkout.session.completed' && (e.data.object as Stripe.Checkout.Session).id === session.id);
    expect(completed?.data.object).toMatchObject({ ui_mode: 'embedded_page', status: 'complete', payment_status: 'paid', amount_total: 2606, metadata: { campaign: 'ukraine', fee_covered: '106' } });

    const spent = await lookup({ key: PUBLISHABLE_KEY, client_secret: secret });
    expect(spent).toMatchObject({ status: 400, body: { error: { message: 'This Checkout Session is complete: it can no longer be paid.' } } });
    expect((await fetch(`${localUrl}/_local/stripe/embedded/${session.id}?${new URLSearchParams({ client_secret: secret, parent: 'https://news.example.org' })}`)).status).toBe(400);
  });

  it("refuses another account's key, a secret no session has, and a hosted session's id", async () => {
    const session = await stripe.checkout.sessions.create(params({ ui_mode: 'embedded_page', return_url: RETURN_URL }));
    const secret = String(session.client_secret);
    expect(await lookup({ key: 'pk_test_someone_else', client_secret: secret })).toMatchObject({ status: 401 });
    expect(await lookup({ key: PUBLISHABLE_KEY, client_secret: `${session.id}_secret_wrong` })).toMatchObject({ status: 404 });
    expect(await lookup({ key: PUBLISHABLE_KEY, client_secret: 'cs_test_nothing' })).toMatchObject({ status: 404 });
    const hosted = await stripe.checkout.sessions.create(params({ success_url: 'https://news.example.org/thanks', cancel_url: 'https://news.example.org/' }));
    expect(await lookup({ key: PUBLISHABLE_KEY, client_secret: `${hosted.id}_secret_abc` })).toMatchObject({ status: 404 });
    const frame = await fetch(`${localUrl}/_local/stripe/embedded/${hosted.id}?${new URLSearchParams({ client_secret: secret, parent: 'https://news.example.org' })}`);
    expect(frame.status).toBe(404);
  });
});
