import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripePayments } from '../../../functions/adapters/stripe-payments.js';
import type { CheckoutSummary, Payments } from '../../../functions/core/donations/ports.js';
import { makeDonationsHandler } from '../../support/donation-fakes.js';
import { httpEvent } from '../../support/events.js';

/** A Checkout Session as Stripe answers it: `complete` with `payment_status` `unpaid` is a bank debit still processing. */
const stripeSession = (paymentStatus: 'paid' | 'unpaid') =>
  ({
    id: 'cs_test_1',
    status: 'complete',
    payment_status: paymentStatus,
    amount_total: 2500,
    currency: 'usd',
    mode: 'payment',
    metadata: { campaign: 'ukraine', frequency: 'once', subscribe: 'false' },
    customer: null,
  }) as unknown as Stripe.Checkout.Session;

const stripeWith = (session: Stripe.Checkout.Session) =>
  ({ checkout: { sessions: { retrieve: async () => session } } }) as unknown as Stripe;

class FakePayments implements Payments {
  summary: CheckoutSummary | undefined;
  async createCheckout(): Promise<never> {
    throw new Error('no checkout in these tests');
  }
  async describeCheckout() {
    return this.summary;
  }
  async createPortalSession(): Promise<never> {
    throw new Error('no portal in these tests');
  }
}

const setup = async () => {
  const { handler, payments } = await makeDonationsHandler(new FakePayments());
  const thanks = async () =>
    (await handler(httpEvent({ method: 'GET', path: '/v1/donate/thanks', query: 'session_id=cs_test_1', headers: { accept: 'text/html' } })))
      .body ?? '';
  return { payments, thanks };
};

describe('the Stripe adapter', () => {
  it('says whether a complete session is paid', async () => {
    expect(await new StripePayments(stripeWith(stripeSession('paid'))).describeCheckout('cs_test_1')).toMatchObject({ complete: true, paid: true });
    expect(await new StripePayments(stripeWith(stripeSession('unpaid'))).describeCheckout('cs_test_1')).toMatchObject({ complete: true, paid: false });
  });
});

describe('GET /v1/donate/thanks for a delayed bank debit', () => {
  it('says the payment is processing, and claims no gift received, while the session is complete but unpaid', async () => {
    const { payments, thanks } = await setup();
    payments.summary = await new StripePayments(stripeWith(stripeSession('unpaid'))).describeCheckout('cs_test_1');
    const body = await thanks();
    expect(body).toContain('<h1>Your payment is processing</h1>');
    expect(body).toContain('We will email your receipt when your bank confirms the payment.');
    expect(body).not.toContain('has been received');
  });

  it('thanks for the gift once it is paid', async () => {
    const { payments, thanks } = await setup();
    payments.summary = await new StripePayments(stripeWith(stripeSession('paid'))).describeCheckout('cs_test_1');
    const body = await thanks();
    expect(body).toContain('has been received');
    expect(body).not.toContain('processing');
  });
});
