import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StripePaymentEvents } from '../../../functions/adapters/stripe-payment-events.js';
import type { PaymentEvent } from '../../../functions/core/donations/model.js';
import type { PaymentEvents } from '../../../functions/core/donations/ports.js';
import { InvalidSignatureError } from '../../../functions/core/shared/errors.js';
import { makeHandler } from '../../../functions/stripe-webhook/routes.js';
import { logger } from '../../../functions/platform/logger.js';
import { makeGiftDeps } from '../../support/donation-fakes.js';
import { dedupeKeyOf } from '../../../functions/core/mail/mail.js';
import { testKeys } from '../../support/fakes.js';
import { paid } from '../../support/payment-events.js';
import { stripeFixtures } from '../../support/stripe-fixtures.js';
import { bodyOf, httpEvent } from '../../support/events.js';

/** Stands in for signature checking: a delivery signed `good` carries the event in its body's `event` field. */
class FakePaymentEvents implements PaymentEvents {
  constructor(private readonly events: Map<string, PaymentEvent>) {}
  async read(rawBody: string, signature: string | undefined) {
    if (signature !== 'good') throw new InvalidSignatureError('The signature does not match.');
    const event = this.events.get((JSON.parse(rawBody) as { id: string }).id);
    if (!event) throw new Error('unknown test event');
    return event;
  }
}

const setup = async () => {
  const fakes = await makeGiftDeps();
  const events = new Map<string, PaymentEvent>([['evt_1', paid('pi_1')]]);
  const handler = makeHandler({ gifts: fakes.deps, events: new FakePaymentEvents(events) }, { siteName: 'Example News' });
  const deliver = (signature?: string) =>
    handler(httpEvent({ method: 'POST', path: '/v1/stripe/webhook', body: { id: 'evt_1' }, headers: signature ? { 'stripe-signature': signature } : {} }));
  return { ...fakes, deliver };
};

describe('stripe-webhook handler', () => {
  it('records a paid gift once (200), however often Stripe delivers it', async () => {
    const { deliver, campaigns } = await setup();
    for (let i = 0; i < 3; i++) {
      const result = await deliver('good');
      expect(result.statusCode).toBe(200);
      expect(bodyOf(result)).toEqual({ received: true });
    }
    expect(await campaigns.get('ukraine')).toMatchObject({ raised: 2500, donations: 1, donors: 1 });
  });

  it('logs a gift whose campaign is unknown as unassigned once (the alarm counts it), and receipts it, however often it comes', async () => {
    const fakes = await makeGiftDeps();
    const events = new Map<string, PaymentEvent>([['evt_1', paid('pi_1', { campaign: 'deleted-after-checkout' })]]);
    const handler = makeHandler({ gifts: fakes.deps, events: new FakePaymentEvents(events) }, { siteName: 'Example News' });
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const delivery = () => handler(httpEvent({ method: 'POST', path: '/v1/stripe/webhook', body: { id: 'evt_1' }, headers: { 'stripe-signature': 'good' } }));
    const results = await Promise.all([delivery(), delivery(), delivery()]);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const lines = warn.mock.calls.filter(([message]) => message === 'gift unassigned');
    expect(lines).toEqual([['gift unassigned', expect.objectContaining({ gift: 'pi_1', reason: 'unknown campaign', amount: 2500, currency: 'usd', unassignedGifts: 1 })]]);
    expect(JSON.stringify(lines)).not.toContain('donor@example.org');
    expect(await fakes.campaigns.unassigned()).toEqual({ usd: { raised: 2500, donations: 1 } });
    // Concurrent copies may each queue it: the mail worker sends one receipt per gift (its dedupe key).
    const receipts = new Set(fakes.queue.jobs.flatMap((job) => (job.kind === 'receipt' ? [dedupeKeyOf(testKeys, job)] : [])));
    expect(receipts).toEqual(new Set(['receipt:pi_1']));
  });

  it('answers a missing or forged signature with 400 and records nothing', async () => {
    const { deliver, campaigns } = await setup();
    for (const signature of [undefined, 'forged']) {
      const result = await deliver(signature);
      expect(result.statusCode).toBe(400);
      expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(await campaigns.get('ukraine')).toMatchObject({ raised: 0, donations: 0 });
  });
});

describe('a signed Stripe event whose object is malformed', () => {
  const secret = 'whsec_unit';
  // Nothing here reaches Stripe's API: a malformed event is refused before any call (the address is unroutable).
  const stripe = new Stripe('sk_test_unit', { host: '127.0.0.1', port: 9, protocol: 'http', maxNetworkRetries: 0 });
  const fixtures = stripeFixtures();
  const metadata = { campaign: 'ukraine', frequency: 'once', subscribe: 'false' };
  /** Stripe's example object of each resource, as a gift of ours would have it: each names payment pi_1. */
  const objects: Record<string, Record<string, unknown>> = {
    session: {
      ...fixtures['checkout.session'],
      id: 'cs_1',
      payment_intent: 'pi_1',
      payment_status: 'paid',
      status: 'complete',
      amount_total: 2500,
      currency: 'usd',
      metadata,
      customer_details: { ...(fixtures['checkout.session']?.customer_details as object), email: 'donor@example.org', name: 'Dee Donor' },
    },
    invoice: { ...fixtures.invoice, id: 'in_1', amount_paid: 2500, customer_email: 'donor@example.org' },
    charge: { ...fixtures.charge, id: 'ch_1', payment_intent: 'pi_1', amount: 2500, amount_refunded: 1000 },
    refund: { ...fixtures.refund, id: 're_1', payment_intent: 'pi_1', amount: 1000 },
    dispute: { ...fixtures.dispute, id: 'dp_1', payment_intent: 'pi_1', amount: 2500 },
    subscription: { ...fixtures.subscription, id: 'sub_1', metadata },
  };
  /** Every event type the ledger reads, the object it carries, and where that object holds an amount. */
  const handled: [type: string, object: keyof typeof objects, amount: string | undefined][] = [
    ['checkout.session.completed', 'session', 'amount_total'],
    ['checkout.session.async_payment_succeeded', 'session', 'amount_total'],
    ['checkout.session.async_payment_failed', 'session', 'amount_total'],
    ['invoice.paid', 'invoice', 'amount_paid'],
    ['charge.refunded', 'charge', 'amount_refunded'],
    ['charge.refunded', 'charge', 'amount'],
    ['charge.refund.updated', 'refund', 'amount'],
    ['refund.created', 'refund', 'amount'],
    ['refund.updated', 'refund', 'amount'],
    ['refund.failed', 'refund', 'amount'],
    ['charge.dispute.created', 'dispute', 'amount'],
    ['charge.dispute.funds_withdrawn', 'dispute', 'amount'],
    ['charge.dispute.funds_reinstated', 'dispute', 'amount'],
    ['charge.dispute.closed', 'dispute', 'amount'],
    ['customer.subscription.deleted', 'subscription', undefined],
  ];
  const malformations: [name: string, change: (object: Record<string, unknown>, amount: string | undefined) => unknown][] = [
    ['a string amount', (object, amount) => amount && { ...object, [amount]: '2500' }],
    ['a negative amount', (object, amount) => amount && { ...object, [amount]: -2500 }],
    ['a fractional amount', (object, amount) => amount && { ...object, [amount]: 25.5 }],
    ['a null object', () => null],
  ];
  const cases = handled.flatMap(([type, object, amount]) =>
    malformations.flatMap(([name, change]) => {
      const changed = change(objects[object] ?? {}, amount);
      return changed === undefined ? [] : [{ type, name: amount && name !== 'a null object' ? `${name} (${amount})` : name, object: changed }];
    }),
  );

  const setup = async () => {
    const fakes = await makeGiftDeps();
    const handler = makeHandler({ gifts: fakes.deps, events: new StripePaymentEvents(stripe, secret, false) }, { siteName: 'Example News' });
    const deliver = (id: string, type: string, object: unknown) => {
      const payload = JSON.stringify({ id, object: 'event', type, livemode: false, created: 1_764_064_800, data: { object } });
      const signature = stripe.webhooks.generateTestHeaderString({ payload, secret });
      return handler(httpEvent({ method: 'POST', path: '/v1/stripe/webhook', body: payload, headers: { 'stripe-signature': signature } }));
    };
    return { ...fakes, deliver };
  };

  afterEach(() => vi.restoreAllMocks());

  it.each(cases)('acknowledges $type with $name, logs and counts it as ignored, and records nothing', async ({ type, object }) => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const { deliver, gifts, monthly, queue, campaigns } = await setup();

    const result = await deliver('evt_bad', type, object);

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ received: true });
    expect(warn).toHaveBeenCalledWith('ignored stripe event', expect.objectContaining({ reason: 'malformed object', eventId: 'evt_bad', type, ignoredEvents: 1 }));
    expect(JSON.stringify(warn.mock.calls)).not.toContain('donor@example.org');
    expect(error).not.toHaveBeenCalled();
    expect([gifts.items.size, monthly.items.size, queue.jobs.length]).toEqual([0, 0, 0]);
    expect(await campaigns.get('ukraine')).toMatchObject({ raised: 0, donations: 0, donors: 0 });
  });

  it('says which fields were malformed, by name only', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { deliver } = await setup();
    await deliver('evt_bad', 'checkout.session.completed', { ...objects.session, amount_total: -1, customer_details: { email: 7 } });
    expect(warn).toHaveBeenCalledWith('ignored stripe event', expect.objectContaining({ problems: ['amount_total: At least 0.', 'customer_details.email: Expected text.'] }));
  });

  it('records the same events when they are well formed (so the refusals above are the malformations\' doing)', async () => {
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { deliver, gifts, monthly, campaigns } = await setup();
    for (const [i, [type, object]] of handled.filter(([type]) => type !== 'invoice.paid').entries()) {
      expect((await deliver(`evt_${i}`, type, objects[object])).statusCode).toBe(200);
    }
    expect(warn).not.toHaveBeenCalled();
    expect(gifts.items.get('pi_1')).toMatchObject({ status: 'paid', amount: 2500, refunded: 1000, disputes: { dp_1: 'won' } });
    expect(monthly.items.get('sub_1')).toBe('ended');
    expect(await campaigns.get('ukraine')).toMatchObject({ raised: 1500, donations: 1, donors: 1 });
  });
});
