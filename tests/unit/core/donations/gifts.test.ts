import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../../functions/core/shared/errors.js';
import { recordPaymentEvent } from '../../../../functions/core/donations/gifts.js';
import { dedupeKeyOf, processMailJob } from '../../../../functions/core/mail/mail.js';
import type { PaymentEvent } from '../../../../functions/core/donations/model.js';
import type { MailIntent } from '../../../../functions/core/mail/model.js';
import { Crash, crashAfterWrite } from '../../../support/crash.js';
import { campaignSettings, makeGiftDeps } from '../../../support/donation-fakes.js';
import { formatAmount } from '../../../../functions/core/shared/i18n/format.js';
import { testKeys } from '../../../support/fakes.js';
import { dispute, paid, processing, refund, refundOf } from '../../../support/payment-events.js';

const totals = async (t: Awaited<ReturnType<typeof makeGiftDeps>>, id = 'ukraine') => {
  const c = await t.campaigns.get(id);
  return { raised: c?.raised, donations: c?.donations, donors: c?.donors };
};
const receipts = (jobs: MailIntent[]) => jobs.filter((j) => dedupeKeyOf(testKeys, j)?.startsWith('receipt:'));

describe('recordPaymentEvent', () => {
  it('counts a paid gift once and queues one receipt, however often the event comes', async () => {
    const t = await makeGiftDeps();
    for (let i = 0; i < 3; i++) await recordPaymentEvent(t.deps, paid('pi_1'));
    expect(await totals(t)).toEqual({ raised: 2500, donations: 1, donors: 1 });
    const sent = receipts(t.queue.jobs);
    expect(sent).toHaveLength(1);
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job); // the mail worker renders it
    const email = t.mailer.sent[0];
    expect(email?.to).toBe('donor@example.org');
    expect(email?.text).toContain('$25.00');
    expect(email?.text).toContain('Support Ukraine');
    expect(email?.text).toContain('Example Charity, registered charity 1234567');
  });

  it('counts a processing payment only once it succeeds', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, processing('pi_1'));
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 0 });
    expect(receipts(t.queue.jobs)).toHaveLength(0);
    await recordPaymentEvent(t.deps, paid('pi_1'));
    await recordPaymentEvent(t.deps, processing('pi_1')); // late and stale: changes nothing
    expect(await totals(t)).toEqual({ raised: 2500, donations: 1, donors: 1 });
  });

  it('nets partial and full refunds, in any order', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1'));
    await recordPaymentEvent(t.deps, refund('pi_1', 1000));
    expect(await totals(t)).toEqual({ raised: 1500, donations: 1, donors: 1 });
    await recordPaymentEvent(t.deps, refund('pi_1', 2500));
    await recordPaymentEvent(t.deps, refund('pi_1', 1000)); // the older, smaller cumulative figure, late
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 1 });
  });

  it('never brings back a gift whose refund arrived before its completion', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, refund('pi_1', 2500));
    await recordPaymentEvent(t.deps, paid('pi_1'));
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 1 });
  });

  it.each([
    ['completed, then fully refunded', [paid('pi_1'), refund('pi_1', 2500)]],
    ['refunded first, then completed', [refund('pi_1', 2500), paid('pi_1')]],
  ])('counts the donor and sends one receipt for a paid gift whatever its refunds: %s', async (_order, events) => {
    const t = await makeGiftDeps();
    for (const event of events) await recordPaymentEvent(t.deps, event);
    for (const event of events) await recordPaymentEvent(t.deps, event);
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 1 });
    expect(receipts(t.queue.jobs).map((j) => dedupeKeyOf(testKeys, j))).toEqual(['receipt:pi_1']);
  });

  it('counts distinct donors per campaign', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1'));
    await recordPaymentEvent(t.deps, paid('pi_2', { email: 'DONOR@example.org', amount: 1000 }));
    await recordPaymentEvent(t.deps, paid('pi_3', { email: 'other@example.org', amount: 500 }));
    expect(await totals(t)).toEqual({ raised: 4000, donations: 3, donors: 2 });
  });

  it('counts a paid gift in another currency, or for an unknown campaign, as unassigned in its currency, and receipts it', async () => {
    const t = await makeGiftDeps();
    for (let i = 0; i < 2; i++) {
      await recordPaymentEvent(t.deps, paid('pi_1', { currency: 'eur' }));
      await recordPaymentEvent(t.deps, paid('pi_2', { campaign: 'deleted-after-checkout', amount: 1000 }));
      await recordPaymentEvent(t.deps, paid('pi_3', { campaign: undefined, amount: 700 }));
    }
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 0 });
    expect(await t.campaigns.unassigned()).toEqual({ eur: { raised: 2500, donations: 1 }, usd: { raised: 1700, donations: 2 } });
    expect(receipts(t.queue.jobs).map((j) => dedupeKeyOf(testKeys, j)).sort()).toEqual(['receipt:pi_1', 'receipt:pi_2', 'receipt:pi_3']);
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    expect(t.mailer.sent.find((m) => m.text.includes('$10.00'))?.to).toBe('donor@example.org');
  });

  it('says why a gift became unassigned, only on the event that made it so', async () => {
    const t = await makeGiftDeps();
    expect(await recordPaymentEvent(t.deps, paid('pi_1', { currency: 'eur' }))).toMatchObject({ unassigned: { reason: 'other currency', gift: 'pi_1', amount: 2500, currency: 'eur' } });
    expect(await recordPaymentEvent(t.deps, paid('pi_1', { currency: 'eur' }))).not.toHaveProperty('unassigned');
    expect(await recordPaymentEvent(t.deps, paid('pi_2', { campaign: 'gone' }))).toMatchObject({ unassigned: { reason: 'unknown campaign' } });
    expect(await recordPaymentEvent(t.deps, paid('pi_3', { campaign: undefined }))).toMatchObject({ unassigned: { reason: 'no campaign' } });
    expect(await recordPaymentEvent(t.deps, processing('pi_4', { campaign: 'gone' }))).not.toHaveProperty('unassigned');
  });

  it('nets refunds and disputes of an unassigned gift in the unassigned totals', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { campaign: 'gone' }));
    await recordPaymentEvent(t.deps, refund('pi_1', 1000));
    expect(await t.campaigns.unassigned()).toEqual({ usd: { raised: 1500, donations: 1 } });
    await recordPaymentEvent(t.deps, dispute('pi_1'));
    await recordPaymentEvent(t.deps, refund('pi_1', 1000));
    expect(await t.campaigns.unassigned()).toEqual({ usd: { raised: 0, donations: 0 } });
  });

  it('moves an unassigned gift to its campaign once the campaign exists again in its currency, counting it once', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { campaign: 'reborn' }));
    await t.campaigns.saveSettings(campaignSettings({ id: 'reborn' }), t.clock.now());
    for (let i = 0; i < 2; i++) await recordPaymentEvent(t.deps, paid('pi_1', { campaign: 'reborn' })); // the event resent from Stripe
    expect(await totals(t, 'reborn')).toEqual({ raised: 2500, donations: 1, donors: 1 });
    expect(await t.campaigns.unassigned()).toEqual({ usd: { raised: 0, donations: 0 } });
    expect(receipts(t.queue.jobs)).toHaveLength(1);
  });

  it('queues the newsletter opt-in once when the donor ticked the box', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { subscribe: true }));
    await recordPaymentEvent(t.deps, paid('pi_1', { subscribe: true }));
    const signups = t.queue.jobs.filter((j) => j.kind === 'signup');
    expect(signups).toHaveLength(1);
    expect(signups[0]?.kind === 'signup' && signups[0].request).toMatchObject({
      email: 'donor@example.org',
      lists: ['news'],
      consent: { origin: 'donation', wordingVersion: 'v1' },
    });
  });

  it('thanks the donor and asks them to confirm in the language they gave in', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { subscribe: true, lang: 'uk' }));
    await recordPaymentEvent(t.deps, refund('pi_1', 500)); // a later event without a language keeps the gift's
    expect(t.queue.jobs.find((j) => j.kind === 'receipt')).toMatchObject({ gift: { lang: 'uk' } });
    expect(t.queue.jobs.find((j) => j.kind === 'signup')).toMatchObject({ request: { lang: 'uk', consent: { origin: 'donation' } } });
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    const receipt = t.mailer.sent.find((m) => m.subject.startsWith('Дякуємо'));
    expect(receipt?.html).toContain('<html lang="uk">');
    expect(receipt?.text).toContain(formatAmount('uk', 2500, 'usd'));
  });

  it('queues the receipt and the opt-in without a language for a gift without one (the worker then writes in the site language)', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { subscribe: true }));
    const receipt = t.queue.jobs.find((j) => j.kind === 'receipt');
    expect(receipt?.kind === 'receipt' && 'lang' in receipt.gift).toBe(false);
    expect(t.queue.jobs.find((j) => j.kind === 'signup')).not.toHaveProperty('request.lang');
  });

  it('does not offer the newsletter again with each monthly payment', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { frequency: 'monthly', subscribe: true, offersSignup: true }));
    await recordPaymentEvent(t.deps, paid('pi_2', { frequency: 'monthly', subscribe: true, offersSignup: false }));
    expect(t.queue.jobs.filter((j) => j.kind === 'signup')).toHaveLength(1);
    expect(await totals(t)).toEqual({ raised: 5000, donations: 2, donors: 1 });
  });

  it('takes a disputed gift off the totals while its dispute is open, keeping its donor', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1'));
    await recordPaymentEvent(t.deps, dispute('pi_1'));
    expect(t.gifts.items.get('pi_1')?.disputed).toBe(true);
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 1 });
  });

  const disputeOrders: [string, string[]][] = [
    ['in order', ['paid', 'created', 'withdrawn', 'closed', 'reinstated']],
    ['closed first', ['closed', 'reinstated', 'paid', 'created', 'withdrawn']],
    ['interleaved', ['withdrawn', 'paid', 'reinstated', 'created', 'closed']],
  ];
  it.each(disputeOrders)('counts a gift again once its dispute is won, exactly once, %s', async (_name, order) => {
    const t = await makeGiftDeps();
    const events: Record<string, PaymentEvent> = {
      paid: paid('pi_1'),
      created: dispute('pi_1', 'open'),
      withdrawn: dispute('pi_1', 'open'),
      closed: dispute('pi_1', 'won'),
      reinstated: dispute('pi_1', 'won'),
    };
    for (const name of [...order, ...order]) await recordPaymentEvent(t.deps, events[name] as PaymentEvent);
    expect(await totals(t)).toEqual({ raised: 2500, donations: 1, donors: 1 });
    expect(t.gifts.items.get('pi_1')?.disputed).toBe(false);
  });

  it.each(disputeOrders)('never counts a gift whose dispute is lost, %s', async (_name, order) => {
    const t = await makeGiftDeps();
    const events: Record<string, PaymentEvent> = {
      paid: paid('pi_1'),
      created: dispute('pi_1', 'open'),
      withdrawn: dispute('pi_1', 'open'),
      closed: dispute('pi_1', 'lost'),
      reinstated: dispute('pi_1', 'lost'),
    };
    for (const name of [...order, ...order]) await recordPaymentEvent(t.deps, events[name] as PaymentEvent);
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 1 });
  });

  it('keeps a gift off the totals while a second dispute is open, though the first was won', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1'));
    await recordPaymentEvent(t.deps, dispute('pi_1', 'won', 'dp_a'));
    await recordPaymentEvent(t.deps, dispute('pi_1', 'open', 'dp_b'));
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 1 });
    await recordPaymentEvent(t.deps, dispute('pi_1', 'open', 'dp_a')); // late: changes nothing
    await recordPaymentEvent(t.deps, dispute('pi_1', 'won', 'dp_b'));
    expect(await totals(t)).toEqual({ raised: 2500, donations: 1, donors: 1 });
  });

  describe('refunds that fail', () => {
    // A partial refund of 1000 and a full one of the rest; the partial one then fails at the bank.
    const events: Record<string, PaymentEvent> = {
      paid: paid('pi_1'),
      charge1000: refund('pi_1', 1000), // charge.refunded: the charge's cumulative figure, no refund list
      created1: refundOf('pi_1', 're_1', 1000), // refund.created
      failed1: refundOf('pi_1', 're_1', 1000, true), // charge.refund.updated, status failed
    };
    const orders: string[][] = [
      ['paid', 'charge1000', 'created1', 'failed1'],
      ['paid', 'failed1', 'charge1000', 'created1'],
      ['failed1', 'created1', 'charge1000', 'paid'],
      ['charge1000', 'paid', 'failed1'],
    ];
    it.each(orders.map((o) => [o.join(' → '), o] as const))('puts the money back once a refund fails, in any order and repeated: %s', async (_n, order) => {
      const t = await makeGiftDeps();
      for (const name of [...order, ...order]) await recordPaymentEvent(t.deps, events[name] as PaymentEvent);
      expect(await totals(t)).toEqual({ raised: 2500, donations: 1, donors: 1 });
      expect(t.gifts.items.get('pi_1')?.refunded).toBe(0);
    });

    it('keeps the other refunds when one fails, and a failed refund stays failed', async () => {
      const t = await makeGiftDeps();
      await recordPaymentEvent(t.deps, paid('pi_1'));
      await recordPaymentEvent(t.deps, refundOf('pi_1', 're_1', 1000, false, 1000));
      await recordPaymentEvent(t.deps, refundOf('pi_1', 're_2', 500, false, 1500));
      expect(await totals(t)).toEqual({ raised: 1000, donations: 1, donors: 1 });
      await recordPaymentEvent(t.deps, refundOf('pi_1', 're_1', 1000, true));
      expect(await totals(t)).toEqual({ raised: 2000, donations: 1, donors: 1 });
      await recordPaymentEvent(t.deps, refundOf('pi_1', 're_1', 1000)); // a late "pending" or "succeeded" copy
      await recordPaymentEvent(t.deps, refund('pi_1', 1500)); // and the older cumulative figure, late
      expect(await totals(t)).toEqual({ raised: 2000, donations: 1, donors: 1 });
      await recordPaymentEvent(t.deps, refundOf('pi_1', 're_3', 2000)); // the rest, refunded afresh
      expect(await totals(t)).toEqual({ raised: 0, donations: 0, donors: 1 });
    });

    it('counts once when a refund and its failure arrive twice at the same moment', async () => {
      const t = await makeGiftDeps();
      await recordPaymentEvent(t.deps, paid('pi_1'));
      const failed = refundOf('pi_1', 're_1', 1000, true);
      const created = refundOf('pi_1', 're_1', 1000);
      await Promise.all([created, failed, created, failed, refund('pi_1', 1000)].map((e) => recordPaymentEvent(t.deps, e)));
      expect(await totals(t)).toEqual({ raised: 2500, donations: 1, donors: 1 });
    });
  });

  it('takes the campaign of a monthly payment from its monthly gift when the invoice does not say', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, { kind: 'subscription', subscription: 'sub_1', status: 'active', campaign: 'ukraine', at: new Date() });
    await recordPaymentEvent(t.deps, paid('pi_m1', { campaign: undefined, frequency: 'monthly', subscription: 'sub_1' }));
    expect(t.gifts.items.get('pi_m1')?.campaign).toBe('ukraine');
    expect(await totals(t)).toEqual({ raised: 2500, donations: 1, donors: 1 });
  });

  it('asks Stripe to deliver again a monthly payment that comes before its monthly gift is known, then counts it', async () => {
    const t = await makeGiftDeps();
    const invoice = paid('pi_m2', { campaign: undefined, frequency: 'monthly', subscription: 'sub_2' });
    await expect(recordPaymentEvent(t.deps, invoice)).rejects.toBeInstanceOf(TransientError);
    expect(t.gifts.items.get('pi_m2')).toBeUndefined(); // nothing stored that nothing would come back to
    await recordPaymentEvent(t.deps, { kind: 'subscription', subscription: 'sub_2', status: 'active', campaign: 'ukraine', at: new Date() });
    await recordPaymentEvent(t.deps, invoice); // Stripe's redelivery
    expect(await totals(t)).toEqual({ raised: 2500, donations: 1, donors: 1 });
  });

  it('counts once when the same event arrives twice at the same moment', async () => {
    const t = await makeGiftDeps();
    await Promise.all([recordPaymentEvent(t.deps, paid('pi_1')), recordPaymentEvent(t.deps, paid('pi_1'))]);
    await Promise.all([recordPaymentEvent(t.deps, refund('pi_1', 500)), recordPaymentEvent(t.deps, refund('pi_1', 500))]);
    expect(await totals(t)).toEqual({ raised: 2000, donations: 1, donors: 1 });
  });

  describe('fault injection: the function dies after each write in turn, then Stripe redelivers', () => {
    const scenario = [paid('pi_1', { subscribe: true }), refund('pi_1', 1000), paid('pi_2', { amount: 700 })];

    it('ends with the same totals, one receipt per payment and one opt-in', async () => {
      const clean = await makeGiftDeps();
      const probe = crashAfterWrite(clean.deps, Number.POSITIVE_INFINITY);
      for (const event of scenario) await recordPaymentEvent(probe.deps, event);
      const writes = probe.count();
      expect(writes).toBeGreaterThan(5);
      const expected = await totals(clean);
      expect(expected).toEqual({ raised: 2200, donations: 2, donors: 1 });

      for (let n = 1; n <= writes; n++) {
        const t = await makeGiftDeps();
        const crashing = crashAfterWrite(t.deps, n);
        let crashed = false;
        for (const event of scenario) {
          try {
            await recordPaymentEvent(crashing.deps, event);
          } catch (error) {
            if (!(error instanceof Crash)) throw error;
            crashed = true;
            await recordPaymentEvent(t.deps, event); // Stripe redelivers the event that failed
          }
        }
        expect(crashed).toBe(true);
        for (const event of scenario) await recordPaymentEvent(t.deps, event); // and, for good measure, all again
        expect(await totals(t), `crash after write ${n}`).toEqual(expected);
        const keys = new Set(receipts(t.queue.jobs).map((j) => dedupeKeyOf(testKeys, j)));
        expect(keys, `crash after write ${n}`).toEqual(new Set(['receipt:pi_1', 'receipt:pi_2']));
        expect(t.queue.jobs.filter((j) => j.kind === 'signup').length, `crash after write ${n}`).toBeGreaterThanOrEqual(1);
        expect(t.queue.jobs.filter((j) => j.kind === 'signup').length, `crash after write ${n}`).toBeLessThanOrEqual(2);
      }
    });
  });
});

describe('campaign settings', () => {
  it('keep their totals when updated', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1'));
    await t.campaigns.saveSettings(campaignSettings({ title: 'Renamed', open: false }), t.clock.now());
    expect(await t.campaigns.get('ukraine')).toMatchObject({ title: 'Renamed', open: false, raised: 2500 });
  });
});
