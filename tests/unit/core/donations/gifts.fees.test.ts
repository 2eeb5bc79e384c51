import { describe, expect, it } from 'vitest';
import { recordPaymentEvent } from '../../../../functions/core/donations/gifts.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { makeGiftDeps } from '../../../support/donation-fakes.js';
import { dispute, paid, refund } from '../../../support/payment-events.js';

const totals = async (t: Awaited<ReturnType<typeof makeGiftDeps>>) => {
  const c = await t.campaigns.get('ukraine');
  return { raised: c?.raised, donations: c?.donations, feesCovered: c?.feesCovered ?? 0 };
};

/** A one-time gift of $25.00 whose donor covered the fee: $26.06 charged. */
const covered = (key: string, overrides: Parameters<typeof paid>[1] = {}) => paid(key, { amount: 2606, feeCovered: 106, ...overrides });

describe('a gift whose donor covered the fee', () => {
  it('keeps what was charged and the fee apart, and counts the fee within raised once, however often the event comes', async () => {
    const t = await makeGiftDeps();
    for (let i = 0; i < 3; i++) await recordPaymentEvent(t.deps, covered('pi_1'));
    await recordPaymentEvent(t.deps, paid('pi_2'));
    expect(await t.gifts.get('pi_1')).toMatchObject({ amount: 2606, feeCovered: 106 });
    expect(await totals(t)).toEqual({ raised: 2606 + 2500, donations: 2, feesCovered: 106 });
  });

  it('gives back all that was charged on a full refund, fee included, and takes the fee off in proportion to a partial one', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, covered('pi_1'));
    await recordPaymentEvent(t.deps, refund('pi_1', 1303));
    expect(await totals(t)).toEqual({ raised: 1303, donations: 1, feesCovered: 53 });
    await recordPaymentEvent(t.deps, refund('pi_1', 2606));
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, feesCovered: 0 });
    expect((await t.gifts.get('pi_1'))?.refunded).toBe(2606);
  });

  it('takes the fee off with the gift while a dispute is open, and brings both back when it is won', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, covered('pi_1'));
    await recordPaymentEvent(t.deps, dispute('pi_1', 'open'));
    expect(await totals(t)).toEqual({ raised: 0, donations: 0, feesCovered: 0 });
    await recordPaymentEvent(t.deps, dispute('pi_1', 'won'));
    expect(await totals(t)).toEqual({ raised: 2606, donations: 1, feesCovered: 106 });
  });

  it('counts each month of a monthly gift with its fee', async () => {
    const t = await makeGiftDeps();
    await t.monthly.record('sub_1', 'active', 'ukraine');
    for (const key of ['pi_m1', 'pi_m2']) await recordPaymentEvent(t.deps, covered(key, { frequency: 'monthly', subscription: 'sub_1', offersSignup: key === 'pi_m1' }));
    expect(await totals(t)).toEqual({ raised: 5212, donations: 2, feesCovered: 212 });
  });

  it('keeps the tribute and the anonymous choice on the gift', async () => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, paid('pi_1', { tribute: { type: 'memory', name: 'Olena Kovalenko' }, anonymous: true }));
    expect(await t.gifts.get('pi_1')).toMatchObject({ tribute: { type: 'memory', name: 'Olena Kovalenko' }, anonymous: true });
  });
});

describe('the receipt of such a gift', () => {
  const rendered = async (event: ReturnType<typeof paid>) => {
    const t = await makeGiftDeps();
    await recordPaymentEvent(t.deps, event);
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    const email = t.mailer.sent[0];
    if (!email) throw new Error('no receipt');
    return email;
  };

  it('shows the gift, the covered fee and the total on their own lines, and the tribute (English)', async () => {
    const email = await rendered(covered('pi_1', { tribute: { type: 'honour', name: 'Maria Petrenko' } }));
    expect(email.text).toContain('Thank you for your donation of $26.06 to Support Ukraine.');
    expect(email.text).toContain('Gift: $25.00\nFee you covered: $1.06\nTotal charged: $26.06\nDedication: In honour of Maria Petrenko\n');
    expect(email.html).toMatch(/<th[^>]*>Gift<\/th><td[^>]*>\$25\.00<\/td>/);
    expect(email.html).toMatch(/<th[^>]*>Fee you covered<\/th><td[^>]*>\$1\.06<\/td>/);
    expect(email.text).not.toMatch(/^Amount:/m);
  });

  it('says so in the donor\'s language (Ukrainian), a month at a time for a monthly gift', async () => {
    const t = await makeGiftDeps();
    await t.monthly.record('sub_1', 'active', 'ukraine');
    await recordPaymentEvent(t.deps, covered('pi_1', { lang: 'uk', frequency: 'monthly', subscription: 'sub_1', tribute: { type: 'memory', name: 'Олена' } }));
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    const text = t.mailer.sent[0]?.text ?? '';
    expect(text).toMatch(/Внесок: 25\sUSD \(щомісячний внесок\)\n/);
    expect(text).toMatch(/Комісія, яку ви покрили: 1,06\sUSD\n/);
    expect(text).toMatch(/Усього сплачено: 26,06\sUSD \(щомісячний внесок\)\n/);
    expect(text).toContain('Присвята: Пам’яті: Олена\n');
  });

  it('keeps the single amount line of a gift without a covered fee', async () => {
    const email = await rendered(paid('pi_1'));
    expect(email.text).toContain('Amount: $25.00\n');
    expect(email.text).not.toContain('Fee you covered');
    expect(email.text).not.toContain('Dedication');
  });
});
