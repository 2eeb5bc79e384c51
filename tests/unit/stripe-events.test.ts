import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isLiveKey, StripePaymentEvents } from '../../functions/adapters/stripe-payments.js';
import { logger } from '../../functions/platform/logger.js';

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
