import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripePaymentEvents } from '../../../functions/adapters/stripe-payment-events.js';
import { stripeFixtures } from '../../support/stripe-fixtures.js';

const secret = 'whsec_unit';
const stripe = new Stripe('sk_test_unit');
const events = StripePaymentEvents.forKey(stripe, secret, 'sk_test_unit');

/** A signed `checkout.session.completed` of Stripe's own fixture session, paid, with our metadata and the donor's details. */
const completed = (customerDetails: Record<string, unknown> | null, metadata: Record<string, string> = { campaign: 'britain', gift_aid: 'hmrc-model-2026-12' }) => {
  const session = {
    ...stripeFixtures()['checkout.session'],
    mode: 'payment',
    payment_status: 'paid',
    payment_intent: 'pi_1',
    amount_total: 2500,
    currency: 'gbp',
    metadata,
    customer_details: customerDetails,
  };
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'checkout.session.completed', livemode: false, created: 1_764_064_800, data: { object: session } });
  return events.read(payload, stripe.webhooks.generateTestHeaderString({ payload, secret }));
};

const details = (address: Record<string, string | null> | null, name: string | null = 'Ada Lovelace') => ({ email: 'ada@example.org', name, address, phone: null, tax_exempt: 'none', tax_ids: [] });
const HOME = { line1: ' 12 High Street ', line2: '', city: 'Bristol', postal_code: 'BS1 4DJ', country: 'GB', state: null };

describe('the Gift Aid declaration a completed checkout carries', () => {
  it("is the metadata's version with the name and home address Checkout collected, at the event's time", async () => {
    expect(await completed(details(HOME))).toMatchObject({
      kind: 'payment',
      giftAid: {
        version: 'hmrc-model-2026-12',
        declaredAt: new Date(1_764_064_800 * 1000).toISOString(),
        name: 'Ada Lovelace',
        address: { line1: '12 High Street', city: 'Bristol', postalCode: 'BS1 4DJ', country: 'GB' },
      },
    });
  });

  it.each([
    ['no address', details(null)],
    ["Stripe's empty address (all null)", details({ line1: null, line2: null, city: null, postal_code: null, country: null, state: null })],
    ['no name', details(HOME, null)],
    ['a country that is not one', details({ ...HOME, country: 'Britain' })],
    ['no customer details', null],
  ])('is none with %s, and the gift is still recorded', async (_, customerDetails) => {
    const event = await completed(customerDetails);
    expect(event).toMatchObject({ kind: 'payment', key: 'pi_1', status: 'paid' });
    expect(event).not.toHaveProperty('giftAid.version');
  });

  it('is none when the donor did not tick the box, whatever Checkout collected', async () => {
    expect(await completed(details(HOME), { campaign: 'britain' })).not.toHaveProperty('giftAid');
  });
});
