import { describe, expect, it } from 'vitest';
import type { CheckoutParams, Payments } from '../../../functions/core/donations/ports.js';
import { upsellFor } from '../../../functions/core/donations/model.js';
import type { DonationSettings } from '../../../functions/core/donations/checkout.js';
import { FeeRates } from '../../../functions/core/donations/fees.js';
import { parse } from '../../../functions/core/shared/schema.js';
import { campaignSettings, makeDonationsHandler } from '../../support/donation-fakes.js';
import { bodyOf, httpEvent } from '../../support/events.js';

/** Checkout Sessions keyed by idempotency key, as Stripe returns the same session for the same key. */
class FakePayments implements Payments {
  readonly sessions = new Map<string, CheckoutParams>();
  async createCheckout(params: CheckoutParams, idempotencyKey: string): Promise<{ id: string; url: string | null; open: boolean; clientSecret?: string }> {
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

  it("names the fee a donor may cover in the campaign's currency, and none where covering is not offered", async () => {
    const { handler } = await makeDonationsHandler(new FakePayments(), {
      currencies: ['usd', 'jpy', 'cad'],
      campaigns: [campaignSettings({ id: 'dollars' }), campaignSettings({ id: 'yen', currency: 'jpy' }), campaignSettings({ id: 'maple', currency: 'cad' })],
      settings: { feeRates: parse(FeeRates, 'usd:0.029+30,jpy:0.036+0') },
    });
    const answer = async (id: string) => bodyOf(await handler(httpEvent({ method: 'GET', path: `/v1/campaigns/${id}` })));
    expect((await answer('dollars')).fee).toEqual({ rate: 0.029, fixed: 30 });
    expect((await answer('yen')).fee).toEqual({ rate: 0.036, fixed: 0 });
    expect(await answer('maple')).not.toHaveProperty('fee');
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

describe('the chooser without JavaScript: the fee, a dedication and anonymity', () => {
  const FEES = { feeRates: parse(FeeRates, 'usd:0.029+30') };
  const chooser = (settings: Partial<DonationSettings> = FEES, upsell: typeof UPSELL = []) =>
    makeDonationsHandler(new FakePayments(), { campaigns: [campaignSettings({ upsell })], settings });

  it('offers the unticked fee box before the amounts, naming the exact extra on each, and the dedication and anonymous fields', async () => {
    const { handler } = await chooser();
    const body = (await handler(donate('campaign=ukraine'))).body ?? '';
    expect(body).toContain('<input type="checkbox" name="cover_fee" value="true" aria-describedby="cover_fee-hint"> <span>Add the payment fee so all of my gift reaches Support Ukraine</span>');
    // 1030 / 0.971 → 1061, 2530 / 0.971 → 2606, 5030 / 0.971 → 5181.
    expect(body).toContain('For example: $10 + $0.61, $25 + $1.06, $50 + $1.81.');
    expect(body.indexOf('name="cover_fee"')).toBeLessThan(body.indexOf('name="amount"'));
    expect(body).toMatch(/<input type="radio" name="tribute_type" value="" checked> No dedication/);
    expect(body).toMatch(/name="tribute_type" value="honour"> In honour of someone/);
    expect(body).toMatch(/name="tribute_type" value="memory"> In memory of someone/);
    expect(body).toContain('<label for="tribute_name">Their name</label>');
    expect(body).toMatch(/<input type="checkbox" name="anonymous" value="true"> <span>Give anonymously/);
    expect(body).not.toMatch(/name="(cover_fee|anonymous)" value="true"[^>]* checked/);
  });

  it('shows no fee box where the currency has no fee, and speaks the reader\'s language', async () => {
    const { handler } = await chooser({});
    expect((await handler(donate('campaign=ukraine'))).body).not.toContain('cover_fee');
    const uk = (await (await chooser()).handler(donate('campaign=ukraine&lang=uk'))).body;
    expect(uk).toContain('Додати платіжну комісію, щоб увесь мій внесок дійшов до Support Ukraine');
    expect(uk).toContain('Пам’яті людини');
  });

  it('charges the fee, carries the dedication (trimmed) and the anonymous choice to Checkout', async () => {
    const { handler, payments } = await chooser();
    const result = await handler(donate('campaign=ukraine&currency=usd&frequency=once&amount=2500&cover_fee=true&tribute_type=memory&tribute_name=%20Olena%20Kovalenko%20&anonymous=true'));
    expect(result.statusCode).toBe(303);
    expect([...payments.sessions.values()][0]).toMatchObject({ amount: 2606, feeCovered: 106, tribute: { type: 'memory', name: 'Olena Kovalenko' }, anonymous: true });
    // Nothing ticked, no dedication: the gift alone.
    await handler(donate('campaign=ukraine&currency=usd&frequency=once&amount=1000&tribute_type=&tribute_name='));
    const plain = [...payments.sessions.values()][1];
    expect(plain?.amount).toBe(1000);
    expect(plain).not.toHaveProperty('feeCovered');
    expect(plain).not.toHaveProperty('tribute');
    expect(plain?.anonymous).toBeFalsy();
  });

  it('carries them through the monthly ask to both answers', async () => {
    const { handler, payments } = await chooser(FEES, UPSELL);
    const offer = await handler(donate('campaign=ukraine&currency=usd&frequency=once&amount=3000&cover_fee=true&tribute_type=honour&tribute_name=Mom&anonymous=true&lang=en'));
    const carried = { cover_fee: 'true', tribute_type: 'honour', tribute_name: 'Mom', anonymous: 'true' };
    const [accept, keep] = formsOf(offer.body ?? '');
    expect(accept?.fields).toMatchObject(carried);
    expect(keep?.fields).toMatchObject(carried);
    const query = (fields: Record<string, string | undefined>, amount: string) => new URLSearchParams({ ...(fields as Record<string, string>), amount }).toString();
    expect((await handler(donate(query(accept?.fields ?? {}, '800')))).statusCode).toBe(303);
    // 830 / 0.971 → 855: each month is charged $8.55.
    expect([...payments.sessions.values()][0]).toMatchObject({ frequency: 'monthly', amount: 855, feeCovered: 55, tribute: { type: 'honour', name: 'Mom' }, anonymous: true });
  });

  it('shows the chooser again with the problem at the name when a dedication has no name, or a name no kind, keeping what was chosen', async () => {
    const { handler, payments } = await chooser();
    for (const asked of ['tribute_type=honour&tribute_name=%20%20', 'tribute_type=&tribute_name=Mom']) {
      const result = await handler(donate(`campaign=ukraine&currency=usd&frequency=once&amount=2500&cover_fee=true&anonymous=true&${asked}`));
      expect(result.statusCode, asked).toBe(400);
      const body = result.body ?? '';
      expect(body).toContain('<a href="#tribute_name">Please give the name of the person this gift is for, or choose no dedication.</a>');
      expect(body).toMatch(/<input id="tribute_name" name="tribute_name"[^>]*aria-describedby="tribute_name-error" aria-invalid="true" autofocus>/);
      expect(body).toMatch(/name="cover_fee" value="true"[^>]* checked/);
      expect(body).toMatch(/name="anonymous" value="true" checked/);
      expect(body).not.toMatch(/id="custom_amount"[^>]*aria-invalid/);
    }
    expect(payments.sessions.size).toBe(0);
    // A name of more than 100 characters is refused the same way.
    const long = await handler(donate(`campaign=ukraine&currency=usd&amount=2500&tribute_type=memory&tribute_name=${'a'.repeat(101)}`));
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('href="#tribute_name"');
  });
});

/** Payments that answer an embedded session with its client secret, as Stripe does. */
class EmbeddingPayments extends FakePayments {
  override async createCheckout(params: CheckoutParams, idempotencyKey: string) {
    const session = await super.createCheckout(params, idempotencyKey);
    return params.embedded ? { ...session, url: null, clientSecret: `${session.id}_secret_abc` } : session;
  }
}

const checkoutWith = async (settings: Partial<DonationSettings> = {}) => {
  const made = await makeDonationsHandler(new EmbeddingPayments(), {
    currencies: ['usd', 'jpy', 'cad'],
    campaigns: [campaignSettings(), campaignSettings({ id: 'tokyo', currency: 'jpy', minAmount: 100, maxAmount: 1_000_000 }), campaignSettings({ id: 'maple', currency: 'cad' })],
    settings: { feeRates: parse(FeeRates, 'usd:0.029+30,jpy:0.036+0'), ...settings },
  });
  const post = (body: Record<string, unknown>) =>
    made.handler(httpEvent({ method: 'POST', path: '/v1/donations/checkout', body: { campaign: 'ukraine', amount: 2500, currency: 'usd', ...body } }));
  return { ...made, post, sessions: () => [...made.payments.sessions.values()] };
};

const EMBEDDED = { publishableKey: 'pk_test_abc', stripeJsUrl: 'https://js.stripe.com/endive/stripe.js', returnOrigins: ['https://news.example.org'] };

describe('POST /v1/donations/checkout: covering the fee', () => {
  it('charges the gift grossed up by the fee, says the total, and carries the fee apart', async () => {
    const { post, sessions } = await checkoutWith();
    const result = await post({ coverFee: true });
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toMatchObject({ total: 2606 });
    expect(sessions()[0]).toMatchObject({ amount: 2606, feeCovered: 106, mode: 'payment' });
  });

  it('grosses up a monthly gift too (each month is charged the total), and a zero-decimal currency in whole units', async () => {
    const { post, sessions } = await checkoutWith();
    expect(bodyOf(await post({ coverFee: true, frequency: 'monthly' }))).toMatchObject({ total: 2606 });
    expect(bodyOf(await post({ campaign: 'tokyo', currency: 'jpy', amount: 3000, coverFee: true }))).toMatchObject({ total: 3113 });
    expect(sessions().map((p) => [p.mode, p.amount, p.feeCovered])).toEqual([
      ['subscription', 2606, 106],
      ['payment', 3113, 113],
    ]);
  });

  it('charges the gift alone without the box ticked, and says no total', async () => {
    const { post, sessions } = await checkoutWith();
    const body = bodyOf(await post({ coverFee: false }));
    expect(body).not.toHaveProperty('total');
    expect(sessions()[0]?.amount).toBe(2500);
    expect(sessions()[0]).not.toHaveProperty('feeCovered');
  });

  it('refuses to cover the fee in a currency without a rate (400 invalid_field coverFee)', async () => {
    const { post, sessions } = await checkoutWith();
    const result = await post({ campaign: 'maple', currency: 'cad', coverFee: true });
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_field', field: 'coverFee', message: 'Covering the fee is not offered for gifts in CAD.' } });
    expect(sessions()).toEqual([]);
  });

  it('makes the same gift with and without the fee two sessions, and the same one twice one', async () => {
    const { post, sessions } = await checkoutWith();
    const first = bodyOf(await post({ coverFee: true }));
    expect(bodyOf(await post({ coverFee: true }))).toEqual(first);
    await post({});
    expect(sessions()).toHaveLength(2);
  });
});

describe('POST /v1/donations/checkout: tributes and anonymous gifts', () => {
  it('carries a tribute (its name trimmed) and the anonymous choice to the session', async () => {
    const { post, sessions } = await checkoutWith();
    expect((await post({ tribute: { type: 'memory', name: '  Olena Kovalenko ' }, anonymous: true })).statusCode).toBe(201);
    expect(sessions()[0]).toMatchObject({ tribute: { type: 'memory', name: 'Olena Kovalenko' }, anonymous: true });
  });

  it.each([
    [{ type: 'honor', name: 'Maria' }, 'tribute.type', 'A tribute is "honour" or "memory".'],
    [{ type: 'honour', name: 'x'.repeat(101) }, 'tribute.name', 'A tribute name has at most 100 characters.'],
    [{ type: 'honour', name: 'Maria\nBcc: x@example.org' }, 'tribute.name', 'A tribute name must be one line: no line breaks or other control characters.'],
    [{ type: 'honour', name: '   ' }, 'tribute.name', 'A tribute names someone.'],
  ])('refuses the tribute %j (400 invalid_field %s)', async (tribute, field, message) => {
    const { post, sessions } = await checkoutWith();
    const result = await post({ tribute });
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_field', field, message } });
    expect(sessions()).toEqual([]);
  });

  it('takes a name of exactly 100 characters', async () => {
    const { post } = await checkoutWith();
    expect((await post({ tribute: { type: 'honour', name: 'я'.repeat(100) } })).statusCode).toBe(201);
  });
});

describe('POST /v1/donations/checkout: embedded Checkout', () => {
  it('refuses mode "embedded" where the site does not offer it (400 invalid_field mode)', async () => {
    const { post, sessions } = await checkoutWith();
    const result = await post({ mode: 'embedded', returnUrl: 'https://news.example.org/a' });
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_field', field: 'mode' } });
    expect(sessions()).toEqual([]);
  });

  it('answers the session id, its client secret and what the page needs to load Stripe.js, with no URL', async () => {
    const { post, sessions } = await checkoutWith({ embedded: EMBEDDED });
    const result = await post({ mode: 'embedded', returnUrl: 'https://news.example.org/2026/story?x=1#appeal', coverFee: true });
    expect(result.statusCode).toBe(201);
    const body = bodyOf(result);
    expect(body).toEqual({ id: expect.any(String), clientSecret: `${body.id}_secret_abc`, publishableKey: 'pk_test_abc', stripeJsUrl: 'https://js.stripe.com/endive/stripe.js', total: 2606 });
    // Back to the page the donor gave on, without its fragment, with the session for the page to find.
    expect(sessions()[0]?.embedded).toEqual({ returnUrl: 'https://news.example.org/2026/story?x=1&appeal_checkout={CHECKOUT_SESSION_ID}' });
  });

  it('returns to the built-in thank-you page when the request names no page', async () => {
    const { post, sessions } = await checkoutWith({ embedded: EMBEDDED });
    await post({ mode: 'embedded', lang: 'pl' });
    expect(sessions()[0]?.embedded?.returnUrl).toBe('https://api.example.org/v1/donate/thanks?session_id={CHECKOUT_SESSION_ID}&lang=pl');
  });

  it.each([
    'https://evil.example.org/phish',
    'https://news.example.org.evil.example/',
    'https://user:pass@news.example.org/',
    'javascript:alert(1)',
    '//news.example.org/a',
    'http://news.example.org/a',
  ])('never returns a donor to %s (400 invalid_field returnUrl): no open redirect', async (returnUrl) => {
    const { post, sessions } = await checkoutWith({ embedded: EMBEDDED });
    const result = await post({ mode: 'embedded', returnUrl });
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_field', field: 'returnUrl' } });
    expect(sessions()).toEqual([]);
  });

  it('keeps redirect the default, even where embedded is offered', async () => {
    const { post } = await checkoutWith({ embedded: EMBEDDED });
    expect(bodyOf(await post({}))).toMatchObject({ url: expect.stringMatching(/^https:\/\/checkout\.example\.org\//) });
  });
});
