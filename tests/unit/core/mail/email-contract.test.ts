import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripePaymentEvents } from '../../../../functions/adapters/stripe-payment-events.js';
import { eraseSubscriber } from '../../../../functions/core/admin/admin.js';
import { recordPaymentEvent } from '../../../../functions/core/donations/gifts.js';
import { recordMailFeedback } from '../../../../functions/core/list-hygiene/feedback.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { MailIntent } from '../../../../functions/core/mail/model.js';
import { requestSubscription } from '../../../../functions/core/subscriptions/subscriptions.js';
import { confirmSubscription } from '../../../../functions/core/subscriptions/links.js';
import { makeGiftDeps } from '../../../support/donation-fakes.js';
import { makeSubscriptionDeps } from '../../../support/fakes.js';
import { paid } from '../../../support/payment-events.js';

/** One mailbox, as a donor types it at Stripe and as we store it (punycode domain, lower case). */
const TYPED = 'Leser@Bücher.example';
const CANONICAL = 'leser@xn--bcher-kva.example';

const work = async (t: Awaited<ReturnType<typeof makeGiftDeps>>) => {
  const outcomes: string[] = [];
  for (const job of t.queue.take()) outcomes.push(await processMailJob(t.mailDeps, job));
  return outcomes;
};

describe('one email contract', () => {
  it('sends no receipt to a donor whose internationalised address bounced', async () => {
    const t = await makeGiftDeps();
    await recordMailFeedback(t.mailDeps, { kind: 'bounce', addresses: [CANONICAL] });
    await recordPaymentEvent(t.deps, paid('pi_1', { email: TYPED }));
    expect(await work(t)).toEqual(['suppressed']);
    expect(t.mailer.sent).toHaveLength(0);
  });

  it('files a donor under the same key as a reader with the same mailbox', async () => {
    const t = await makeGiftDeps();
    await recordMailFeedback(t.mailDeps, { kind: 'complaint', addresses: ['LESER@bücher.example'] });
    const [readerKey] = [...t.suppressions.items.keys()];
    await recordPaymentEvent(t.deps, paid('pi_1', { email: TYPED }));
    expect([...t.gifts.donors]).toEqual([`ukraine#${readerKey}`]);
  });

  it('counts a donor once whether Stripe gives the Unicode or the punycode form', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { email: TYPED }));
    await recordPaymentEvent(t.deps, paid('pi_2', { email: ' LESER@xn--bcher-kva.example ' }));
    expect((await t.campaigns.get('ukraine'))?.donors).toBe(1);
  });

  it('signs a donor up to the newsletter under the address a reader would have', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { email: TYPED, subscribe: true }));
    const signup = t.queue.jobs.find((j) => j.kind === 'signup');
    expect(signup?.kind === 'signup' && signup.request.email).toBe(CANONICAL);
    await work(t);
    expect(t.subscribers.items.get(CANONICAL)?.status).toBe('pending');
    expect(t.mailer.sent.map((m) => m.to)).toEqual([CANONICAL, CANONICAL]); // the receipt and the confirmation
  });

  it('reads the donor address of a Stripe event in its canonical form', async () => {
    const stripe = new Stripe('sk_test_unit');
    const secret = 'whsec_unit';
    const payload = JSON.stringify({
      id: 'evt_1',
      object: 'event',
      type: 'checkout.session.completed',
      livemode: false,
      created: 1_764_064_800,
      data: {
        object: {
          id: 'cs_1',
          object: 'checkout.session',
          mode: 'payment',
          payment_intent: 'pi_1',
          payment_status: 'paid',
          amount_total: 2500,
          currency: 'usd',
          metadata: { campaign: 'ukraine', frequency: 'once', subscribe: 'true' },
          customer_details: { email: TYPED, name: 'Lea Leser' },
          customer_email: null,
        },
      },
    });
    const events = new StripePaymentEvents(stripe, secret, false);
    const event = await events.read(payload, stripe.webhooks.generateTestHeaderString({ payload, secret }));
    expect(event).toMatchObject({ kind: 'payment', key: 'pi_1', email: CANONICAL });
  });
});

describe('the mail queue carries intents, rendered by the mail worker', () => {
  it('queues a receipt as the facts of the gift and renders it with the charity the worker is configured with', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { frequency: 'monthly' }));
    expect(t.queue.jobs).toEqual([
      {
        kind: 'receipt',
        id: expect.any(String),
        gift: {
          reference: 'pi_1',
          email: 'donor@example.org',
          name: 'Dee Donor',
          campaignTitle: 'Support Ukraine',
          amount: 2500,
          currency: 'usd',
          monthly: true,
          paidAt: '2026-11-25T10:00:00.000Z',
        },
      },
    ]);
    expect(MailIntent.parse(JSON.parse(JSON.stringify(t.queue.jobs[0])))).toEqual(t.queue.jobs[0]); // what SQS carries
    expect(await work(t)).toEqual(['sent']);
    const [receipt] = t.mailer.sent;
    expect(receipt?.subject).toBe('Thank you for your gift to Support Ukraine');
    expect(receipt?.text).toContain('$25.00 (monthly gift)');
    expect(receipt?.text).toContain('Example Charity, registered charity 1234567');
    expect(receipt?.text).toContain('Reference: pi_1');
  });

  it('queues a welcome as an intent and renders it with an unsubscribe link', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, { email: 'Reader@Example.org', name: 'Ann', lists: [], client: { ip: '203.0.113.7' } });
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    const link = t.mailer.sent[0]?.text.match(/https:\/\/\S+\/confirm\?token=\S+/)?.[0] ?? '';
    await confirmSubscription(t.deps, { token: new URL(link).searchParams.get('token') ?? '', client: { ip: '203.0.113.7' } });
    expect(t.queue.jobs).toEqual([
      { kind: 'welcome', id: expect.any(String), email: 'reader@example.org', name: 'Ann', round: expect.any(String) },
    ]);
    const [welcome] = t.queue.take();
    if (!welcome) throw new Error('no welcome queued');
    expect(await processMailJob(t.mailDeps, welcome)).toBe('sent');
    expect(await processMailJob(t.mailDeps, welcome)).toBe('duplicate'); // SQS delivers it again
    expect(t.mailer.sent.at(-1)?.subject).toBe('Welcome to Example News');
    expect(t.mailer.sent.at(-1)?.headers['List-Unsubscribe']).toMatch(/^<https:\/\/api\.example\.org\/v1\/subscriptions\/unsubscribe\?token=/);
  });

  it('accepts intents from the queue only with a mailable address, in its canonical form', () => {
    expect(MailIntent.parse({ kind: 'welcome', id: 'w', email: TYPED, round: 'r' })).toMatchObject({ email: CANONICAL });
    expect(MailIntent.safeParse({ kind: 'welcome', id: 'w', email: 'not an address', round: 'r' }).success).toBe(false);
  });
});

describe('an erased address', () => {
  const client = { ip: '203.0.113.7' };
  /** Signs `email` up and confirms it; answers the welcome job the confirmation queued (not yet sent). */
  const subscribe = async (t: Awaited<ReturnType<typeof makeGiftDeps>>, email: string) => {
    await requestSubscription(t.subscriptionDeps, { email, lists: [], client });
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    const link = t.mailer.sent.at(-1)?.text.match(/https:\/\/\S+\/confirm\?token=\S+/)?.[0] ?? '';
    await confirmSubscription(t.subscriptionDeps, { token: new URL(link).searchParams.get('token') ?? '', client });
    return t.queue.take();
  };
  /** A reader who subscribed, confirmed and then was erased (`subscriber erase`), with nothing sent since. */
  const erasedReader = async () => {
    const t = await makeGiftDeps();
    const welcome = await subscribe(t, 'donor@example.org');
    await eraseSubscriber(t.mailDeps, 'donor@example.org');
    t.mailer.sent.length = 0;
    return { t, welcome };
  };
  const monthly = { frequency: 'monthly', subscription: 'sub_1', customer: 'cus_1', offersSignup: false } as const;

  it('is receipted for a gift and for each monthly payment made after the erasure', async () => {
    const { t } = await erasedReader();
    await recordPaymentEvent(t.deps, paid('pi_once'));
    await recordPaymentEvent(t.deps, paid('pi_month1', monthly));
    await recordPaymentEvent(t.deps, paid('pi_month2', monthly));
    expect(await work(t)).toEqual(['sent', 'sent', 'sent']);
    expect(t.mailer.sent.map((m) => [m.to, m.text.match(/Reference: (\S+)/)?.[1]])).toEqual([
      ['donor@example.org', 'pi_once'],
      ['donor@example.org', 'pi_month1'],
      ['donor@example.org', 'pi_month2'],
    ]);
    // The receipts lift nothing: the address is still erased from the list.
    expect(t.subscribers.items.has('donor@example.org')).toBe(false);
    expect([...t.suppressions.items.values()].map((m) => m.reason)).toEqual(['erased']);
  });

  it('gets no list mail: a welcome queued before the erasure is not sent after it', async () => {
    const { t, welcome } = await erasedReader();
    expect(welcome.map((j) => j.kind)).toEqual(['welcome']);
    for (const job of welcome) expect(await processMailJob(t.mailDeps, job)).toBe('suppressed');
    expect(t.mailer.sent).toHaveLength(0);
  });

  it('gets no receipt once it has bounced or complained, whether that came before or after the erasure', async () => {
    for (const kind of ['bounce', 'complaint'] as const) {
      const { t: after } = await erasedReader();
      await recordMailFeedback(after.mailDeps, { kind, addresses: ['donor@example.org'] });
      await recordPaymentEvent(after.deps, paid('pi_after'));
      expect(await work(after), `${kind} after the erasure`).toEqual(['suppressed']);

      const before = await makeGiftDeps();
      await subscribe(before, 'donor@example.org');
      await recordMailFeedback(before.mailDeps, { kind, addresses: ['donor@example.org'] });
      await eraseSubscriber(before.mailDeps, 'donor@example.org');
      await recordPaymentEvent(before.deps, paid('pi_before'));
      expect(await work(before), `${kind} before the erasure`).toEqual(['suppressed']);
      expect(after.mailer.sent.filter((m) => m.subject.startsWith('Thank you'))).toHaveLength(0);
      expect(before.mailer.sent.filter((m) => m.subject.startsWith('Thank you'))).toHaveLength(0);
    }
  });

  it('gets no receipt when the erased subscriber had bounced and no marker says so', async () => {
    const t = await makeGiftDeps();
    await subscribe(t, 'donor@example.org');
    // A subscriber marked bounced whose marker went missing (a restore from a backup): the status decides.
    const stored = t.subscribers.items.get('donor@example.org');
    if (!stored) throw new Error('missing');
    t.subscribers.items.set(stored.email, { ...stored, status: 'bounced' });
    await eraseSubscriber(t.mailDeps, 'donor@example.org');
    await recordPaymentEvent(t.deps, paid('pi_1'));
    expect(await work(t)).toEqual(['suppressed']);
  });
});
