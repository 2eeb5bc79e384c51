import { messagesOf } from '../../../functions/core/shared/i18n/catalogue.js';
import { describe, expect, it, vi } from 'vitest';
import type { CheckoutParams, Payments } from '../../../functions/core/donations/ports.js';
import { makeDonationsHandler } from '../../support/donation-fakes.js';
import { bodyOf, httpEvent } from '../../support/events.js';

/** Checkout Sessions keyed by idempotency key, as Stripe returns the same session for the same key. */
class FakePayments implements Payments {
  readonly sessions = new Map<string, CheckoutParams>();
  async createCheckout(params: CheckoutParams, idempotencyKey: string) {
    this.sessions.set(idempotencyKey, params);
    return { id: `cs_${idempotencyKey}`, url: `https://checkout.example.org/${idempotencyKey}`, open: true };
  }
  async describeCheckout() {
    return undefined;
  }
  async createPortalSession(customer: string) {
    return `https://billing.example.org/${customer}`;
  }
}

const setup = (checkoutLimit = 10) =>
  makeDonationsHandler(new FakePayments(), {
    currencies: ['usd', 'eur'],
    routes: { checkoutLimit: { name: 'checkout-client', limit: checkoutLimit, windowSeconds: 60 } },
  });

describe('donations handler', () => {
  it("reports a campaign's progress, cacheable for 30 seconds; 404 for an unknown one", async () => {
    const { handler } = await setup();
    const result = await handler(httpEvent({ method: 'GET', path: '/v1/campaigns/ukraine' }));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ id: 'ukraine', raised: 0 });
    expect(result.headers['cache-control']).toContain('max-age=30');
    expect((await handler(httpEvent({ method: 'GET', path: '/v1/campaigns/nope' }))).statusCode).toBe(404);
  });

  it('answers an id no campaign can have with the unknown campaign\'s 404, without looking it up', async () => {
    const { handler, campaigns } = await setup();
    const lookups = vi.spyOn(campaigns, 'get');
    const unknown = bodyOf(await handler(httpEvent({ method: 'GET', path: '/v1/campaigns/nope' })));
    expect(lookups).toHaveBeenCalledTimes(1);
    for (const id of ['a'.repeat(2039), 'a'.repeat(65), 'Ukraine', '-ukraine', encodeURIComponent('ukraine ')]) {
      const result = await handler(httpEvent({ method: 'GET', path: `/v1/campaigns/${id}` }));
      expect(result.statusCode, id).toBe(404);
      expect(bodyOf(result)).toEqual(unknown);
    }
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('starts a checkout (201 with its URL); the same gift again gets the same session', async () => {
    const { handler, payments } = await setup();
    const checkout = () => handler(httpEvent({ method: 'POST', path: '/v1/donations/checkout', body: { campaign: 'ukraine', amount: 2500, currency: 'usd' } }));
    const first = await checkout();
    expect(first.statusCode).toBe(201);
    expect(bodyOf(first).url).toMatch(/^https:\/\/checkout\.example\.org\//);
    expect(bodyOf(await checkout())).toEqual(bodyOf(first));
    expect(payments.sessions.size).toBe(1);
  });

  it('answers an amount out of bounds with 400 invalid_amount, and 429 past the client limit', async () => {
    const { handler } = await setup(2);
    const checkout = () => handler(httpEvent({ method: 'POST', path: '/v1/donations/checkout', body: { campaign: 'ukraine', amount: 1, currency: 'usd' } }));
    const bad = await checkout();
    expect(bad.statusCode).toBe(400);
    expect(bodyOf(bad)).toMatchObject({ error: { code: 'invalid_amount', field: 'amount' } });
    await checkout();
    expect((await checkout()).statusCode).toBe(429);
  });

  it('turns a broken donate link into a page that explains (400), never a bare error', async () => {
    const { handler } = await setup();
    const result = await handler(httpEvent({ method: 'GET', path: '/v1/donate', query: 'campaign=nope&amount=2500', headers: { accept: 'text/html' } }));
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toMatch(/^text\/html/);
  });

  it('sends a complete donate link straight to Checkout (303)', async () => {
    const { handler } = await setup();
    const result = await handler(httpEvent({ method: 'GET', path: '/v1/donate', query: 'campaign=ukraine&amount=2500&currency=usd', headers: { accept: 'text/html' } }));
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toMatch(/^https:\/\/checkout\.example\.org\//);
  });

  it('starts a checkout in the donor\'s language: Checkout, its return pages and the gift carry it', async () => {
    const { handler, payments } = await setup();
    const result = await handler(httpEvent({ method: 'POST', path: '/v1/donations/checkout', body: { campaign: 'ukraine', amount: 2500, currency: 'usd', lang: 'uk-UA' } }));
    expect(result.statusCode).toBe(201);
    const params = [...payments.sessions.values()][0];
    expect(params?.lang).toBe('uk');
    expect(params?.successUrl).toBe('https://api.example.org/v1/donate/thanks?session_id={CHECKOUT_SESSION_ID}&lang=uk');
    expect(params?.cancelUrl).toBe('https://api.example.org/v1/donate?campaign=ukraine&checkout=cancelled&lang=uk');
    // The same gift in another language is another session (its Stripe request differs).
    await handler(httpEvent({ method: 'POST', path: '/v1/donations/checkout', body: { campaign: 'ukraine', amount: 2500, currency: 'usd', lang: 'pl' } }));
    expect(payments.sessions.size).toBe(2);
  });

  it('takes the browser\'s language when the checkout names none, and refuses one it does not speak (400 invalid_field)', async () => {
    const { handler, payments } = await setup();
    const body = { campaign: 'ukraine', amount: 2500, currency: 'usd' };
    await handler(httpEvent({ method: 'POST', path: '/v1/donations/checkout', body, headers: { 'accept-language': 'es-MX,es;q=0.9' } }));
    expect([...payments.sessions.values()][0]?.lang).toBe('es');
    const refused = await handler(httpEvent({ method: 'POST', path: '/v1/donations/checkout', body: { ...body, lang: 'de' } }));
    expect(refused.statusCode).toBe(400);
    expect(bodyOf(refused)).toMatchObject({ error: { code: 'invalid_field', field: 'lang' } });
  });

  it('shows the chooser in the link\'s language, and reads an amount written its way', async () => {
    const { handler, payments } = await setup();
    const chooser = await handler(httpEvent({ method: 'GET', path: '/v1/donate', query: 'campaign=ukraine&lang=uk', headers: { accept: 'text/html' } }));
    expect(chooser.body).toContain('<html lang="uk">');
    expect(chooser.body).toContain('<input type="hidden" name="lang" value="uk">');
    const typed = await handler(httpEvent({ method: 'GET', path: '/v1/donate', query: 'campaign=ukraine&currency=usd&lang=uk&custom_amount=12%2C50', headers: { accept: 'text/html' } }));
    expect(typed.statusCode).toBe(303);
    expect([...payments.sessions.values()][0]).toMatchObject({ amount: 1250, lang: 'uk' });
    const refused = await handler(httpEvent({ method: 'GET', path: '/v1/donate', query: 'campaign=ukraine&custom_amount=0%2C10&lang=uk', headers: { accept: 'text/html' } }));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('<html lang="uk">');
    expect(refused.body).not.toContain('Please choose');
  });

  it("never breaks a donate link for its language: one it does not speak is the browser's; blank is none", async () => {
    const { handler, payments } = await setup();
    const chooser = await handler(httpEvent({ method: 'GET', path: '/v1/donate', query: 'campaign=ukraine&lang=de', headers: { accept: 'text/html', 'accept-language': 'pl' } }));
    expect(chooser.statusCode).toBe(200);
    expect(chooser.body).toContain('<html lang="pl">');
    const gift = await handler(httpEvent({ method: 'GET', path: '/v1/donate', query: 'campaign=ukraine&currency=usd&amount=2500&lang=', headers: { accept: 'text/html' } }));
    expect(gift.statusCode).toBe(303);
    expect([...payments.sessions.values()][0]?.lang).toBe('en');
    const blank = await handler(httpEvent({ method: 'POST', path: '/v1/donations/checkout', body: { campaign: 'ukraine', amount: 3000, currency: 'usd', lang: '' } }));
    expect(blank.statusCode).toBe(201);
  });

  it('says why a typed amount was refused in the reader\'s words: its range, or how to write one', async () => {
    const { handler } = await setup();
    const uk = messagesOf('uk').donations.problems;
    const page = (amount: string) =>
      handler(httpEvent({ method: 'GET', path: '/v1/donate', query: `campaign=ukraine&currency=usd&lang=uk&custom_amount=${encodeURIComponent(amount)}`, headers: { accept: 'text/html' } }));
    const outOfRange = await page('0,10');
    expect(outOfRange.body).toContain(uk.amount.split('{')[0] ?? '');
    const unreadable = await page('12,5,0');
    expect(unreadable.statusCode).toBe(400);
    expect(unreadable.body).toContain(uk.format.split('{')[0] ?? '');
    expect(unreadable.body).not.toContain(uk.amount.split('{')[0] ?? '');
  });
});
