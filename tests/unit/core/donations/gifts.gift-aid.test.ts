import { describe, expect, it } from 'vitest';
import { recordPaymentEvent } from '../../../../functions/core/donations/gifts.js';
import type { GiftAidDeclaration } from '../../../../functions/core/donations/gift-aid.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { TransientError } from '../../../../functions/core/shared/errors.js';
import { campaignSettings, makeGiftDeps } from '../../../support/donation-fakes.js';
import { paid } from '../../../support/payment-events.js';

const DECLARATION: GiftAidDeclaration = {
  version: 'hmrc-model-2026-12',
  declaredAt: '2026-11-02T10:00:00.000Z',
  name: 'Ada Lovelace',
  address: { line1: '12 High Street', city: 'Bristol', postalCode: 'BS1 4DJ', country: 'GB' },
};

/** The ledger over fakes with a GBP campaign, on a site that claims Gift Aid (or not). */
const ledger = async (giftAid: boolean) => {
  const t = await makeGiftDeps();
  await t.campaigns.saveSettings(campaignSettings({ id: 'britain', currency: 'gbp' }), t.clock.now());
  t.deps.settings.giftAid = giftAid;
  return t;
};
const gbp = (key: string, extra: Parameters<typeof paid>[1] = {}) => paid(key, { campaign: 'britain', currency: 'gbp', ...extra });

describe('the Gift Aid declaration in the gift ledger', () => {
  it('keeps the declaration on a GBP gift once, and says so in the receipt with the link to cancel it', async () => {
    const t = await ledger(true);
    await recordPaymentEvent(t.deps, gbp('pi_1', { giftAid: DECLARATION }));
    await recordPaymentEvent(t.deps, gbp('pi_1', { giftAid: { ...DECLARATION, name: 'Someone Else', declaredAt: '2026-11-03T10:00:00.000Z' } }));
    expect((await t.deps.gifts.get('pi_1'))?.giftAid).toEqual(DECLARATION);
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    const receipt = t.mailer.sent.find((m) => m.subject.includes('Thank'))?.text ?? t.mailer.sent[0]?.text ?? '';
    expect(receipt).toContain('Gift Aid declaration');
    expect(receipt).toMatch(/https:\/\/api\.example\.org\/v1\/donations\/gift-aid\?token=v1\./);
  });

  it('keeps none on a site that does not claim Gift Aid, nor on a gift in another currency', async () => {
    const off = await ledger(false);
    await recordPaymentEvent(off.deps, gbp('pi_off', { giftAid: DECLARATION }));
    expect((await off.deps.gifts.get('pi_off'))?.giftAid).toBeUndefined();
    const on = await ledger(true);
    await recordPaymentEvent(on.deps, paid('pi_usd', { giftAid: DECLARATION }));
    expect((await on.deps.gifts.get('pi_usd'))?.status).toBe('paid');
    expect((await on.deps.gifts.get('pi_usd'))?.giftAid).toBeUndefined();
  });

  it("gives each month of a declared monthly gift the checkout's declaration, and answers 5xx until the checkout is recorded", async () => {
    const t = await ledger(true);
    const month = (key: string) => gbp(key, { frequency: 'monthly', subscription: 'sub_1', invoice: `in_${key}`, monthlyGiftAid: true });
    await expect(recordPaymentEvent(t.deps, month('pi_m1'))).rejects.toBeInstanceOf(TransientError);
    expect(await t.deps.gifts.get('pi_m1')).toBeUndefined();
    await recordPaymentEvent(t.deps, { kind: 'subscription', subscription: 'sub_1', status: 'active', campaign: 'britain', at: new Date(DECLARATION.declaredAt), giftAid: DECLARATION });
    await recordPaymentEvent(t.deps, month('pi_m1'));
    await recordPaymentEvent(t.deps, month('pi_m2'));
    expect((await t.deps.gifts.get('pi_m1'))?.giftAid).toEqual(DECLARATION);
    expect((await t.deps.gifts.get('pi_m2'))?.giftAid).toEqual(DECLARATION);
  });

  it('records the months of a monthly gift recorded without a declaration (none to wait for)', async () => {
    const t = await ledger(true);
    await recordPaymentEvent(t.deps, { kind: 'subscription', subscription: 'sub_2', status: 'active', campaign: 'britain', at: new Date() });
    await recordPaymentEvent(t.deps, gbp('pi_m3', { frequency: 'monthly', subscription: 'sub_2', monthlyGiftAid: true }));
    expect((await t.deps.gifts.get('pi_m3'))?.status).toBe('paid');
    expect((await t.deps.gifts.get('pi_m3'))?.giftAid).toBeUndefined();
  });
});
