import { describe, expect, it } from 'vitest';
import type { PaymentEvent } from '../../../functions/core/donations/model.js';
import type { PaymentEvents } from '../../../functions/core/donations/ports.js';
import { InvalidSignatureError } from '../../../functions/core/shared/errors.js';
import { makeHandler } from '../../../functions/stripe-webhook/routes.js';
import { makeGiftDeps } from '../../support/donation-fakes.js';
import { paid } from '../../support/payment-events.js';
import { bodyOf, httpEvent } from './events.js';

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
