import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripePaymentEvents } from '../../../functions/adapters/stripe-payment-events.js';
import { stripeFixtures } from '../../support/stripe-fixtures.js';

const secret = 'whsec_unit';
const stripe = new Stripe('sk_test_unit');

/** A stand-in for Stripe's API answering customer look-ups from `customers` (404 for any other), counting them. */
const stripeWithCustomers = async (customers: Record<string, unknown>) => {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    const id = /^\/v1\/customers\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '';
    asked.push(id);
    const found = customers[id];
    res.writeHead(found ? 200 : 404, { 'content-type': 'application/json', 'request-id': 'req_1' });
    res.end(JSON.stringify(found ?? { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${id}'` } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new Stripe('sk_test_unit', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  return { client, asked, close: () => new Promise((resolve) => server.close(resolve)) };
};

const deliver = (client: Stripe, type: string, object: unknown) => {
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type, livemode: false, created: 1_764_064_800, data: { object } });
  return new StripePaymentEvents(client, secret, false).read(payload, stripe.webhooks.generateTestHeaderString({ payload, secret }));
};

/** Stripe's example invoice as `invoice.payment_failed` carries it for a monthly gift's renewal. */
const failedRenewal = (change: Record<string, unknown> = {}) => ({
  ...stripeFixtures().invoice,
  id: 'in_f1',
  amount_due: 1500,
  amount_paid: 0,
  customer: 'cus_1',
  customer_email: 'Donor@Example.org',
  billing_reason: 'subscription_cycle',
  status: 'open',
  next_payment_attempt: 1_764_324_000,
  parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: 'sub_1', metadata: { campaign: 'ukraine', frequency: 'monthly', subscribe: 'false', lang: 'pl' } } },
  ...change,
});

describe('invoice.payment_failed', () => {
  it('reads a failed renewal as it is sent, with what the donor\'s email needs', async () => {
    expect(await deliver(stripe, 'invoice.payment_failed', failedRenewal())).toEqual({
      kind: 'payment-failed',
      invoice: 'in_f1',
      subscription: 'sub_1',
      campaign: 'ukraine',
      customer: 'cus_1',
      email: 'donor@example.org',
      amount: 1500,
      currency: 'usd',
      lang: 'pl',
      willRetry: true,
      at: new Date(1_764_064_800_000),
    });
  });

  it('knows Stripe\'s last attempt (no next attempt)', async () => {
    expect(await deliver(stripe, 'invoice.payment_failed', failedRenewal({ next_payment_attempt: null }))).toMatchObject({ willRetry: false });
  });

  it('ignores the failure of a first payment (on Checkout, in front of the donor) and of an invoice without a subscription', async () => {
    expect(await deliver(stripe, 'invoice.payment_failed', failedRenewal({ billing_reason: 'subscription_create' }))).toEqual({ kind: 'ignored', reason: 'failed invoice not a renewal' });
    expect(await deliver(stripe, 'invoice.payment_failed', failedRenewal({ parent: null }))).toEqual({ kind: 'ignored', reason: 'failed invoice not a renewal' });
  });

  it('acknowledges an invoice of another shape as malformed', async () => {
    expect(await deliver(stripe, 'invoice.payment_failed', failedRenewal({ amount_due: -1 }))).toEqual({ kind: 'ignored', reason: 'malformed object' });
  });
});

describe('customer.subscription.deleted', () => {
  const subscription = (reason: string | null) => ({
    ...stripeFixtures().subscription,
    id: 'sub_1',
    customer: 'cus_1',
    metadata: { campaign: 'ukraine', frequency: 'monthly', subscribe: 'false', lang: 'es' },
    cancellation_details: { comment: null, feedback: null, reason },
  });

  it('reads an end for non-payment with the donor\'s address, fetched from their customer', async () => {
    const api = await stripeWithCustomers({ cus_1: { ...stripeFixtures().customer, id: 'cus_1', email: 'donor@example.org' } });
    try {
      expect(await deliver(api.client, 'customer.subscription.deleted', subscription('payment_failed'))).toEqual({
        kind: 'subscription',
        subscription: 'sub_1',
        status: 'ended',
        campaign: 'ukraine',
        at: new Date(1_234_567_890_000),
        endedFor: 'payment_failed',
        email: 'donor@example.org',
        lang: 'es',
      });
    } finally {
      await api.close();
    }
  });

  it('asks Stripe nothing when the donor cancelled, and reads no address for a customer that is gone', async () => {
    const api = await stripeWithCustomers({ cus_1: { id: 'cus_1', object: 'customer', deleted: true } });
    try {
      expect(await deliver(api.client, 'customer.subscription.deleted', subscription('cancellation_requested'))).not.toHaveProperty('endedFor');
      expect(api.asked).toEqual([]);
      expect(await deliver(api.client, 'customer.subscription.deleted', subscription('payment_failed'))).toMatchObject({ endedFor: 'payment_failed', email: undefined });
      expect(api.asked).toEqual(['cus_1']);
    } finally {
      await api.close();
    }
  });
});
