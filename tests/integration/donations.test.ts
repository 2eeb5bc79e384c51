import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { formatAmount } from '../../functions/core/shared/i18n/format.js';
import { documentClient } from '../../functions/platform/clients.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

let server: TestServer;
let webhookSecret: string;

beforeAll(async () => {
  server = await startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000', SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000' });
  webhookSecret = (JSON.parse(readFileSync(join(server.dataDir, 'state.json'), 'utf8')) as { webhookSecret: string }).webhookSecret;
});
afterAll(() => server.stop());

let campaignCount = 0;
/** A fresh campaign per test, made the way the admin CLI makes one (in the dev server's DynamoDB Local). */
const newCampaign = async (overrides: Parameters<typeof campaignSettings>[0] = {}) => {
  const id = `test-${++campaignCount}`;
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(campaignSettings({ id, ...overrides }), new Date());
  return id;
};

interface Progress {
  raised: number;
  donations: number;
  donors: number;
}
const progress = async (id: string) => (await (await fetch(`${server.url}/v1/campaigns/${id}`)).json()) as Progress & Record<string, unknown>;

const checkout = async (body: Record<string, unknown>) => {
  const response = await postJson(`${server.url}/v1/donations/checkout`, { currency: 'usd', frequency: 'once', ...body });
  return { status: response.status, body: (await response.json()) as { id: string; url: string; error?: { code: string; field?: string } } };
};

const local = async (path: string, body?: unknown) => {
  const response = await postJson(`${server.url}/_local/stripe${path}`, body ?? {});
  return { status: response.status, body: (await response.json()) as Record<string, string> };
};

const events = async () => (await (await fetch(`${server.url}/_local/stripe/events`)).json()) as { id: string; type: string }[];

describe('GET /v1/campaigns/{id}', () => {
  it('gives the progress bar its figures, cacheable for a short time', async () => {
    const id = await newCampaign({ goal: 500000 });
    const response = await fetch(`${server.url}/v1/campaigns/${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/public, max-age=\d+/);
    expect(await response.json()).toMatchObject({ id, title: 'Support Ukraine', currency: 'usd', goal: 500000, raised: 0, donations: 0, donors: 0, updatedAt: expect.any(String) });
  });

  it('answers 404 for an unknown campaign', async () => {
    const response = await fetch(`${server.url}/v1/campaigns/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  // DynamoDB refuses a key over 2,048 bytes with a ValidationException: an id no campaign can have is a 404
  // before it reaches the table, not a 500 that anyone could use to raise the alarms.
  it.each([65, 2039, 2040, 4000])('answers 404 for an id of %i characters, which no campaign can have', async (length) => {
    const response = await fetch(`${server.url}/v1/campaigns/${'a'.repeat(length)}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers 404 for an id no campaign can have, whatever its characters', async () => {
    for (const id of ['Ukraine', '-ukraine', 'uk%20raine', encodeURIComponent('ü'.repeat(1100))]) {
      const response = await fetch(`${server.url}/v1/campaigns/${id}`);
      expect(response.status, id).toBe(404);
    }
  });
});

describe('POST /v1/donations/checkout', () => {
  it.each([
    [{ campaign: 'does-not-exist', amount: 2500 }, 'invalid_campaign'],
    [{ amount: 2500, currency: 'eur' }, 'invalid_currency'],
    [{ amount: 99 }, 'invalid_amount'],
    [{ amount: 10_000_001 }, 'invalid_amount'],
    [{ amount: 25.5 }, 'invalid_amount'],
    [{ amount: 2500, frequency: 'weekly' }, 'invalid_field'],
    [{ amount: 2500, email: 'nope' }, 'invalid_email'],
  ])('rejects %j with 400 %s', async (body, code) => {
    const id = await newCampaign();
    const { status, body: answer } = await checkout({ campaign: id, ...body });
    expect(status).toBe(400);
    expect(answer.error?.code).toBe(code);
  });

  it('refuses a closed campaign', async () => {
    const id = await newCampaign({ open: false });
    expect((await checkout({ campaign: id, amount: 2500 })).body.error?.code).toBe('invalid_campaign');
  });

  it('creates one session for a double click, and a new one once it is paid', async () => {
    const id = await newCampaign();
    const [first, second] = await Promise.all([checkout({ campaign: id, amount: 2500 }), checkout({ campaign: id, amount: 2500 })]);
    expect(first.status).toBe(201);
    expect(first.body.url).toBe(`${server.url}/_local/stripe/checkout/${first.body.id}`);
    expect(second.body.id).toBe(first.body.id);
    await local(`/checkout/${first.body.id}/complete`, { email: 'donor@example.org' });
    const third = await checkout({ campaign: id, amount: 2500 });
    expect(third.status).toBe(201);
    expect(third.body.id).not.toBe(first.body.id);
  });

  it('asks Checkout for no Adaptive Pricing, so the donor pays in the campaign\'s currency', async () => {
    const id = await newCampaign({ currency: 'eur' });
    const created = await checkout({ campaign: id, amount: 2500, currency: 'eur' });
    expect(created.status).toBe(201);
    const stripe = new Stripe('sk_test_appeal_local_simulator', { host: '127.0.0.1', port: stripePort(), protocol: 'http' });
    const session = await stripe.checkout.sessions.retrieve(created.body.id);
    expect(session.adaptive_pricing).toEqual({ enabled: false });
    expect(session.currency).toBe('eur');
  });
});

describe('a one-time gift', () => {
  it('is counted once, thanked once, and refunded net, however often Stripe delivers', async () => {
    const id = await newCampaign();
    const session = (await checkout({ campaign: id, amount: 2500, email: 'Giver@Example.org' })).body;
    const done = await local(`/checkout/${session.id}/complete`, { name: 'Gil Giver' });
    expect(done.body).toMatchObject({ status: 'complete', paymentIntent: expect.stringMatching(/^pi_/) });
    expect(await progress(id)).toMatchObject({ raised: 2500, donations: 1, donors: 1 });

    for (const event of await events()) expect((await local(`/events/${event.id}/resend`)).body).toEqual({ status: 'resent' });
    expect(await progress(id)).toMatchObject({ raised: 2500, donations: 1, donors: 1 });
    const receipts = (await server.mailTo('giver@example.org')).filter((m) => m.subject.startsWith('Thank you for your gift'));
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.text).toContain('$25.00');
    expect(receipts[0]?.text).toContain('registered charity');

    expect((await local(`/payments/${done.body.paymentIntent}/refund`, { amount: 1000 })).body.status).toBe('refunded');
    expect(await progress(id)).toMatchObject({ raised: 1500, donations: 1 });
    await local(`/payments/${done.body.paymentIntent}/refund`);
    expect(await progress(id)).toMatchObject({ raised: 0, donations: 0, donors: 1 });
    const refunds = (await events()).filter((e) => e.type === 'charge.refunded');
    await local(`/events/${refunds[0]?.id}/resend`); // the older, partial refund arrives again, late
    expect(await progress(id)).toMatchObject({ raised: 0, donations: 0 });
    expect((await local(`/checkout/${session.id}/complete`)).status).toBe(409);
  });

  it('gets a refund that fails back into the totals, once, however often Stripe delivers', async () => {
    const id = await newCampaign();
    const session = (await checkout({ campaign: id, amount: 2500, email: 'failed-refund@example.org' })).body;
    const done = await local(`/checkout/${session.id}/complete`);
    const partial = await local(`/payments/${done.body.paymentIntent}/refund`, { amount: 1000 });
    expect(partial.body.refund).toMatch(/^re_/);
    expect(await progress(id)).toMatchObject({ raised: 1500, donations: 1 });
    expect((await local(`/refunds/${partial.body.refund}/fail`)).body).toEqual({ status: 'failed' });
    expect(await progress(id)).toMatchObject({ raised: 2500, donations: 1, donors: 1 });
    for (const event of await events()) await local(`/events/${event.id}/resend`); // every event again, the old refund too
    expect(await progress(id)).toMatchObject({ raised: 2500, donations: 1, donors: 1 });
    await local(`/payments/${done.body.paymentIntent}/refund`, { amount: 500 }); // a later partial refund still counts
    expect(await progress(id)).toMatchObject({ raised: 2000, donations: 1, donors: 1 });
  });

  it('is counted only when a delayed payment succeeds', async () => {
    const id = await newCampaign();
    const session = (await checkout({ campaign: id, amount: 4000 })).body;
    await local(`/checkout/${session.id}/complete`, { async: true });
    expect(await progress(id)).toMatchObject({ raised: 0, donations: 0 });
    await local(`/checkout/${session.id}/settle?outcome=succeeded`);
    expect(await progress(id)).toMatchObject({ raised: 4000, donations: 1 });
  });

  it('sends the newsletter double opt-in when the donor ticked the box', async () => {
    const id = await newCampaign();
    const session = (await checkout({ campaign: id, amount: 2500, email: 'reader-donor@example.org', subscribe: true })).body;
    await local(`/checkout/${session.id}/complete`);
    const subjects = (await server.mailTo('reader-donor@example.org')).map((m) => m.subject);
    expect(subjects).toContain('Please confirm your subscription to GlobalSecurity.org');
    expect(subjects.filter((s) => s.startsWith('Thank you for your gift'))).toHaveLength(1);
  });
});

describe('a monthly gift', () => {
  it('counts each month once, the first not twice with its checkout, and ends', async () => {
    const id = await newCampaign();
    const session = (await checkout({ campaign: id, amount: 1000, frequency: 'monthly', email: 'monthly@example.org' })).body;
    await local(`/checkout/${session.id}/complete`);
    expect(await progress(id)).toMatchObject({ raised: 1000, donations: 1, donors: 1 });
    const subscription = ((await (await fetch(`${server.url}/_local/stripe/events`)).json()) as { type: string }[]).length;
    expect(subscription).toBeGreaterThan(0);
    const created = (await events()).filter((e) => e.type === 'customer.subscription.created').at(-1);
    expect(created).toBeDefined();
    const subId = await subscriptionOf(session.id);
    await local(`/subscriptions/${subId}/renew`);
    expect(await progress(id)).toMatchObject({ raised: 2000, donations: 2, donors: 1 });
    expect((await local(`/subscriptions/${subId}/cancel`)).body.status).toBe('canceled');
    const receipts = (await server.mailTo('monthly@example.org')).filter((m) => m.subject.startsWith('Thank you'));
    expect(receipts).toHaveLength(2);
    expect(receipts[0]?.text).toContain('monthly gift');
  });
});

describe('a gift in the donor\'s language', () => {
  const sessionOf = (id: string) => new Stripe('sk_test_appeal_local_simulator', { host: '127.0.0.1', port: stripePort(), protocol: 'http' }).checkout.sessions.retrieve(id);

  it('carries Ukrainian to Checkout, the pages after it, the receipt and the newsletter opt-in', async () => {
    const id = await newCampaign();
    const created = await checkout({ campaign: id, amount: 2550, email: 'ukr-donor@example.org', subscribe: true, lang: 'uk-UA' });
    expect(created.status).toBe(201);
    const session = await sessionOf(created.body.id);
    expect(session.metadata).toEqual({ campaign: id, frequency: 'once', subscribe: 'true', lang: 'uk' });
    // Stripe's Checkout has no Ukrainian: the browser's language, else English.
    expect(session.locale).toBe('auto');
    expect(session.success_url).toBe(`${server.url}/v1/donate/thanks?session_id={CHECKOUT_SESSION_ID}&lang=uk`);
    expect(session.cancel_url).toBe(`${server.url}/v1/donate?campaign=${id}&checkout=cancelled&lang=uk`);

    await local(`/checkout/${created.body.id}/complete`);
    const thanks = await (await fetch(`${server.url}/v1/donate/thanks?session_id=${created.body.id}&lang=uk`)).text();
    expect(thanks).toContain('<html lang="uk">');
    expect(thanks).toContain(`Ваш внесок у розмірі ${formatAmount('uk', 2550, 'usd')} на збір «Support Ukraine» отримано.`);

    const mail = await server.mailTo('ukr-donor@example.org');
    const receipts = mail.filter((m) => m.subject === 'Дякуємо за ваш внесок на збір «Support Ukraine»');
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.html).toContain('<html lang="uk">');
    expect(receipts[0]?.text).toContain(formatAmount('uk', 2550, 'usd'));
    const confirmation = mail.find((m) => m.subject.startsWith('Підтвердьте, будь ласка, підписку на розсилку'));
    expect(confirmation?.html).toContain('<html lang="uk">');
    // Its link opens the confirmation page in Ukrainian too.
    expect(confirmation?.text).toMatch(/\/v1\/subscriptions\/confirm\?token=[^\s]+lang=uk/);
  });

  it('gives a monthly gift its language on the subscription, for every month\'s receipt', async () => {
    const id = await newCampaign();
    const created = await checkout({ campaign: id, amount: 1000, frequency: 'monthly', email: 'pl-donor@example.org', lang: 'pl' });
    const session = await sessionOf(created.body.id);
    expect(session.locale).toBe('pl');
    expect(session.metadata).toMatchObject({ lang: 'pl' });
    await local(`/checkout/${created.body.id}/complete`);
    const stripe = new Stripe('sk_test_appeal_local_simulator', { host: '127.0.0.1', port: stripePort(), protocol: 'http' });
    const subscription = await stripe.subscriptions.retrieve(await subscriptionOf(created.body.id));
    expect(subscription.metadata).toMatchObject({ campaign: id, lang: 'pl' });
    await local(`/subscriptions/${subscription.id}/renew`);
    const receipts = (await server.mailTo('pl-donor@example.org')).filter((m) => m.subject === 'Dziękujemy za wpłatę na zbiórkę „Support Ukraine”');
    expect(receipts).toHaveLength(2);
  });

  // Needs the mail worker to pass the receipt's language to manageLink (functions/core/mail/mail.ts).
  it('links a monthly receipt to the manage pages in its language', async () => {
    const id = await newCampaign();
    const created = await checkout({ campaign: id, amount: 1000, frequency: 'monthly', email: 'pl-manage@example.org', lang: 'pl' });
    await local(`/checkout/${created.body.id}/complete`);
    const receipt = (await server.mailTo('pl-manage@example.org')).find((m) => m.subject.startsWith('Dziękujemy'));
    expect(receipt?.text).toMatch(/\/v1\/donations\/manage\?token=[^\s]+&lang=pl/);
  });

  it('speaks English when no language is asked (and says so on the way back), and refuses one it does not speak', async () => {
    const id = await newCampaign();
    const created = await checkout({ campaign: id, amount: 2500 });
    const session = await sessionOf(created.body.id);
    expect(session.success_url).toBe(`${server.url}/v1/donate/thanks?session_id={CHECKOUT_SESSION_ID}&lang=en`);
    expect(session.metadata).toEqual({ campaign: id, frequency: 'once', subscribe: 'false', lang: 'en' });
    expect(session.locale).toBe('auto'); // English, as a fallback too: Checkout picks the browser's language, as before
    const refused = await checkout({ campaign: id, amount: 2500, lang: 'de' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_field', field: 'lang' });
  });

  it('takes an amount written the Ukrainian way from the chooser', async () => {
    const id = await newCampaign();
    const chooser = await fetch(`${server.url}/v1/donate?campaign=${id}`, { headers: { accept: 'text/html', 'accept-language': 'uk-UA,uk;q=0.9,en;q=0.5' } });
    const html = await chooser.text();
    expect(html).toContain('<html lang="uk">');
    expect(html).toContain('<input type="hidden" name="lang" value="uk">');
    const answer = await fetch(`${server.url}/v1/donate?campaign=${id}&currency=usd&lang=uk&custom_amount=${encodeURIComponent('12,50')}`, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    const sessionId = new URL(answer.headers.get('location') ?? '').pathname.split('/').at(-1) ?? '';
    const session = await sessionOf(sessionId);
    expect(session.amount_total).toBe(1250);
    expect(session.metadata).toMatchObject({ lang: 'uk' });
  });
});

/** The subscription of a completed monthly checkout, as Stripe's API reports it. */
const subscriptionOf = async (sessionId: string) => {
  const stripe = new Stripe('sk_test_appeal_local_simulator', { host: '127.0.0.1', port: stripePort(), protocol: 'http' });
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  return String(session.subscription);
};
const stripePort = () => Number(new URL(server.stripeApiUrl).port);

describe('POST /v1/stripe/webhook', () => {
  const event = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({ id: 'evt_test_1', object: 'event', type: 'product.created', livemode: false, created: Math.floor(Date.now() / 1000), data: { object: { id: 'prod_1' } }, ...overrides });
  const deliver = (payload: string, signature?: string) =>
    fetch(`${server.url}/v1/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) }, body: payload });

  it('rejects a missing, forged or stale signature with 400', async () => {
    const payload = event();
    expect((await deliver(payload)).status).toBe(400);
    const forged = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_ours' });
    expect((await deliver(payload, forged)).status).toBe(400);
    const stale = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret, timestamp: Math.floor(Date.now() / 1000) - 3600 });
    const answer = await deliver(payload, stale);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: { code: 'invalid_signature' } });
  });

  it('answers 200 to event types it does not use and to the other mode', async () => {
    const payload = event();
    expect((await deliver(payload, Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret }))).status).toBe(200);
    const id = await newCampaign();
    const live = event({
      type: 'charge.refunded',
      livemode: true,
      data: { object: { id: 'ch_live', object: 'charge', payment_intent: 'pi_live', amount: 100, amount_refunded: 100 } },
    });
    expect((await deliver(live, Stripe.webhooks.generateTestHeaderString({ payload: live, secret: webhookSecret }))).status).toBe(200);
    expect(await progress(id)).toMatchObject({ raised: 0 });
  });

  it('answers 200 to every one of twenty simultaneous copies of one signed event, and counts it once', async () => {
    const id = await newCampaign();
    const payload = event({
      id: `evt_twenty_${id}`,
      type: 'checkout.session.completed',
      data: {
        object: {
          id: `cs_test_twenty_${id}`,
          object: 'checkout.session',
          mode: 'payment',
          payment_status: 'paid',
          status: 'complete',
          payment_intent: `pi_twenty_${id}`,
          amount_total: 2500,
          currency: 'usd',
          customer_details: { email: `twenty-${id}@example.org`, name: 'Twenty Copies' },
          metadata: { campaign: id, frequency: 'once', subscribe: 'false' },
        },
      },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(payload, signature)));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(await progress(id)).toMatchObject({ raised: 2500, donations: 1, donors: 1 });
    const receipts = (await server.mailTo(`twenty-${id}@example.org`)).filter((m) => m.subject.startsWith('Thank you for your gift'));
    expect(receipts).toHaveLength(1);
  });
});

describe('GET /v1/donate/thanks', () => {
  it('thanks by amount for a paid session, and claims no gift for any other', async () => {
    const id = await newCampaign();
    const session = (await checkout({ campaign: id, amount: 3000 })).body;
    const before = await (await fetch(`${server.url}/v1/donate/thanks?session_id=${session.id}`)).text();
    expect(before).toContain('<h1>Your gift was not completed</h1>');
    expect(before).not.toContain('has been received');
    await local(`/checkout/${session.id}/complete`);
    const after = await (await fetch(`${server.url}/v1/donate/thanks?session_id=${session.id}`)).text();
    expect(after).toContain('Your gift of $30.00 to Support Ukraine has been received.');
    for (const query of ['session_id=cs_test_unknown', 'session_id=%3Cscript%3E', '']) {
      const page = await fetch(`${server.url}/v1/donate/thanks?${query}`);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).toContain('<h1>We could not find this payment</h1>');
      expect(text).not.toContain('has been received');
    }
  });
});

describe('GET /v1/donate', () => {
  it('shows a page to choose an amount, working without JavaScript', async () => {
    const id = await newCampaign();
    const response = await fetch(`${server.url}/v1/donate?campaign=${id}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(`<form method="get" action="${server.url}/v1/donate">`);
    expect(html).toContain('<button type="submit" name="amount" value="2500" formnovalidate>$25</button>');
    expect(html).toContain('<input type="radio" name="frequency" value="monthly">');
    expect(html).toContain('name="custom_amount"');
  });

  it('sends a link with an amount straight to checkout, and a custom amount too', async () => {
    const id = await newCampaign();
    const link = await fetch(`${server.url}/v1/donate?campaign=${id}&amount=2500&currency=usd&frequency=monthly`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    expect(link.headers.get('location')).toMatch(new RegExp(`^${server.url}/_local/stripe/checkout/cs_test_`));
    const custom = await fetch(`${server.url}/v1/donate?campaign=${id}&currency=usd&custom_amount=12.50&frequency=once`, { redirect: 'manual' });
    expect(custom.status).toBe(303);
  });

  it.each([['campaign=nope&amount=2500'], ['amount=2500'], ['campaign=CAPS'], ['campaign=%s&amount=2500&currency=eur']])(
    'answers bad parameters (%s) with a 400 page, never a broken checkout',
    async (query) => {
      const id = await newCampaign();
      const response = await fetch(`${server.url}/v1/donate?${query.replace('%s', id)}`, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('We could not start your donation');
    },
  );

  it.each([['campaign=%s&amount=5'], ['campaign=%s&custom_amount=abc']])('answers a bad amount (%s) with the chooser again, the error at the amount', async (query) => {
    const id = await newCampaign();
    const response = await fetch(`${server.url}/v1/donate?${query.replace('%s', id)}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('<p class="field-error" id="custom_amount-error">');
    expect(html).toContain('aria-invalid="true"');
  });
});
