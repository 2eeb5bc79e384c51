import { describe, expect, it } from 'vitest';
import { manageLink } from '../../../functions/core/donations/manage.js';
import type { CheckoutSummary, Payments } from '../../../functions/core/donations/ports.js';
import { NotFoundError } from '../../../functions/core/shared/errors.js';
import { makeDonationsHandler } from '../../support/donation-fakes.js';
import { httpEvent } from '../../support/events.js';

/** Stripe as far as manage links need it: portal sessions for the customers it has, and one checkout's summary. */
class FakePayments implements Payments {
  readonly customers = new Set(['cus_known']);
  readonly opened: { customer: string; returnUrl: string }[] = [];
  summary: CheckoutSummary | undefined;
  async createCheckout(): Promise<never> {
    throw new Error('no checkout in these tests');
  }
  async describeCheckout() {
    return this.summary;
  }
  async createPortalSession(customer: string, returnUrl: string) {
    if (!this.customers.has(customer)) throw new NotFoundError('We could not find a monthly gift for this link.');
    this.opened.push({ customer, returnUrl });
    return `https://billing.example.org/p/session/test_${customer}`;
  }
}

const setup = async (manageLimit = 60) => {
  const { handler, payments, clock, deps } = await makeDonationsHandler(new FakePayments(), {
    routes: { manageLimit: { name: 'manage-client', limit: manageLimit, windowSeconds: 60 } },
  });
  const visit = (query: string, accept = 'text/html') => handler(httpEvent({ method: 'GET', path: '/v1/donations/manage', query, headers: { accept } }));
  const linkFor = (customer: string) => new URL(manageLink(deps, 'https://api.example.org', customer)).search.slice(1);
  return { handler, payments, clock, visit, linkFor };
};

describe('GET /v1/donations/manage', () => {
  it("sends the donor to a Customer Portal session of the link's customer (303), back to the donation page after", async () => {
    const { visit, linkFor, payments } = await setup();
    const result = await visit(linkFor('cus_known'));
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toBe('https://billing.example.org/p/session/test_cus_known');
    expect(result.headers['cache-control']).toBe('no-store');
    expect(result.headers['referrer-policy']).toBe('no-referrer'); // the token never reaches Stripe's pages
    expect(payments.opened).toEqual([{ customer: 'cus_known', returnUrl: 'https://api.example.org/v1/donate/thanks' }]);
  });

  it.each([
    ['a forged token', 'token=v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a truncated token', 'token=v1.abc'],
    ['no token', ''],
  ])('answers %s with a 400 page, whatever the client asked for', async (_, query) => {
    const { visit, payments } = await setup();
    for (const accept of ['text/html', 'application/json']) {
      const result = await visit(query, accept);
      expect(result.statusCode).toBe(400);
      expect(result.headers['content-type']).toContain('text/html');
      expect(result.body).toContain('not valid');
    }
    expect(payments.opened).toEqual([]);
  });

  it('says that a link with its token twice has more than one, and opens no portal', async () => {
    const { visit, linkFor, payments } = await setup();
    const query = linkFor('cus_known');
    const result = await visit(`${query}&${query}`);
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toContain('text/html');
    expect(result.body).toContain('more than one token');
    expect(result.body).not.toContain('it has no token');
    expect(payments.opened).toEqual([]);
  });

  it('answers an expired link with a 400 page pointing to the latest receipt', async () => {
    const { visit, linkFor, clock } = await setup();
    const query = linkFor('cus_known');
    clock.advance(401 * 86_400);
    const result = await visit(query);
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('most recent receipt');
  });

  it('answers a customer Stripe no longer has with a 404 page', async () => {
    const { visit, linkFor } = await setup();
    const result = await visit(linkFor('cus_deleted'));
    expect(result.statusCode).toBe(404);
    expect(result.headers['content-type']).toContain('text/html');
  });

  it('limits each client, counting every visit, with Retry-After', async () => {
    const { visit, linkFor } = await setup(2);
    expect((await visit('token=nope')).statusCode).toBe(400);
    expect((await visit(linkFor('cus_known'))).statusCode).toBe(303);
    const limited = await visit(linkFor('cus_known'));
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-type']).toContain('text/html');
  });
});

describe('GET /v1/donate/thanks', () => {
  it('carries the manage link for a paid monthly gift, and none for a one-time gift', async () => {
    const { handler, payments } = await setup();
    const thanks = async () => (await handler(httpEvent({ method: 'GET', path: '/v1/donate/thanks', query: 'session_id=cs_test_1', headers: { accept: 'text/html' } }))).body ?? '';
    payments.summary = { complete: true, paid: true, amount: 1000, currency: 'usd', frequency: 'monthly', campaign: 'ukraine', customer: 'cus_known' };
    expect(await thanks()).toMatch(/<a href="https:\/\/api\.example\.org\/v1\/donations\/manage\?token=v1\.[\w-]+&amp;lang=en">/);
    payments.summary = { ...payments.summary, frequency: 'once' };
    expect(await thanks()).not.toContain('/v1/donations/manage');
    payments.summary = { ...payments.summary, frequency: 'monthly', complete: false, paid: false };
    expect(await thanks()).not.toContain('/v1/donations/manage');
  });
});
