import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReminderJobDeps } from '../../../functions/core/donors/reminder-job.js';
import type { StatementJobDeps } from '../../../functions/core/donors/statement-job.js';
import { lastEndedTaxYear } from '../../../functions/core/donors/statements.js';

const sent: number[] = [];
vi.mock('../../../functions/core/donors/statement-job.js', () => ({
  sendStatements: async (_deps: unknown, year: number) => {
    sent.push(year);
    return { year, donors: 0, sent: 0, duplicate: 0, suppressed: 0, busy: 0 };
  },
}));

const { makeHandler } = await import('../../../functions/reminders/handler.js');

const depsAt = (now: string, taxYearStart: '01-01' | '04-06', timeZone = 'Europe/London') =>
  ({ clock: { now: () => new Date(now) }, statementSettings: { taxYearStart, timeZone } }) as unknown as ReminderJobDeps & StatementJobDeps;

describe('the tax year that ended last', () => {
  it('is the calendar year before, once it has ended', () => {
    expect(lastEndedTaxYear('2027-01-01', '01-01')).toBe(2026);
    expect(lastEndedTaxYear('2027-01-20', '01-01')).toBe(2026);
    expect(lastEndedTaxYear('2027-12-31', '01-01')).toBe(2026);
  });

  it('from 6 April: the year that began the April before last until 5 April has passed', () => {
    expect(lastEndedTaxYear('2027-04-05', '04-06')).toBe(2025);
    expect(lastEndedTaxYear('2027-04-06', '04-06')).toBe(2026);
    expect(lastEndedTaxYear('2027-04-20', '04-06')).toBe(2026);
    expect(lastEndedTaxYear('2027-01-20', '04-06')).toBe(2025);
  });
});

describe('the reminders job, asked for statements', () => {
  beforeEach(() => {
    sent.length = 0;
  });

  it('sends the statements of the year it is given', async () => {
    const run = await makeHandler(depsAt('2027-04-20T09:00:00.000Z', '04-06'))({ statements: { year: 2024 } });
    expect(sent).toEqual([2024]);
    expect(run).toMatchObject({ year: 2024 });
  });

  it('on the yearly schedule, sends those of the tax year that ended last, by the site\'s day', async () => {
    await makeHandler(depsAt('2027-04-20T09:00:00.000Z', '04-06'))({ statements: { year: 'last-ended' } });
    await makeHandler(depsAt('2027-01-20T09:00:00.000Z', '01-01'))({ statements: { year: 'last-ended' } });
    // 23:30 UTC on 31 December is already 1 January in Auckland: that year has ended there.
    await makeHandler(depsAt('2026-12-31T23:30:00.000Z', '01-01', 'Pacific/Auckland'))({ statements: { year: 'last-ended' } });
    expect(sent).toEqual([2026, 2026, 2026]);
  });

  it('refuses any other word for the year', async () => {
    await expect(makeHandler(depsAt('2027-04-20T09:00:00.000Z', '04-06'))({ statements: { year: 'latest' } })).rejects.toThrow();
    expect(sent).toEqual([]);
  });
});
