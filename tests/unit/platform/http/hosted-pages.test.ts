import { describe, expect, it } from 'vitest';
import type { CheckoutAttempts, CheckoutParams, CheckoutSummary, Payments } from '../../../../functions/core/donations/ports.js';
import type { Brand } from '../../../../functions/core/shared/brand.js';
import { TransientError } from '../../../../functions/core/shared/errors.js';
import { makeHandler as fallbackHandler } from '../../../../functions/fallback/routes.js';
import { makeHandler as subscriptionsHandler } from '../../../../functions/subscriptions/routes.js';
import { campaignSettings, makeDonationsHandler } from '../../../support/donation-fakes.js';
import { makeSubscriptionDeps } from '../../../support/fakes.js';
import { httpEvent } from '../../../support/events.js';

const brand: Brand = { siteName: 'Example News', siteUrl: 'https://news.example.org/', color: '#13294b', accent: '#b22234' };
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const FORM = { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded' };

/** The opening tag of the input with this id. */
const inputTag = (html: string | undefined, id: string) => (html ?? '').match(new RegExp(`<input id="${id}"[^>]*>`))?.[0] ?? '';

class Attempts implements CheckoutAttempts {
  async attemptFor(fingerprint: string) {
    return fingerprint.slice(0, 8);
  }
  async renew(fingerprint: string) {
    return `${fingerprint.slice(0, 8)}-2`;
  }
}

class Payments_ implements Payments {
  readonly created: CheckoutParams[] = [];
  summary: CheckoutSummary | undefined | 'outage';
  async createCheckout(params: CheckoutParams, key: string) {
    this.created.push(params);
    return { id: `cs_${key}`, url: `https://checkout.stripe.com/c/pay/cs_${key}`, open: true };
  }
  async describeCheckout() {
    if (this.summary === 'outage') throw new TransientError('the payment service is unavailable');
    return this.summary;
  }
  async createPortalSession() {
    return 'https://billing.stripe.com/p/session/test';
  }
}

const donations = async () => {
  const { handler, payments, campaigns } = await makeDonationsHandler(new Payments_(), {
    attempts: new Attempts(),
    campaigns: [campaignSettings({ id: 'ukraine' }), campaignSettings({ id: 'ended', title: 'Winter appeal', open: false })],
    routes: { siteName: brand.siteName, brand, checkoutLimit: { name: 'checkout-client', limit: 100, windowSeconds: 60 } },
  });
  const ended = campaigns.items.get('ended');
  if (ended) Object.assign(ended, { raised: 250_050, donations: 12, donors: 9 });
  const get = (path: string, query: string) => handler(httpEvent({ method: 'GET', path, query, headers: BROWSER }));
  return { handler, payments, get };
};

describe('the no-JavaScript signup form, refused', () => {
  const setup = (limit = 30) => {
    const fakes = makeSubscriptionDeps();
    const limits = { signupClient: { name: 'signup-client', limit, windowSeconds: 60 }, linkClient: { name: 'link-client', limit: 60, windowSeconds: 60 } };
    return subscriptionsHandler(fakes.deps, { limits, brand, thankYouUrl: 'https://news.example.org/thanks' });
  };
  const post = (handler: ReturnType<typeof setup>, body: string) => handler(httpEvent({ method: 'POST', path: '/v1/subscriptions', headers: FORM, body }));

  it('comes back as the form with the problem at its field and what was typed', async () => {
    const result = await post(setup(), 'email=dana%40example&name=Dana&lists=news&source=https%3A%2F%2Fnews.example.org%2Fa');
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toMatch(/^text\/html/);
    const email = inputTag(result.body, 'email');
    expect(email).toContain('value="dana@example"');
    expect(email).toContain('aria-invalid="true"');
    expect(email).toContain('aria-describedby="email-error"');
    expect(result.body).toContain('<p id="email-error" class="field-error">Please enter a valid email address.</p>');
    expect(inputTag(result.body, 'name')).toContain('value="Dana"');
    expect(result.body).toContain('<input type="hidden" name="source" value="https://news.example.org/a">');
    // Its form posts here and may be sent on to the configured thank-you page: both are allowed form targets.
    expect(result.headers['content-security-policy']).toContain("form-action 'self' https://api.example.org https://news.example.org");
  });

  it('says how long to wait when the client sent too many, keeping the address', async () => {
    const handler = setup(1);
    await post(handler, 'email=dana%40example.org');
    const result = await post(handler, 'email=dana%40example.org');
    expect(result.statusCode).toBe(429);
    expect(result.headers['retry-after']).toMatch(/^\d+$/);
    expect(result.body).toMatch(/Please wait \d+ (seconds?|minutes?) before you try again/);
    expect(inputTag(result.body, 'email')).toContain('value="dana@example.org"');
  });

  it('still answers JSON clients with the contract error', async () => {
    const result = await setup()(httpEvent({ method: 'POST', path: '/v1/subscriptions', body: { email: 'nope' } }));
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ error: { code: 'invalid_email', field: 'email' } });
  });
});

describe('the donation chooser, served', () => {
  it('shows the chooser again with the error and the amount typed', async () => {
    const { get, payments } = await donations();
    const result = await get('/v1/donate', 'campaign=ukraine&currency=usd&custom_amount=0.5&frequency=monthly');
    expect(result.statusCode).toBe(400);
    const input = inputTag(result.body, 'custom_amount');
    expect(input).toContain('value="0.5"');
    expect(input).toContain('aria-invalid="true"');
    expect(result.body).toContain('<p class="field-error" id="custom_amount-error">Please choose an amount between $1.00 and $100,000.00.</p>');
    expect(result.body).toContain('<input type="radio" name="frequency" value="monthly" checked>');
    expect(payments.created).toHaveLength(0);
  });

  it('explains an amount that is not a number at the field', async () => {
    const { get } = await donations();
    const result = await get('/v1/donate', 'campaign=ukraine&currency=usd&custom_amount=lots');
    expect(result.statusCode).toBe(400);
    expect(inputTag(result.body, 'custom_amount')).toContain('value="lots"');
    expect(result.body).toContain('Please enter an amount such as 25 or 25.50.');
  });

  it('lets the chooser form go on to Stripe Checkout (the 303 counts against form-action)', async () => {
    const { get } = await donations();
    const result = await get('/v1/donate', 'campaign=ukraine');
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-security-policy']).toContain("form-action 'self' https://api.example.org https://checkout.stripe.com");
  });

  it('says a cancelled checkout was cancelled; Checkout is told to come back that way', async () => {
    const { get, payments } = await donations();
    await get('/v1/donate', 'campaign=ukraine&currency=usd&amount=2500');
    expect(payments.created[0]?.cancelUrl).toBe('https://api.example.org/v1/donate?campaign=ukraine&checkout=cancelled&lang=en');
    const result = await get('/v1/donate', 'campaign=ukraine&checkout=cancelled');
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('You cancelled your payment, and you have not been charged.');
  });

  it('feeds the ticked newsletter box to Checkout, and only a ticked one', async () => {
    const { get, payments } = await donations();
    expect((await get('/v1/donate', 'campaign=ukraine')).body).toContain('<input type="checkbox" name="subscribe" value="true">');
    await get('/v1/donate', 'campaign=ukraine&currency=usd&amount=2500&subscribe=true');
    await get('/v1/donate', 'campaign=ukraine&currency=usd&amount=5000');
    expect(payments.created.map((p) => p.subscribe)).toEqual([true, false]);
  });

  it('says a closed campaign has ended, with its final total, from any of its links', async () => {
    const { get, payments } = await donations();
    for (const query of ['campaign=ended', 'campaign=ended&currency=usd&amount=2500&frequency=once']) {
      const result = await get('/v1/donate', query);
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain('<h1>This appeal has ended</h1>');
      expect(result.body).toContain('<strong>$2,500.50</strong> raised of the $10,000 goal, from 9\u00a0donors and 12\u00a0gifts.');
      expect(result.body).not.toMatch(/<form|<button/);
    }
    expect(payments.created).toHaveLength(0);
  });
});

describe('the page Checkout returns to, served', () => {
  const summary = (complete: boolean): CheckoutSummary => ({ complete, paid: complete, amount: 2500, currency: 'usd', frequency: 'once', campaign: 'ukraine' });

  it('thanks for a paid gift', async () => {
    const { get, payments } = await donations();
    payments.summary = summary(true);
    expect((await get('/v1/donate/thanks', 'session_id=cs_test_1')).body).toContain('Your gift of $25.00 to Support Ukraine has been received.');
  });

  it.each([
    ['an unpaid session', summary(false), 'Your gift was not completed'],
    ['a session Stripe does not know', undefined, 'We could not find this payment'],
    ['a Stripe outage', 'outage' as const, 'We could not check your payment just now'],
  ])('claims no gift for %s', async (_, known, title) => {
    const { get, payments } = await donations();
    payments.summary = known;
    const result = await get('/v1/donate/thanks', 'session_id=cs_test_1');
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain(`<h1>${title}</h1>`);
    expect(result.body).not.toContain('has been received');
  });

  it('offers the chooser again after an unpaid one', async () => {
    const { get, payments } = await donations();
    payments.summary = summary(false);
    expect((await get('/v1/donate/thanks', 'session_id=cs_test_1')).body).toContain('href="https://api.example.org/v1/donate?campaign=ukraine&amp;lang=en">Choose an amount</a>');
  });
});

describe('the catch-all', () => {
  const handler = fallbackHandler({ siteName: brand.siteName, brand });

  it('serves the favicon, cacheable, to GET and HEAD (its headers and length, no body)', async () => {
    const result = await handler(httpEvent({ method: 'GET', path: '/favicon.ico', headers: BROWSER }));
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('image/x-icon');
    expect(result.headers['cache-control']).toBe('public, max-age=86400');
    expect(result.isBase64Encoded).toBe(true);
    const icon = Buffer.from(result.body ?? '', 'base64');
    expect(icon.subarray(0, 6)).toEqual(Buffer.from([0, 0, 1, 0, 1, 0]));
    const head = await handler(httpEvent({ method: 'HEAD', path: '/favicon.ico', headers: BROWSER }));
    expect(head.statusCode).toBe(200);
    expect(head.headers).toMatchObject({ 'content-type': 'image/x-icon', 'cache-control': 'public, max-age=86400', 'content-length': String(icon.length) });
    expect(head.body).toBe('');
  });

  it('serves the pages\' stylesheet in the brand colours, cacheable, which every page links from our origin', async () => {
    const result = await handler(httpEvent({ method: 'GET', path: '/v1/site.css', headers: BROWSER }));
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(result.headers['cache-control']).toBe('public, max-age=3600');
    expect(result.body).toContain('--brand:#13294b');
    const notFound = await handler(httpEvent({ method: 'GET', path: '/nowhere', headers: BROWSER }));
    expect(notFound.body).toContain('<link rel="stylesheet" href="/v1/site.css">');
    expect(notFound.headers['content-security-policy']).toContain("style-src 'self'");
  });

  it('answers a browser with a 404 page in the site style that links home', async () => {
    const result = await handler(httpEvent({ method: 'GET', path: '/nowhere', headers: BROWSER }));
    expect(result.statusCode).toBe(404);
    expect(result.body).toContain('<h1>Page not found</h1>');
    expect(result.body).toContain('<a href="https://news.example.org/">Back to Example News</a>');
    expect(result.headers['content-security-policy']).not.toContain('unsafe-inline');
  });
});
