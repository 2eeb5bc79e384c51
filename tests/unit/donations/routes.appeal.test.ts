import { describe, expect, it } from 'vitest';
import type { CheckoutParams, Payments } from '../../../functions/core/donations/ports.js';
import { upsellFor } from '../../../functions/core/donations/model.js';
import { campaignSettings, makeDonationsHandler } from '../../support/donation-fakes.js';
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

const UPSELL = [
  { amount: 1000, monthly: 500 },
  { amount: 2500, monthly: 800 },
  { amount: 5000, monthly: 1500 },
];

const setup = (overrides: Parameters<typeof campaignSettings>[0] = {}) =>
  makeDonationsHandler(new FakePayments(), { campaigns: [campaignSettings({ upsell: UPSELL, ...overrides })] });

const donate = (query: string) => httpEvent({ method: 'GET', path: '/v1/donate', query, headers: { accept: 'text/html' } });

/** The forms of a page: each one's hidden fields and its submit button's name, value and label. */
const formsOf = (body: string) =>
  [...body.matchAll(/<form method="get"[^>]*>([\s\S]*?)<\/form>/g)].map(([, form = '']) => ({
    fields: Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]])),
    button: /<button type="submit" name="([^"]+)" value="([^"]*)">([^<]*)<\/button>/.exec(form)?.slice(1),
  }));

describe('the monthly ask (upsellFor)', () => {
  it.each([
    [999, undefined],
    [1000, 500],
    [2499, 500],
    [2500, 800],
    [4999, 800],
    [5000, 1500],
    [1_000_000, 1500],
  ])('offers, for %i once, the step of the highest amount at or below it: %s', (amount, monthly) => {
    expect(upsellFor({ upsell: UPSELL }, amount)).toBe(monthly);
  });

  it('offers nothing when the campaign has no monthly ask', () => {
    expect(upsellFor({}, 5000)).toBeUndefined();
    expect(upsellFor({ upsell: [] }, 5000)).toBeUndefined();
  });
});

describe('GET /v1/campaigns/{id}: the appeal settings', () => {
  it('shows the settings a campaign has, and the defaults of one that never set them', async () => {
    const { handler } = await makeDonationsHandler(new FakePayments(), {
      campaigns: [campaignSettings({ id: 'plain' }), campaignSettings({ id: 'monthly', defaultFrequency: 'monthly', upsell: UPSELL, thankDays: 30, snoozeDays: 3 })],
    });
    const plain = bodyOf(await handler(httpEvent({ method: 'GET', path: '/v1/campaigns/plain' })));
    expect(plain).toMatchObject({ defaultFrequency: 'once', upsell: [], thankDays: 90, snoozeDays: 14, feesCovered: 0 });
    const monthly = bodyOf(await handler(httpEvent({ method: 'GET', path: '/v1/campaigns/monthly' })));
    expect(monthly).toMatchObject({ defaultFrequency: 'monthly', upsell: UPSELL, thankDays: 30, snoozeDays: 3 });
  });
});

describe('the chooser without JavaScript', () => {
  it("starts on the campaign's default frequency, and keeps the donor's own choice when one was made", async () => {
    const monthlyFirst = await setup({ defaultFrequency: 'monthly' });
    const fresh = (await monthlyFirst.handler(donate('campaign=ukraine'))).body;
    expect(fresh).toMatch(/value="monthly" checked/);
    expect(fresh).not.toMatch(/value="once" checked/);
    const chosen = (await monthlyFirst.handler(donate('campaign=ukraine&frequency=once&custom_amount=abc'))).body;
    expect(chosen).toMatch(/value="once" checked/);
    const onceFirst = await setup();
    expect((await onceFirst.handler(donate('campaign=ukraine'))).body).toMatch(/value="once" checked/);
  });

  it('offers the monthly amount after a one-time amount: one button to accept, one to keep the gift, and no Checkout yet', async () => {
    const { handler, payments } = await setup();
    const result = await handler(donate('campaign=ukraine&currency=usd&frequency=once&amount=3000&subscribe=true&lang=en'));
    expect(result.statusCode).toBe(200);
    expect(payments.sessions.size).toBe(0);
    expect(result.body).toContain('Would you make it monthly?');
    expect(result.body).toContain('You chose to give $30 once. A monthly gift of $8 lets Support Ukraine plan ahead');
    const [accept, keep, ...others] = formsOf(result.body ?? '');
    expect(others).toEqual([]);
    expect(accept).toEqual({
      fields: { campaign: 'ukraine', currency: 'usd', lang: 'en', subscribe: 'true', frequency: 'monthly', component: 'upsell' },
      button: ['amount', '800', 'Give $8 a month'],
    });
    expect(keep).toEqual({
      fields: { campaign: 'ukraine', currency: 'usd', lang: 'en', subscribe: 'true', frequency: 'once', upsell: 'declined' },
      button: ['amount', '3000', 'Keep my one-time gift of $30'],
    });
  });

  it('offers it for an amount typed in the chooser, read as the donor wrote it', async () => {
    const { handler } = await setup();
    const result = await handler(donate('campaign=ukraine&currency=usd&frequency=once&custom_amount=25.50'));
    const [accept, keep] = formsOf(result.body ?? '');
    expect(accept?.button?.[1]).toBe('800');
    expect(keep?.button?.[1]).toBe('2550');
  });

  it('goes straight to Checkout for each answer: the monthly gift accepted, or the one-time gift kept', async () => {
    const { handler, payments } = await setup();
    const accepted = await handler(donate('campaign=ukraine&currency=usd&frequency=monthly&component=upsell&amount=800'));
    expect(accepted.statusCode).toBe(303);
    const kept = await handler(donate('campaign=ukraine&currency=usd&frequency=once&upsell=declined&amount=3000'));
    expect(kept.statusCode).toBe(303);
    expect([...payments.sessions.values()].map((p) => [p.frequency, p.amount])).toEqual([
      ['monthly', 800],
      ['once', 3000],
    ]);
  });

  it('never asks a donor who chose monthly, nor below the smallest step, nor on a campaign without an ask', async () => {
    const withAsk = await setup();
    expect((await withAsk.handler(donate('campaign=ukraine&currency=usd&frequency=monthly&amount=3000'))).statusCode).toBe(303);
    expect((await withAsk.handler(donate('campaign=ukraine&currency=usd&frequency=once&amount=500'))).statusCode).toBe(303);
    const without = await makeDonationsHandler(new FakePayments());
    expect((await without.handler(donate('campaign=ukraine&currency=usd&frequency=once&amount=3000'))).statusCode).toBe(303);
  });

  it('answers an amount the campaign refuses with its error, not an offer', async () => {
    const { handler, payments } = await setup();
    const result = await handler(donate('campaign=ukraine&currency=usd&frequency=once&amount=50'));
    expect(result.statusCode).toBe(400);
    expect(result.body).not.toContain('Would you make it monthly?');
    expect(payments.sessions.size).toBe(0);
  });

  it('asks in the reader\'s language', async () => {
    const { handler } = await setup();
    const result = await handler(donate('campaign=ukraine&currency=usd&frequency=once&amount=3000&lang=uk'));
    expect(result.body).toContain('Зробите внесок щомісячним?');
    expect(result.body).toContain('Залишити разовий внесок');
  });
});
