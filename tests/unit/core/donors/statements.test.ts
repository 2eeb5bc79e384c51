import { describe, expect, it } from 'vitest';
import type { Gift } from '../../../../functions/core/donations/model.js';
import { sendStatements, type StatementJobDeps, type YearGifts } from '../../../../functions/core/donors/statement-job.js';
import { buildStatement, createdRange, readStatementToken, type StatementSettings } from '../../../../functions/core/donors/statements.js';
import { makeSubscriptionDeps, testKeys } from '../../../support/fakes.js';

/** A paid gift as the ledger keeps it. */
const paidGift = (key: string, paidAt: string, change: Partial<Gift> = {}): Gift => ({
  key,
  status: 'paid',
  campaign: 'ukraine',
  amount: 2500,
  currency: 'gbp',
  frequency: 'once',
  donorEmail: 'donor@example.org',
  refunded: 0,
  disputed: false,
  createdAt: paidAt,
  updatedAt: paidAt,
  paidAt,
  contributed: { raised: 2500, donations: 1, donor: true },
  receiptQueued: true,
  signupQueued: true,
  version: 1,
  ...change,
});

const titles = (id: string) => ({ ukraine: 'Support Ukraine', winter: 'Winter Appeal' })[id];
const uk: StatementSettings = { taxYearStart: '04-06', timeZone: 'Europe/London' };
const calendar: StatementSettings = { taxYearStart: '01-01', timeZone: 'Europe/London' };

describe('a giving statement', () => {
  // 5 April 2026 23:30 in London is 22:30 UTC (summer time): still the 2025–26 UK tax year.
  const fifth = paidGift('pi_5', '2026-04-05T22:30:00.000Z');
  const sixth = paidGift('pi_6', '2026-04-05T23:30:00.000Z', { amount: 1000, campaign: 'winter' });

  it('puts a gift on 5 April in the UK year before, one on 6 April (in the site\'s zone) in the year it begins', () => {
    expect(buildStatement([fifth, sixth], 2025, uk, titles).lines.map((l) => l.date)).toEqual(['2026-04-05']);
    expect(buildStatement([fifth, sixth], 2026, uk, titles).lines.map((l) => l.date)).toEqual(['2026-04-06']);
    expect(buildStatement([fifth, sixth], 2026, calendar, titles).lines.map((l) => l.date)).toEqual(['2026-04-05', '2026-04-06']);
    expect(buildStatement([fifth, sixth], 2026, uk, titles)).toMatchObject({ first: '2026-04-06', last: '2027-04-05' });
  });

  it('totals each currency, less refunds, without disputed gifts or gifts not paid, and names each campaign', () => {
    const gifts = [
      paidGift('pi_a', '2026-02-01T10:00:00.000Z'),
      paidGift('pi_b', '2026-03-01T10:00:00.000Z', { refunded: 500 }),
      paidGift('pi_c', '2026-05-01T10:00:00.000Z', { disputed: true }),
      paidGift('pi_d', '2026-06-01T10:00:00.000Z', { currency: 'usd', amount: 4000, campaign: 'winter' }),
      paidGift('pi_e', '2026-07-01T10:00:00.000Z', { status: 'failed' }),
      paidGift('pi_f', '2027-01-01T10:00:00.000Z'),
    ];
    const statement = buildStatement(gifts, 2026, calendar, titles);
    expect(statement.totals).toEqual({ gbp: 2500 + 2000, usd: 4000 });
    expect(statement.lines.map((l) => [l.date, l.campaignTitle, l.amount, l.refunded, l.disputed, l.counted])).toEqual([
      ['2026-02-01', 'Support Ukraine', 2500, 0, false, 2500],
      ['2026-03-01', 'Support Ukraine', 2500, 500, false, 2000],
      ['2026-05-01', 'Support Ukraine', 2500, 0, true, 0],
      ['2026-06-01', 'Winter Appeal', 4000, 0, false, 4000],
    ]);
  });

  it('reads gifts created up to a month before the year (paid later) and up to its end', () => {
    expect(createdRange(2026, '04-06')).toEqual({ since: '2026-03-06T00:00:00.000Z', until: '2027-04-06T23:59:59.999Z' });
  });
});

/** The year's gifts as the index answers them: by campaign and createdAt. */
const yearGifts = (gifts: Gift[]): YearGifts & { reads: string[] } => {
  const reads: string[] = [];
  return {
    reads,
    campaigns: async () => [
      { id: 'ukraine', title: 'Support Ukraine' },
      { id: 'winter', title: 'Winter Appeal' },
    ],
    gifts: async (campaign, since, until) => {
      reads.push(`${campaign} ${since} ${until}`);
      return gifts.filter((g) => g.campaign === campaign && g.createdAt >= since && g.createdAt <= until);
    },
  };
};

const setup = (gifts: Gift[]) => {
  const mail = makeSubscriptionDeps();
  mail.clock.current = new Date('2027-01-10T10:00:00.000Z');
  const deps: StatementJobDeps = { ...mail.mailDeps, yearGifts: yearGifts(gifts), statementSettings: calendar };
  return { ...mail, deps };
};

describe('sending the statements of a year', () => {
  const gifts = [
    paidGift('pi_1', '2026-02-01T10:00:00.000Z', { lang: 'es' }),
    paidGift('pi_2', '2026-11-01T10:00:00.000Z', { campaign: 'winter', refunded: 1000, lang: 'es' }),
    paidGift('pi_3', '2026-12-01T10:00:00.000Z', { donorEmail: 'other@example.org', currency: 'gbp', amount: 5000 }),
    paidGift('pi_4', '2025-12-31T10:00:00.000Z', { donorEmail: 'last-year@example.org' }),
    paidGift('pi_5', '2026-03-01T10:00:00.000Z', { donorEmail: undefined }),
  ];

  it('emails each donor of the year one statement, in their language, with each gift, the total and the charity', async () => {
    const t = setup(gifts);
    expect(await sendStatements(t.deps, 2026)).toEqual({ year: 2026, donors: 2, sent: 2, duplicate: 0, suppressed: 0, busy: 0 });
    expect(t.mailer.sent.map((m) => m.to).sort()).toEqual(['donor@example.org', 'other@example.org']);
    const mine = t.mailer.sent.find((m) => m.to === 'donor@example.org');
    expect(mine?.subject).toBe('Su certificado de donaciones de 2026');
    expect(mine?.text).toContain('Support Ukraine');
    expect(mine?.text).toContain('Winter Appeal');
    // Amounts as Spanish writes them (a no-break space before the currency).
    expect(mine?.text).toMatch(/1 de noviembre de 2026: 25\sGBP a Winter Appeal \(10\sGBP reembolsado\)/);
    expect(mine?.text).toMatch(/Total donado: 40\sGBP/);
    expect(mine?.text).toContain(t.deps.settings.charityName);
    expect(mine?.text).toContain(t.deps.settings.charityRegistration);
    const link = /(https:\/\/api\.example\.org\/v1\/donations\/statement\?token=(v1\.[\w-]+)&year=2026&lang=es)/.exec(mine?.text ?? '');
    expect(link).not.toBeNull();
    expect(readStatementToken(testKeys.token, link?.[2] ?? '', t.clock.now())).toBe('donor@example.org');
  });

  it('sends nothing twice when run again, or twice at once', async () => {
    const t = setup(gifts);
    const runs = await Promise.all([sendStatements(t.deps, 2026), sendStatements(t.deps, 2026)]);
    expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(2);
    expect(await sendStatements(t.deps, 2026)).toMatchObject({ sent: 0, duplicate: 2 });
    expect(t.mailer.sent).toHaveLength(2);
  });
});
