import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripePaymentEvents } from '../../../../functions/adapters/stripe-payment-events.js';
import { describeGift } from '../../../../functions/core/donations/thanks.js';
import { recordPaymentEvent } from '../../../../functions/core/donations/gifts.js';
import { MANAGE_LINK_TTL_DAYS, manageLink, openDonorPortal } from '../../../../functions/core/donations/manage.js';
import type { CheckoutSummary, Payments } from '../../../../functions/core/donations/ports.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { MailIntent } from '../../../../functions/core/mail/model.js';
import { InvalidTokenError } from '../../../../functions/core/shared/errors.js';
import { makeManageToken, makeUnsubscribeToken, readManageToken } from '../../../../functions/core/shared/secrets.js';
import { makeGiftDeps, MemoryCampaigns, campaignSettings } from '../../../support/donation-fakes.js';
import { FakeClock, testKeys } from '../../../support/fakes.js';
import { stripeFixtures } from '../../../support/stripe-fixtures.js';
import { paid } from '../../../support/payment-events.js';

const DAY = 86_400_000;
const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';
/** The manage link a thank-you page would carry ('' when none). */
const manageUrlOf = (gift: object | undefined) => (gift && 'manageUrl' in gift && typeof gift.manageUrl === 'string' ? gift.manageUrl : '');

/** Opens portal sessions for the customers it knows, as Stripe does; remembers what it was asked. */
class FakePortal implements Payments {
  readonly opened: { customer: string; returnUrl: string }[] = [];
  summary: CheckoutSummary | undefined;
  async createCheckout(): Promise<never> {
    throw new Error('no checkout in these tests');
  }
  async createPortalSession(customer: string, returnUrl: string) {
    this.opened.push({ customer, returnUrl });
    return `https://billing.example.org/p/session/${customer}`;
  }
  async describeCheckout() {
    return this.summary;
  }
}

describe('manage tokens', () => {
  const now = new Date('2026-11-25T10:00:00Z');

  it('name the customer, sealed: the link shows no customer id', () => {
    const token = makeManageToken(testKeys.token, { customer: 'cus_Donor123', expiresAt: new Date(now.getTime() + DAY) });
    expect(token).not.toContain('cus_');
    expect(readManageToken(testKeys.token, token, now)).toEqual({ customer: 'cus_Donor123', expiresAt: new Date(now.getTime() + DAY) });
  });

  it('stop working once expired, saying which link to use instead', () => {
    const token = makeManageToken(testKeys.token, { customer: 'cus_1', expiresAt: new Date(now.getTime() + DAY) });
    expect(() => readManageToken(testKeys.token, token, new Date(now.getTime() + DAY))).toThrow(/most recent receipt/);
  });

  it('refuse a forged or truncated token, and a token made for another purpose', () => {
    const token = makeManageToken(testKeys.token, { customer: 'cus_1', expiresAt: new Date(now.getTime() + DAY) });
    // The second-to-last character changed (the last one of base64url may carry only padding bits).
    const flipped = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.slice(-1)}`;
    for (const bad of [flipped, token.slice(0, 30), '', makeUnsubscribeToken(testKeys.token, 'reader@example.org')]) {
      expect(() => readManageToken(testKeys.token, bad, now)).toThrow(InvalidTokenError);
    }
  });

  it(`are signed into links that work for ${MANAGE_LINK_TTL_DAYS} days`, () => {
    const clock = new FakeClock();
    const url = manageLink({ keys: testKeys, clock }, 'https://api.example.org', 'cus_1');
    expect(url).toMatch(/^https:\/\/api\.example\.org\/v1\/donations\/manage\?token=v1\./);
    const { expiresAt } = readManageToken(testKeys.token, tokenOf(url), clock.now());
    expect(expiresAt.getTime() - clock.now().getTime()).toBe(MANAGE_LINK_TTL_DAYS * DAY);
  });
});

describe('openDonorPortal', () => {
  const setup = (manageReturnUrl?: string) => {
    const clock = new FakeClock();
    const payments = new FakePortal();
    const deps = { clock, keys: testKeys, payments, settings: { apiBaseUrl: 'https://api.example.org', manageReturnUrl } };
    return { clock, payments, deps };
  };

  it("opens a portal session for the link's customer, returning to the donation page", async () => {
    const { deps, payments } = setup();
    const url = await openDonorPortal(deps, tokenOf(manageLink(deps, 'https://api.example.org', 'cus_42')));
    expect(url).toBe('https://billing.example.org/p/session/cus_42');
    expect(payments.opened).toEqual([{ customer: 'cus_42', returnUrl: 'https://api.example.org/v1/donate/thanks' }]);
  });

  it('returns the donor to the configured page when there is one', async () => {
    const { deps, payments } = setup('https://news.example.org/support');
    await openDonorPortal(deps, tokenOf(manageLink(deps, 'https://api.example.org', 'cus_42')));
    expect(payments.opened[0]?.returnUrl).toBe('https://news.example.org/support');
  });

  it('never calls Stripe for a forged or expired link', async () => {
    const { deps, payments, clock } = setup();
    const link = manageLink(deps, 'https://api.example.org', 'cus_42');
    await expect(openDonorPortal(deps, 'v1.forgedforgedforgedforgedforgedforgedforgedforged')).rejects.toThrow(InvalidTokenError);
    clock.advance(MANAGE_LINK_TTL_DAYS * 86_400);
    await expect(openDonorPortal(deps, tokenOf(link))).rejects.toThrow(InvalidTokenError);
    expect(payments.opened).toEqual([]);
  });
});

describe('the monthly thank-you page', () => {
  const setup = async (summary: CheckoutSummary) => {
    const clock = new FakeClock();
    const campaigns = new MemoryCampaigns();
    await campaigns.saveSettings(campaignSettings(), clock.now());
    const payments = new FakePortal();
    payments.summary = summary;
    return { clock, campaigns, payments, keys: testKeys, settings: { apiBaseUrl: 'https://api.example.org', currencies: ['usd'] } };
  };

  it("links a paid monthly gift to its donor's portal", async () => {
    const deps = await setup({ complete: true, paid: true, amount: 1000, currency: 'usd', frequency: 'monthly', campaign: 'ukraine', customer: 'cus_7' });
    const gift = await describeGift(deps, 'cs_test_1');
    expect(gift).toMatchObject({ amount: '$10.00', monthly: true, campaignTitle: 'Support Ukraine' });
    expect(readManageToken(testKeys.token, tokenOf(manageUrlOf(gift)), deps.clock.now()).customer).toBe('cus_7');
  });

  it('offers no manage link for a one-time gift, nor for a checkout not yet paid', async () => {
    const once = await setup({ complete: true, paid: true, amount: 1000, currency: 'usd', frequency: 'once', campaign: 'ukraine', customer: 'cus_7' });
    expect(manageUrlOf(await describeGift(once, 'cs_test_1'))).toBe('');
    const unpaid = await setup({ complete: false, paid: false, amount: 1000, currency: 'usd', frequency: 'monthly', campaign: 'ukraine' });
    expect(manageUrlOf(await describeGift(unpaid, 'cs_test_1'))).toBe('');
  });
});

describe('monthly receipts', () => {
  it("carry a signed link to the donor's portal, month after month", async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { frequency: 'monthly', subscription: 'sub_1', invoice: 'in_1', customer: 'cus_9' }));
    await recordPaymentEvent(t.deps, paid('pi_2', { frequency: 'monthly', subscription: 'sub_1', invoice: 'in_2', customer: 'cus_9', offersSignup: false }));
    const jobs = t.queue.take();
    expect(jobs.map((j) => j.kind === 'receipt' && j.gift.customer)).toEqual(['cus_9', 'cus_9']);
    for (const job of jobs) await processMailJob(t.mailDeps, job);
    expect(t.mailer.sent).toHaveLength(2);
    for (const email of t.mailer.sent) {
      const link = /https:\/\/api\.example\.org\/v1\/donations\/manage\?token=[\w.-]+/.exec(email.text)?.[0] ?? '';
      expect(readManageToken(testKeys.token, tokenOf(link), t.clock.now()).customer).toBe('cus_9');
      expect(email.html).toContain(`href="${link}"`);
    }
  });

  it('carry no manage link for a one-time gift', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { customer: 'cus_9' }));
    const jobs = t.queue.take();
    expect(jobs[0]?.kind === 'receipt' && jobs[0].gift.customer).toBeUndefined();
    for (const job of jobs) await processMailJob(t.mailDeps, job);
    expect(t.mailer.sent[0]?.text).not.toContain('/v1/donations/manage');
  });

  it('go out without the link when the payment named no customer', async () => {
    const t = await makeGiftDeps();
    const queued = {
      kind: 'receipt',
      id: 'old-1',
      gift: { reference: 'pi_old', email: 'donor@example.org', campaignTitle: 'Support Ukraine', amount: 1000, currency: 'usd', monthly: true, paidAt: '2026-11-01T10:00:00.000Z' },
    };
    const job = MailIntent.parse(JSON.parse(JSON.stringify(queued)));
    expect(await processMailJob(t.mailDeps, job)).toBe('sent');
    expect(t.mailer.sent[0]?.text).toContain('monthly gift');
    expect(t.mailer.sent[0]?.text).not.toContain('/v1/donations/manage');
  });
});

describe('the end of a monthly gift', () => {
  it('is recorded once, whatever comes after it, and changes no totals or receipts', async () => {
    const t = await makeGiftDeps();
    const at = new Date('2026-11-25T10:00:00Z');
    await recordPaymentEvent(t.deps, { kind: 'subscription', subscription: 'sub_1', status: 'active', campaign: 'ukraine', at });
    await recordPaymentEvent(t.deps, paid('pi_1', { frequency: 'monthly', subscription: 'sub_1', customer: 'cus_1' }));
    t.queue.take();
    const ended = { kind: 'subscription', subscription: 'sub_1', status: 'ended', campaign: 'ukraine', at } as const;
    for (let i = 0; i < 3; i++) expect((await recordPaymentEvent(t.deps, ended)).outcome).toBe('subscription ended');
    // A late or redelivered start (the checkout's event) never revives it.
    await recordPaymentEvent(t.deps, { kind: 'subscription', subscription: 'sub_1', status: 'active', campaign: 'ukraine', at });
    expect(t.monthly.items.get('sub_1')).toBe('ended');
    expect(await t.campaigns.get('ukraine')).toMatchObject({ raised: 2500, donations: 1, donors: 1 });
    expect(t.queue.jobs).toEqual([]);
  });
});

describe('customer.subscription.deleted, as Stripe sends it', () => {
  const secret = 'whsec_unit';
  const stripe = new Stripe('sk_test_unit');
  const fixture = stripeFixtures();

  it('ends the monthly gift at the time Stripe ended it, on every delivery', async () => {
    const endedAt = 1_764_064_000;
    const subscription = { ...fixture.subscription, id: 'sub_ended', status: 'canceled', canceled_at: endedAt, ended_at: endedAt, metadata: { campaign: 'ukraine', frequency: 'monthly', subscribe: 'false' } };
    const payload = JSON.stringify({ ...fixture.event, id: 'evt_deleted', type: 'customer.subscription.deleted', livemode: false, created: endedAt + 5, data: { object: subscription } });
    const events = new StripePaymentEvents(stripe, secret, false);
    for (let i = 0; i < 2; i++) {
      const signature = stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: Math.floor(Date.now() / 1000) });
      expect(await events.read(payload, signature)).toEqual({ kind: 'subscription', subscription: 'sub_ended', status: 'ended', campaign: 'ukraine', at: new Date(endedAt * 1000) });
    }
  });
});
