import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StripeSimulator } from '../../local/stand-ins/stripe/simulator.js';
import { filesIn, tearLastWrite } from '../support/crash.js';
import { postJson } from '../support/dev-server.js';
import { type SimulatorHarness, type SimulatorProcess, startSimulatorHarness, startSimulatorProcess, startWebhookReceiver } from '../support/stripe-harness.js';
import { stripeFixtures } from '../support/stripe-fixtures.js';

/**
 * The Stripe simulator on its own, as the product sees it: its API through the `stripe` client, its local actions
 * over HTTP, and its webhooks at a tiny receiver that verifies each signature and can be told to fail.
 */

interface Delivery {
  event: Stripe.Event;
  at: number;
  status: number;
}

let harness: SimulatorHarness;
let simulator: StripeSimulator;
let stripe: Stripe;
let localUrl: string;
const deliveries: Delivery[] = [];
/** How the receiver answers an event (per test); 200 unless told otherwise. */
let respond: (event: Stripe.Event) => number = () => 200;

beforeAll(async () => {
  // Every attempt is signed afresh with the webhook secret: the harness's receiver fails the test on a bad signature.
  harness = await startSimulatorHarness('simulator_test', (event) => {
    const status = respond(event);
    deliveries.push({ event, at: Date.now(), status });
    return status;
  });
  ({ simulator, stripe, localUrl } = harness);
});

afterAll(() => harness.close());

const action = async (path: string, body: unknown = {}) => {
  const response = await postJson(`${localUrl}/_local/stripe${path}`, body);
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};

const sessionParams = (amount: number, mode: 'payment' | 'subscription' = 'payment'): Stripe.Checkout.SessionCreateParams => ({
  mode,
  line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: amount, product_data: { name: 'Donation' }, ...(mode === 'subscription' ? { recurring: { interval: 'month' as const } } : {}) } }],
  success_url: 'http://example.org/thanks',
  cancel_url: 'http://example.org/donate',
  ...(mode === 'payment' ? { submit_type: 'donate' as const } : {}),
});

/** A paid one-time gift: its payment intent and charge. */
const paidGift = async (amount: number) => {
  const session = await stripe.checkout.sessions.create(sessionParams(amount));
  const completed = await action(`/checkout/${session.id}/complete`, { email: 'donor@example.org' });
  expect(completed).toMatchObject({ status: 200, body: { status: 'complete' } });
  const paymentIntent = String(completed.body.paymentIntent);
  const chargeEvent = deliveries.find((d) => d.event.type === 'payment_intent.succeeded' && (d.event.data.object as Stripe.PaymentIntent).id === paymentIntent);
  const charge = String((chargeEvent?.event.data.object as Stripe.PaymentIntent | undefined)?.latest_charge);
  return { paymentIntent, charge };
};

/** The events delivered (2xx) so far about a charge, refund or dispute of this payment intent, in order. */
const eventsAbout = (paymentIntent: string) =>
  deliveries
    .filter((d) => d.status < 300)
    .map((d) => d.event)
    .filter((e) => e.type.startsWith('charge.') || e.type.startsWith('refund.'))
    .filter((e) => (e.data.object as { payment_intent?: unknown }).payment_intent === paymentIntent);

describe('refunds', () => {
  it('refunds part of a payment as a re_ refund on its charge, then fails that refund', async () => {
    const { paymentIntent, charge } = await paidGift(2000);

    const first = await action(`/payments/${paymentIntent}/refund`, { amount: 500 });
    expect(first).toMatchObject({ status: 200, body: { status: 'refunded', refund: expect.stringMatching(/^re_/) } });
    const refundId = first.body.refund;
    // Delivered before the action answered: charge.refunded (the charge) and refund.created (the refund).
    const created = eventsAbout(paymentIntent);
    expect(created.map((e) => e.type)).toEqual(['charge.refunded', 'refund.created']);
    expect(created[0]?.data.object).toMatchObject({ object: 'charge', id: charge, amount: 2000, amount_refunded: 500, refunded: false });
    expect(created[0]?.data.object).not.toHaveProperty('refunds'); // not expanded in an event
    expect(created[1]?.data.object).toMatchObject({ object: 'refund', id: refundId, amount: 500, charge, payment_intent: paymentIntent, status: 'succeeded' });

    const rest = await action(`/payments/${paymentIntent}/refund`);
    expect(rest.status).toBe(200);
    expect(await stripe.charges.retrieve(charge)).toMatchObject({ amount_refunded: 2000, refunded: true });
    expect((await action(`/payments/${paymentIntent}/refund`, { amount: 1 })).status).toBe(400);

    const listed = await stripe.refunds.list({ charge });
    expect(listed.data.map((r) => r.id).sort()).toEqual([refundId, rest.body.refund].sort());
    expect(await stripe.refunds.retrieve(String(refundId))).toMatchObject({ id: refundId, amount: 500, status: 'succeeded' });

    const before = eventsAbout(paymentIntent).length;
    expect(await action(`/refunds/${refundId}/fail`)).toEqual({ status: 200, body: { status: 'failed' } });
    const failed = eventsAbout(paymentIntent).slice(before);
    expect(failed.map((e) => e.type)).toEqual(['charge.refund.updated', 'refund.updated', 'refund.failed']);
    for (const e of failed) expect(e.data.object).toMatchObject({ id: refundId, status: 'failed', failure_reason: expect.any(String) });

    // The failed 500 is back in the balance: the charge is no longer fully refunded.
    const after = await stripe.charges.retrieve(charge, { expand: ['refunds'] });
    expect(after).toMatchObject({ amount_refunded: 1500, refunded: false });
    expect(after.refunds?.data.map((r) => [r.id, r.status]).sort()).toEqual(
      [
        [refundId, 'failed'],
        [rest.body.refund, 'succeeded'],
      ].sort(),
    );
    expect(await stripe.charges.retrieve(charge)).not.toHaveProperty('refunds');
    expect(await stripe.refunds.retrieve(String(refundId))).toMatchObject({ status: 'failed' });
    expect((await action(`/refunds/${refundId}/fail`)).status).toBe(409);
  });
});

describe('disputes', () => {
  it.each([
    ['won', ['charge.dispute.closed', 'charge.dispute.funds_reinstated']],
    ['lost', ['charge.dispute.closed']],
  ] as const)('opens a dispute and closes it %s', async (outcome, closing) => {
    const { paymentIntent, charge } = await paidGift(3000);
    const opened = await action(`/payments/${paymentIntent}/dispute`);
    expect(opened).toMatchObject({ status: 200, body: { status: 'disputed', dispute: expect.stringMatching(/^dp_/) } });
    const disputeId = opened.body.dispute;
    const openEvents = eventsAbout(paymentIntent);
    expect(openEvents.map((e) => e.type)).toEqual(['charge.dispute.created', 'charge.dispute.funds_withdrawn']);
    for (const e of openEvents) expect(e.data.object).toMatchObject({ object: 'dispute', id: disputeId, charge, payment_intent: paymentIntent, amount: 3000, status: 'needs_response' });

    expect((await action(`/disputes/${disputeId}/close`, { outcome: 'maybe' })).status).toBe(400);
    expect(await action(`/disputes/${disputeId}/close`, { outcome })).toEqual({ status: 200, body: { status: outcome } });
    const closed = eventsAbout(paymentIntent).slice(openEvents.length);
    expect(closed.map((e) => e.type)).toEqual(closing);
    for (const e of closed) expect(e.data.object).toMatchObject({ id: disputeId, charge, payment_intent: paymentIntent, status: outcome });
    expect((await action(`/disputes/${disputeId}/close`, { outcome })).status).toBe(409);
  });
});

describe('expand', () => {
  it('gives an invoice its payments only when the request expands them', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams(1500, 'subscription'));
    const completed = await action(`/checkout/${session.id}/complete`, { email: 'monthly@example.org' });
    expect(completed.status).toBe(200);
    const paid = deliveries.find((d) => d.event.type === 'invoice.paid' && (d.event.data.object as Stripe.Invoice).parent?.subscription_details?.subscription === completed.body.subscription);
    const invoiceId = String((paid?.event.data.object as Stripe.Invoice | undefined)?.id);
    expect(paid?.event.data.object).not.toHaveProperty('payments');

    expect(await stripe.invoices.retrieve(invoiceId)).not.toHaveProperty('payments');
    const expanded = await stripe.invoices.retrieve(invoiceId, { expand: ['payments'] });
    expect(expanded.payments?.data).toEqual([expect.objectContaining({ status: 'paid', payment: { type: 'payment_intent', payment_intent: completed.body.paymentIntent } })]);
  });
});

describe('webhook delivery', () => {
  it('retries a failed delivery with backoff until the endpoint answers 2xx', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams(800));
    let attempts = 0;
    respond = (event) => ((event.data.object as { id?: string }).id === session.id && ++attempts <= 2 ? 500 : 200);
    try {
      const started = Date.now();
      expect(await action(`/checkout/${session.id}/expire`)).toMatchObject({ status: 200, body: { status: 'expired' } });
      // The action answered after the first attempt, without waiting for the retries.
      expect(Date.now() - started).toBeLessThan(900);
      const ofSession = () => deliveries.filter((d) => (d.event.data.object as { id?: string }).id === session.id);
      expect(ofSession().map((d) => d.status)).toEqual([500]);
      const deadline = Date.now() + 10_000;
      while (ofSession().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const attemptsMade = ofSession();
      expect(attemptsMade.map((d) => [d.event.type, d.status])).toEqual([
        ['checkout.session.expired', 500],
        ['checkout.session.expired', 500],
        ['checkout.session.expired', 200],
      ]);
      expect(new Set(attemptsMade.map((d) => d.event.id)).size).toBe(1);
      // Backoff: about 1 s, then about 2 s.
      const [a, b, c] = attemptsMade.map((d) => d.at) as [number, number, number];
      expect(b - a).toBeGreaterThanOrEqual(900);
      expect(c - b).toBeGreaterThanOrEqual(1900);
      expect(c - b).toBeGreaterThan(b - a);
      // Delivered: nothing more is retried.
      expect(simulator.pendingWebhookRetries).toBe(0);
    } finally {
      respond = () => 200;
    }
  });
});

describe('what Stripe refuses or replays', () => {
  it('replays the frozen first answer to an idempotency key, not the session as it is now', async () => {
    const params = sessionParams(2500);
    const first = await stripe.checkout.sessions.create(params, { idempotencyKey: 'replay-1' });
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect((await action(`/checkout/${first.id}/complete`)).status).toBe(200);

    const again = await stripe.checkout.sessions.create(params, { idempotencyKey: 'replay-1' });
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(again).toMatchObject({ id: first.id, status: 'open', payment_status: 'unpaid' });
    expect(await stripe.checkout.sessions.retrieve(first.id)).toMatchObject({ status: 'complete', payment_status: 'paid' });
  });

  it('refuses an idempotency key reused with other parameters', async () => {
    await stripe.checkout.sessions.create(sessionParams(2500), { idempotencyKey: 'reuse-1' });
    const error = await stripe.checkout.sessions.create(sessionParams(2600), { idempotencyKey: 'reuse-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
  });

  it('refuses an amount under the currency minimum', async () => {
    const error = await stripe.checkout.sessions.create(sessionParams(10)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ code: 'amount_too_small', statusCode: 400 });
  });
});

describe('locale and metadata', () => {
  const fixture = stripeFixtures<Stripe.Checkout.Session>()['checkout.session'];

  it('keeps the locale asked for (auto as auto), none as null, as Stripe does', async () => {
    expect(fixture).toHaveProperty('locale');
    const polish = await stripe.checkout.sessions.create({ ...sessionParams(900), locale: 'pl' });
    expect(polish.locale).toBe('pl');
    expect((await stripe.checkout.sessions.retrieve(polish.id)).locale).toBe('pl');
    expect((await stripe.checkout.sessions.create({ ...sessionParams(900), locale: 'auto' })).locale).toBe('auto');
    expect((await stripe.checkout.sessions.create(sessionParams(900))).locale).toBeNull();
  });

  it('refuses a locale Checkout does not have, as Stripe words it', async () => {
    const refused = stripe.checkout.sessions.create({ ...sessionParams(900), locale: 'uk' as Stripe.Checkout.SessionCreateParams.Locale });
    await expect(refused).rejects.toMatchObject({ type: 'StripeInvalidRequestError', param: 'locale', message: expect.stringMatching(/^Invalid locale: must be one of auto, bg, .*, zh-HK, or zh-TW$/) });
  });

  it('stores metadata as strings, leaves out keys sent empty, and refuses what breaks its limits', async () => {
    const session = await stripe.checkout.sessions.create({ ...sessionParams(900), metadata: { campaign: 'ukraine', lang: 'uk', note: '' } });
    expect(session.metadata).toEqual({ campaign: 'ukraine', lang: 'uk' });
    await expect(stripe.checkout.sessions.create({ ...sessionParams(900), metadata: { note: 'x'.repeat(501) } })).rejects.toMatchObject({
      param: 'metadata',
      message: 'Metadata values can have up to 500 characters, but you passed in a value that is 501 characters.',
    });
    await expect(stripe.checkout.sessions.create({ ...sessionParams(900, 'subscription'), subscription_data: { metadata: { ['k'.repeat(41)]: 'v' } } })).rejects.toMatchObject({ param: 'subscription_data[metadata]' });
  });
});

describe('a crash (kill -9)', () => {
  const name = 'crash_test';
  let dir: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: Delivery[] = [];
  /** How the receiver answers an event (per test); 200 unless told otherwise. */
  let answer: (event: Stripe.Event) => number = () => 200;
  const running: SimulatorProcess[] = [];
  const ONE_SECOND_RETRIES = Array.from({ length: 8 }, () => 1000);

  beforeAll(async () => {
    ({ server: receiver, url: receiverUrl } = await startWebhookReceiver(`whsec_${name}`, (event) => {
      const status = answer(event);
      received.push({ event, at: Date.now(), status });
      return status;
    }));
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'appeal-stripe-crash-'));
  });
  afterEach(async () => {
    for (const simulator of running.splice(0)) await simulator.kill();
    answer = () => 200;
    await rm(dir, { recursive: true, force: true });
  });

  /** A simulator process over the test's folder (a later one takes up what an earlier one left there). */
  const start = async (retryDelaysMs: readonly number[] = ONE_SECOND_RETRIES) => {
    const simulator = await startSimulatorProcess({ name, stateFile: join(dir, 'stripe.json'), webhookUrl: `${receiverUrl}/webhook`, retryDelaysMs });
    running.push(simulator);
    return simulator;
  };
  const actionOn = async (simulator: SimulatorProcess, path: string, body: unknown = {}) => {
    const response = await postJson(`${simulator.localUrl}/_local/stripe${path}`, body);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const eventsOf = async (simulator: SimulatorProcess) => (await fetch(`${simulator.localUrl}/_local/stripe/events`)).json();
  const receivedAbout = (id: string) => received.filter((d) => (d.event.data.object as { id?: string }).id === id);

  it('starts again after a kill that cut its last write in half, with everything it answered before', async () => {
    const first = await start();
    const paid = await first.stripe.checkout.sessions.create(sessionParams(1200));
    expect((await actionOn(first, `/checkout/${paid.id}/complete`, { email: 'kept@example.org' })).status).toBe(200);
    const events = await eventsOf(first);
    const before = await filesIn(dir);
    // The process dies while it writes this session: the write is cut off, and the session was never answered.
    const cut = await first.stripe.checkout.sessions.create(sessionParams(1300));
    await first.kill();
    expect(await tearLastWrite(dir, before)).not.toEqual([]);

    const second = await start();
    expect(await second.stripe.checkout.sessions.retrieve(paid.id)).toMatchObject({ status: 'complete', payment_status: 'paid', customer_details: { email: 'kept@example.org' } });
    expect(await eventsOf(second)).toEqual(events);
    await expect(second.stripe.checkout.sessions.retrieve(cut.id)).rejects.toMatchObject({ statusCode: 404 });

    // What it answers after the cut-off write is kept too: nothing is written after (or onto) the torn part.
    const later = await second.stripe.checkout.sessions.create(sessionParams(1400));
    await second.kill();
    const third = await start();
    expect(await third.stripe.checkout.sessions.retrieve(later.id)).toMatchObject({ id: later.id, status: 'open' });
    expect(await third.stripe.checkout.sessions.retrieve(paid.id)).toMatchObject({ status: 'complete' });
    expect((await actionOn(third, `/checkout/${later.id}/complete`)).status).toBe(200);
  });

  it('delivers after a restart an event whose delivery had not succeeded before the crash, and nothing delivered again', async () => {
    let endpointUp = false;
    const first = await start();
    const gift = await first.stripe.checkout.sessions.create(sessionParams(1500));
    expect((await actionOn(first, `/checkout/${gift.id}/complete`)).status).toBe(200);
    const failing = await first.stripe.checkout.sessions.create(sessionParams(1600));
    answer = (event) => ((event.data.object as { id?: string }).id === failing.id && !endpointUp ? 500 : 200);
    expect((await actionOn(first, `/checkout/${failing.id}/expire`)).status).toBe(200);
    expect(receivedAbout(failing.id).map((d) => [d.event.type, d.status])).toEqual([['checkout.session.expired', 500]]);
    await first.kill(); // before its retry (a second later) is due

    endpointUp = true;
    await start();
    const deadline = Date.now() + 15_000;
    while (!receivedAbout(failing.id).some((d) => d.status === 200) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const attempts = receivedAbout(failing.id);
    expect(attempts.map((d) => [d.event.type, d.status])).toEqual([
      ['checkout.session.expired', 500],
      ['checkout.session.expired', 200],
    ]);
    expect(new Set(attempts.map((d) => d.event.id)).size).toBe(1);
    // The gift's events were delivered before the crash: they are not sent again.
    expect(receivedAbout(gift.id).map((d) => [d.event.type, d.status])).toEqual([['checkout.session.completed', 200]]);
  });

  it('keeps every object and event that each action changed across a kill, and across the restart after it', async () => {
    const first = await start();
    const act = async (path: string, body: unknown = {}) => {
      const result = await actionOn(first, path, body);
      expect([path, result.status]).toEqual([path, 200]);
      return result.body;
    };
    // A one-time gift refunded in part, the refund failed, disputed and won.
    const oneTime = await first.stripe.checkout.sessions.create(sessionParams(2000), { idempotencyKey: 'crash-key' });
    const { paymentIntent } = (await act(`/checkout/${oneTime.id}/complete`, { email: 'once@example.org', name: 'Ona' })) as { paymentIntent: string };
    const { refund } = (await act(`/payments/${paymentIntent}/refund`, { amount: 500 })) as { refund: string };
    await act(`/refunds/${refund}/fail`);
    const { dispute } = (await act(`/payments/${paymentIntent}/dispute`)) as { dispute: string };
    await act(`/disputes/${dispute}/close`, { outcome: 'won' });
    // A monthly gift renewed, then cancelled in the Customer Portal; another cancelled from the dashboard.
    const monthly = await first.stripe.checkout.sessions.create(sessionParams(1500, 'subscription'));
    const { subscription } = (await act(`/checkout/${monthly.id}/complete`, { email: 'monthly@example.org' })) as { subscription: string };
    await act(`/subscriptions/${subscription}/renew`);
    const customer = String((await first.stripe.checkout.sessions.retrieve(monthly.id)).customer);
    const portal = await first.stripe.billingPortal.sessions.create({ customer, return_url: 'https://news.example.org/support' });
    await act(`/portal/${portal.id}/cancel`, { subscription });
    const other = await first.stripe.checkout.sessions.create(sessionParams(1700, 'subscription'));
    const { subscription: otherSubscription } = (await act(`/checkout/${other.id}/complete`, { email: 'other@example.org' })) as { subscription: string };
    await act(`/subscriptions/${otherSubscription}/cancel`);
    // A bank debit that settled, and a session that expired.
    const debit = await first.stripe.checkout.sessions.create(sessionParams(2200));
    await act(`/checkout/${debit.id}/complete`, { async: true });
    await act(`/checkout/${debit.id}/settle?outcome=succeeded`);
    const expired = await first.stripe.checkout.sessions.create(sessionParams(900));
    await act(`/checkout/${expired.id}/expire`);

    const sessions = [oneTime, monthly, other, debit, expired].map((s) => s.id);
    /** Everything the simulator shows of these objects: through the API, its events list and its portal page. */
    const view = async (simulator: SimulatorProcess) => {
      const { stripe: client } = simulator;
      const subscriptions = await Promise.all([subscription, otherSubscription].map((id) => client.subscriptions.retrieve(id)));
      return {
        sessions: await Promise.all(sessions.map((id) => client.checkout.sessions.retrieve(id))),
        subscriptions,
        invoices: await Promise.all(subscriptions.map((s) => client.invoices.retrieve(String(s.latest_invoice), { expand: ['payments'] }))),
        refunds: await client.refunds.list({ payment_intent: paymentIntent }),
        events: await eventsOf(simulator),
        portal: await (await fetch(`${simulator.localUrl}/_local/stripe/portal/${portal.id}`)).text(),
        replayed: await client.checkout.sessions.create(sessionParams(2000), { idempotencyKey: 'crash-key' }),
        // Refused as before: the dispute is closed, the subscription ended, the debit settled.
        refused: [
          (await actionOn(simulator, `/disputes/${dispute}/close`, { outcome: 'lost' })).status,
          (await actionOn(simulator, `/subscriptions/${otherSubscription}/cancel`)).status,
          (await actionOn(simulator, `/checkout/${debit.id}/settle`)).status,
        ],
      };
    };
    const answered = await view(first);
    expect(answered.refused).toEqual([409, 404, 409]);
    expect(answered.replayed).toMatchObject({ id: oneTime.id, status: 'open' });
    await first.kill();

    const second = await start();
    expect(await view(second)).toEqual(answered);
    await second.kill();
    const third = await start();
    expect(await view(third)).toEqual(answered);
  });
});
