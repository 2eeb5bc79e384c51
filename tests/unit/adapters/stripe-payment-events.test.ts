import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isLiveKey } from '../../../functions/adapters/stripe-client.js';
import { StripePaymentEvents } from '../../../functions/adapters/stripe-payment-events.js';
import { TransientError } from '../../../functions/core/shared/errors.js';
import { logger } from '../../../functions/platform/logger.js';
import { stripeFixtures } from '../../support/stripe-fixtures.js';

const secret = 'whsec_unit';
const stripe = new Stripe('sk_test_unit');

/** A signed delivery of a `charge.refunded` event in the given mode, as Stripe sends it. */
const refundDelivery = (livemode: boolean) => {
  const payload = JSON.stringify({
    id: `evt_${livemode ? 'live' : 'test'}`,
    object: 'event',
    type: 'charge.refunded',
    livemode,
    created: 1_764_064_800,
    data: { object: { id: 'ch_1', object: 'charge', payment_intent: 'pi_1', amount: 2500, amount_refunded: 1000, livemode } },
  });
  return { payload, signature: stripe.webhooks.generateTestHeaderString({ payload, secret }) };
};

afterEach(() => vi.restoreAllMocks());

describe('the Stripe mode comes from the key', () => {
  it.each([
    ['sk_live_abc', true],
    ['rk_live_abc', true],
    ['sk_test_abc', false],
    ['rk_test_abc', false],
  ])('%s is live: %s', (key, live) => {
    expect(isLiveKey(key)).toBe(live);
  });

  it('records live events for a stage deployed with a live key, with no mode setting at all', async () => {
    const events = StripePaymentEvents.forKey(stripe, secret, 'sk_live_deployed');
    const { payload, signature } = refundDelivery(true);
    expect(await events.read(payload, signature)).toMatchObject({ kind: 'refund', key: 'pi_1' });
  });

  it('logs and counts an ignored event by reason, never dropping it silently', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const events = StripePaymentEvents.forKey(stripe, secret, 'sk_live_deployed');
    const test = refundDelivery(false);
    expect(await events.read(test.payload, test.signature)).toEqual({ kind: 'ignored', reason: 'other mode' });
    expect(warn).toHaveBeenCalledWith('ignored stripe event', expect.objectContaining({ reason: 'other mode', eventId: 'evt_test', ignoredEvents: 1 }));

    const payload = JSON.stringify({ id: 'evt_p', object: 'event', type: 'product.created', livemode: true, created: 1_764_064_800, data: { object: { id: 'prod_1' } } });
    await events.read(payload, stripe.webhooks.generateTestHeaderString({ payload, secret }));
    expect(info).toHaveBeenCalledWith('ignored stripe event', expect.objectContaining({ reason: 'type product.created', type: 'product.created' }));
  });
});

describe('a signed event that is not shaped as Stripe\'s events are', () => {
  it.each([
    ['a created time that is not a number', { created: 'yesterday' }, 'created'],
    ['no data', { data: undefined }, 'data'],
    ['no mode', { livemode: undefined }, 'livemode'],
  ])('is acknowledged with %s, and logged and counted by its id and type', async (_name, change, field) => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const events = new StripePaymentEvents(stripe, secret, false);
    const { payload: refund } = refundDelivery(false);
    const payload = JSON.stringify({ ...JSON.parse(refund), ...change });
    expect(await events.read(payload, stripe.webhooks.generateTestHeaderString({ payload, secret }))).toEqual({ kind: 'ignored', reason: 'malformed object' });
    expect(warn).toHaveBeenCalledWith(
      'ignored stripe event',
      expect.objectContaining({ reason: 'malformed object', eventId: 'evt_test', type: 'charge.refunded', ignoredEvents: 1, problems: [expect.stringMatching(new RegExp(`^${field}: `))] }),
    );
  });
});

describe('dispute events', () => {
  const events = new StripePaymentEvents(stripe, secret, false);
  const read = (type: string, status: string) => {
    const payload = JSON.stringify({
      id: `evt_${type}`,
      object: 'event',
      type,
      livemode: false,
      created: 1_764_064_800,
      data: { object: { id: 'dp_1', object: 'dispute', charge: 'ch_1', payment_intent: 'pi_1', amount: 2500, currency: 'usd', status } },
    });
    return events.read(payload, stripe.webhooks.generateTestHeaderString({ payload, secret }));
  };

  it.each([
    ['charge.dispute.created', 'warning_needs_response', 'open'],
    ['charge.dispute.funds_withdrawn', 'needs_response', 'open'],
    ['charge.dispute.funds_reinstated', 'won', 'won'],
    ['charge.dispute.closed', 'won', 'won'],
    ['charge.dispute.closed', 'warning_closed', 'won'],
    ['charge.dispute.closed', 'lost', 'lost'],
  ])('reads %s (%s) as a dispute %s', async (type, status, state) => {
    expect(await read(type, status)).toMatchObject({ kind: 'dispute', key: 'pi_1', dispute: 'dp_1', state });
  });
});

describe('refund events', () => {
  const events = new StripePaymentEvents(stripe, secret, false);
  const read = (type: string, object: Record<string, unknown>) => {
    const payload = JSON.stringify({ id: `evt_${type}`, object: 'event', type, livemode: false, created: 1_764_064_800, data: { object } });
    return events.read(payload, stripe.webhooks.generateTestHeaderString({ payload, secret }));
  };
  const refundObject = (status: string) => ({ id: 're_1', object: 'refund', amount: 1000, charge: 'ch_1', payment_intent: 'pi_1', currency: 'usd', status });

  it.each([
    ['charge.refund.updated', 'failed', true],
    ['charge.refund.updated', 'canceled', true],
    ['refund.failed', 'failed', true],
    ['refund.created', 'pending', false],
    ['refund.updated', 'succeeded', false],
  ])('reads %s (%s) as one refund by its id, failed: %s', async (type, status, failed) => {
    expect(await read(type, refundObject(status))).toEqual({ kind: 'refund', key: 'pi_1', refunds: [{ id: 're_1', amount: 1000, failed }], at: expect.any(Date) });
  });

  it('reads a charge.refunded without its refund list as a cumulative floor, and with one as refunds by id', async () => {
    const charge = { id: 'ch_1', object: 'charge', payment_intent: 'pi_1', amount: 2500, amount_refunded: 1500 };
    expect(await read('charge.refunded', charge)).toMatchObject({ kind: 'refund', key: 'pi_1', refunded: 1500, refunds: [] });
    const listed = { ...charge, refunds: { object: 'list', has_more: false, data: [refundObject('succeeded'), { ...refundObject('failed'), id: 're_2', amount: 500 }] } };
    expect(await read('charge.refunded', listed)).toMatchObject({
      refunded: 1500,
      refunds: [
        { id: 're_1', amount: 1000, failed: false },
        { id: 're_2', amount: 500, failed: true },
      ],
    });
  });
});

describe('invoice.paid', () => {
  /** A stand-in for Stripe's API answering every request with `status` and `body`. */
  const stripeAnswering = async (status: number, body: unknown) => {
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_1' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new Stripe('sk_test_unit', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
    return { client, close: () => new Promise((resolve) => server.close(resolve)) };
  };
  const invoicePaid = (client: Stripe) => {
    const payload = JSON.stringify({ id: 'evt_inv', object: 'event', type: 'invoice.paid', livemode: false, created: 1_764_064_800, data: { object: { id: 'in_1', object: 'invoice' } } });
    return new StripePaymentEvents(client, secret, false).read(payload, stripe.webhooks.generateTestHeaderString({ payload, secret }));
  };

  it.each([
    [404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such invoice: in_1' } }],
    [403, { error: { type: 'invalid_request_error', message: 'The provided key does not have access' } }],
  ])('acknowledges an invoice Stripe answers %s for, and logs and counts it', async (status, body) => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const api = await stripeAnswering(status, body);
    try {
      expect(await invoicePaid(api.client)).toEqual({ kind: 'ignored', reason: 'invoice not retrievable' });
    } finally {
      await api.close();
    }
    expect(warn).toHaveBeenCalledWith('ignored stripe event', expect.objectContaining({ reason: 'invoice not retrievable', type: 'invoice.paid', eventId: 'evt_inv', ignoredEvents: 1 }));
  });

  /** Stripe's example invoice as the API answers it for a month of a monthly gift, its payments expanded. */
  const monthInvoice = (change: Record<string, unknown> = {}) => {
    const invoice = stripeFixtures().invoice ?? {};
    const parent = { type: 'subscription_details', quote_details: null, subscription_details: { subscription: 'sub_1', metadata: { campaign: 'ukraine', frequency: 'monthly', subscribe: 'false' } } };
    const payment = { ...stripeFixtures().invoice_payment, status: 'paid', payment: { type: 'payment_intent', payment_intent: 'pi_m1' } };
    return { ...invoice, id: 'in_1', amount_paid: 1000, billing_reason: 'subscription_cycle', parent, payments: { object: 'list', data: [payment], has_more: false }, ...change };
  };

  it('reads the invoice Stripe answers as one month of the gift', async () => {
    const api = await stripeAnswering(200, monthInvoice());
    try {
      expect(await invoicePaid(api.client)).toMatchObject({ kind: 'payment', key: 'pi_m1', status: 'paid', amount: 1000, currency: 'usd', subscription: 'sub_1', campaign: 'ukraine' });
    } finally {
      await api.close();
    }
  });

  it.each([
    ['a string amount', { amount_paid: '1000' }, 'amount_paid'],
    ['a negative amount', { amount_paid: -1000 }, 'amount_paid'],
    ['a fractional amount', { amount_paid: 10.5 }, 'amount_paid'],
    ['an upper-case currency', { currency: 'USD' }, 'currency'],
    ['payments that are not a list', { payments: { data: null } }, 'payments.data'],
  ])('acknowledges an invoice Stripe answers with %s, and logs and counts it', async (_name, change, field) => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const api = await stripeAnswering(200, monthInvoice(change));
    try {
      expect(await invoicePaid(api.client)).toEqual({ kind: 'ignored', reason: 'malformed object' });
    } finally {
      await api.close();
    }
    expect(warn).toHaveBeenCalledWith(
      'ignored stripe event',
      expect.objectContaining({ reason: 'malformed object', type: 'invoice.paid', eventId: 'evt_inv', ignoredEvents: 1, problems: [expect.stringMatching(new RegExp(`^${field}: `))] }),
    );
  });

  it('still fails (so Stripe retries) while Stripe is down', async () => {
    const api = await stripeAnswering(500, { error: { type: 'api_error', message: 'oops' } });
    try {
      await expect(invoicePaid(api.client)).rejects.toThrow(TransientError);
    } finally {
      await api.close();
    }
  });
});
