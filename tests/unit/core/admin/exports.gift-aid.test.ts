import { describe, expect, it } from 'vitest';
import { GIFT_AID_COLUMNS } from '../../../../functions/core/admin/exports/csv.js';
import { runExport, startExport } from '../../../../functions/core/admin/exports/exports.js';
import type { GiftAidDeclaration } from '../../../../functions/core/donations/gift-aid.js';
import type { Gift } from '../../../../functions/core/donations/model.js';
import { ValidationError } from '../../../../functions/core/shared/errors.js';
import { parse } from '../../../../functions/core/shared/schema.js';
import { ExportRequest } from '../../../../functions/core/admin/exports/model.js';
import { makeExportDeps } from '../../../support/admin-fakes.js';
import { FakeClock } from '../../../support/fakes.js';

const declaration = (name: string, address: Partial<GiftAidDeclaration['address']> = {}, declaredAt = '2026-01-01T00:00:00.000Z'): GiftAidDeclaration => ({
  version: 'hmrc-model-2026-12',
  declaredAt,
  name,
  address: { line1: '12 High Street', city: 'Bristol', postalCode: 'bs1 4dj', country: 'GB', ...address },
});

/** A paid GBP gift with a declaration, paid at `paidAt` (made an hour earlier), changed by `change`. */
const gift = (key: string, paidAt: string, change: Partial<Gift> = {}): Gift => ({
  key,
  status: 'paid',
  campaign: 'appeal',
  amount: 2500,
  currency: 'gbp',
  frequency: 'once',
  donorEmail: `${key}@example.org`,
  refunded: 0,
  disputed: false,
  createdAt: new Date(Date.parse(paidAt) - 3_600_000).toISOString(),
  updatedAt: paidAt,
  paidAt,
  contributed: { raised: 2500, donations: 1, donor: true },
  receiptQueued: true,
  signupQueued: false,
  version: 2,
  giftAid: declaration('Ada Lovelace', {}, new Date(Date.parse(paidAt) - 3_600_000).toISOString()),
  ...change,
});

// A UK charity's tax year, 6 April 2026 to 5 April 2027, as its gifts came in.
const YEAR = [
  gift('pi_first', '2026-04-06T08:00:00.000Z'),
  gift('pi_before', '2026-04-05T12:00:00.000Z'),
  gift('pi_refunded', '2026-05-01T10:00:00.000Z', { refunded: 2500 }),
  gift('pi_partly', '2026-05-02T10:00:00.000Z', { refunded: 500, refunds: { re_1: { amount: 500 } } }),
  gift('pi_refund_failed', '2026-05-03T10:00:00.000Z', { refunds: { re_2: { amount: 2500, failed: true } } }),
  gift('pi_disputed', '2026-06-01T10:00:00.000Z', { disputed: true, disputes: { dp_1: 'open' } }),
  gift('pi_dispute_won', '2026-06-02T10:00:00.000Z', { disputes: { dp_2: 'won' } }),
  gift('pi_undeclared', '2026-07-01T10:00:00.000Z', { giftAid: undefined }),
  gift('pi_dollars', '2026-07-02T10:00:00.000Z', { currency: 'usd' }),
  gift('pi_processing', '2026-07-03T10:00:00.000Z', { status: 'processing', paidAt: undefined }),
  gift('pi_fee', '2026-08-01T10:00:00.000Z', { amount: 2575, feeCovered: 75, giftAid: declaration('Grace Brewster Hopper', { line1: 'Rose Cottage, Mill Lane', postalCode: 'OX2 6GG' }) }),
  gift('pi_abroad', '2026-09-01T10:00:00.000Z', { amount: 1000, frequency: 'monthly', giftAid: declaration('Marie Curie', { line1: '36 quai de Béthune', postalCode: '75004', country: 'FR' }) }),
  gift('pi_bad_postcode', '2026-10-01T10:00:00.000Z', { giftAid: declaration('No Code', { postalCode: '12345' }) }),
  gift('pi_formula', '2026-11-01T10:00:00.000Z', { giftAid: declaration('=HYPERLINK("x") Smith') }),
  // 23:30 on 5 April in London (BST): the year's last day on the UK's calendar.
  gift('pi_last', '2027-04-05T22:30:00.000Z', { amount: 5000 }),
  gift('pi_after', '2027-04-06T10:00:00.000Z'),
  // A monthly gift declared on 1 April whose donor cancelled on 1 June: May's month is claimed, July's is not.
  gift('pi_may', '2026-05-01T10:00:00.000Z', { donorEmail: 'cancelled@example.org', amount: 700, giftAid: declaration('Mary Seacole', {}, '2026-04-01T10:00:00.000Z') }),
  gift('pi_july', '2026-07-01T10:00:00.000Z', { donorEmail: 'cancelled@example.org', amount: 700, giftAid: declaration('Mary Seacole', {}, '2026-04-01T10:00:00.000Z') }),
];
const CANCELLED = new Map([['cancelled@example.org', ['2026-06-01T09:00:00.000Z']]]);

const exportYear = async (gifts: Gift[], request: { since?: string; until?: string } = { since: '2026-04-06', until: '2027-04-05' }) => {
  const t = makeExportDeps(new FakeClock(), [], gifts, CANCELLED);
  // As the admin API reads the request: a date is the whole UTC day.
  const { id } = await startExport(t.deps, parse(ExportRequest, { kind: 'gift-aid', ...request }));
  await runExport(t.deps, id);
  const job = await t.jobs.get(id);
  return { job, rows: t.store.objects.get(job?.objectKey ?? '') ?? [] };
};

describe('the gift-aid export (HMRC schedule)', () => {
  it("lists a scripted tax year's claimable gifts in HMRC's columns, leaving out refunded, disputed and undeclared ones", async () => {
    const { job, rows } = await exportYear(YEAR);
    expect(rows[0]).toEqual([...GIFT_AID_COLUMNS]);
    expect(rows[0]).toEqual(['title', 'first_name', 'last_name', 'house', 'postcode', 'aggregated_donations', 'sponsored_event', 'donation_date', 'amount']);
    expect(rows.slice(1)).toEqual([
      ['', 'Ada', 'Lovelace', '12', 'BS1 4DJ', '', '', '06/04/26', '25.00'],
      // A refund that failed gave the money back: the gift stands.
      ['', 'Ada', 'Lovelace', '12', 'BS1 4DJ', '', '', '03/05/26', '25.00'],
      ['', 'Grace', 'Brewster Hopper', 'Rose Cottage', 'OX2 6GG', '', '', '01/08/26', '25.75'],
      ['', 'Marie', 'Curie', '36', 'X', '', '', '01/09/26', '10.00'],
      // A cell a spreadsheet would run as a formula is prefixed with '.
      ['', '\'=HYPERLINK("x")', 'Smith', '12', 'BS1 4DJ', '', '', '01/11/26', '25.00'],
      ['', 'Ada', 'Lovelace', '12', 'BS1 4DJ', '', '', '05/04/27', '50.00'],
      ['', 'Mary', 'Seacole', '12', 'BS1 4DJ', '', '', '01/05/26', '7.00'],
    ]);
    expect(job).toMatchObject({ status: 'done', rows: 7 });
  });

  it('leaves out a gift paid after the donor cancelled, and keeps one paid before', async () => {
    const { claimLineOf } = await import('../../../../functions/core/donations/gift-aid.js');
    const monthly = gift('pi_month', '2026-06-01T10:00:00.000Z', { giftAid: declaration('Ada Lovelace', {}, '2026-04-01T10:00:00.000Z') });
    expect(claimLineOf(monthly, ['2026-05-01T00:00:00.000Z'])).toBeUndefined();
    expect(claimLineOf(monthly, ['2026-07-01T00:00:00.000Z'])).toBeDefined();
    // A declaration made after the cancellation (the donor ticked the box again) is claimed.
    expect(claimLineOf(monthly, ['2026-03-01T00:00:00.000Z'])).toBeDefined();
  });

  it('refuses the filters of the other kinds: the claim is every claimable gift of the period', async () => {
    const t = makeExportDeps(new FakeClock(), [], []);
    for (const filter of [{ status: 'paid' }, { campaign: 'appeal' }, { list: 'news' }]) {
      const error = await startExport(t.deps, { kind: 'gift-aid', ...filter }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'invalid_field', field: Object.keys(filter)[0] });
    }
  });
});
