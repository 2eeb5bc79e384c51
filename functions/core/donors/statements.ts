import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import type { Gift } from '../donations/model.js';
import { InvalidTokenError } from '../shared/errors.js';
import { openToken, sealToken } from '../shared/secrets.js';
import { addDays, dateIn } from './calendar.js';
import { TaxYear, type TaxYearStart } from './tax-year.js';

// Tax years are named in tax-year.ts: the reminders job reads every run's request with it, without this module.
export { lastEndedTaxYear, TaxYear, TaxYearStart } from './tax-year.js';

/**
 * Giving statements: one per donor and tax year, listing each gift paid in the year (with what was refunded, and
 * whether a dispute holds it back) and the total per currency. Pure: the job (statement-job.ts) and the page read
 * the gifts and hand them here, so the email and the page say the same.
 */

export interface StatementSettings {
  taxYearStart: TaxYearStart;
  /** The site's time zone: a gift's date is its day there. */
  timeZone: string;
}

/** The first and last day (`YYYY-MM-DD`, both included) of tax year `year`. */
export const taxYearDays = (year: number, start: TaxYearStart) => ({
  first: `${year}-${start}`,
  last: addDays(`${year + 1}-${start}`, -1),
});

/**
 * The createdAt range to read gifts from for a tax year: a gift is dated by when it was paid, which is at or after
 * it was created (a bank debit is paid days later), and a day in the site's zone may start a day before UTC's.
 */
export const PAYMENT_DELAY_DAYS = 31;
export const createdRange = (year: number, start: TaxYearStart) => {
  const { first, last } = taxYearDays(year, start);
  return { since: `${addDays(first, -PAYMENT_DELAY_DAYS)}T00:00:00.000Z`, until: `${addDays(last, 1)}T23:59:59.999Z` };
};

export interface StatementLine {
  /** The day it was paid, `YYYY-MM-DD` in the site's time zone. */
  date: string;
  campaign: string;
  campaignTitle: string;
  amount: number;
  currency: string;
  /** What refunds took back (net of failed ones). */
  refunded: number;
  /** A dispute holds the money back (open or lost): it counts nothing. */
  disputed: boolean;
  /** What it adds to the year's total: the amount less refunds, nothing while disputed. */
  counted: number;
}

export interface Statement {
  year: number;
  first: string;
  last: string;
  lines: StatementLine[];
  /** The year's total per currency (lowercase ISO code), in minor units; currencies in order of first gift. */
  totals: Record<string, number>;
}

/** The paid gifts of one donor in a tax year, oldest first, and their totals. Gifts of other years are left out. */
export const buildStatement = (
  gifts: readonly Gift[],
  year: number,
  settings: StatementSettings,
  titleOf: (campaign: string) => string | undefined,
): Statement => {
  const { first, last } = taxYearDays(year, settings.taxYearStart);
  const lines: StatementLine[] = [];
  for (const gift of gifts) {
    if (gift.status !== 'paid' || gift.amount === undefined || gift.currency === undefined) continue;
    const date = dateIn(new Date(gift.paidAt ?? gift.createdAt), settings.timeZone);
    if (date < first || date > last) continue;
    const campaign = gift.campaign ?? '';
    const refunded = Math.min(gift.refunded, gift.amount);
    lines.push({
      date,
      campaign,
      campaignTitle: titleOf(campaign) ?? campaign,
      amount: gift.amount,
      currency: gift.currency,
      refunded,
      disputed: gift.disputed,
      counted: gift.disputed ? 0 : gift.amount - refunded,
    });
  }
  lines.sort((a, b) => a.date.localeCompare(b.date) || a.campaign.localeCompare(b.campaign));
  const totals: Record<string, number> = {};
  for (const line of lines) totals[line.currency] = (totals[line.currency] ?? 0) + line.counted;
  return { year, first, last, lines, totals };
};

/** Groups gifts by the donor's address (gifts without one cannot be mailed, and are left out). */
export const byDonor = (gifts: Iterable<Gift>) => {
  const donors = new Map<string, Gift[]>();
  for (const gift of gifts) {
    if (!gift.donorEmail) continue;
    const list = donors.get(gift.donorEmail) ?? [];
    list.push(gift);
    donors.set(gift.donorEmail, list);
  }
  return donors;
};

const StatementPayload = /* @__PURE__ */ onFirstUse(() => z.object({ e: z.string().check(z.minLength(3), z.maxLength(320)), x: z.int() }));

/** How long a statement link opens: through the next tax return and the one after. */
export const STATEMENT_LINK_DAYS = 800;

/**
 * The printable statement's link: the donor's address sealed for this purpose only (no other token opens it, and
 * the address is unreadable in the URL), expiring. The year is the link's query, so one link opens any year.
 */
export const makeStatementToken = (key: Buffer, email: string, now: Date): string =>
  sealToken(key, 'statement', { e: email, x: Math.floor(now.getTime() / 1000) + STATEMENT_LINK_DAYS * 86_400 });

export const readStatementToken = (key: Buffer, token: string, now: Date): string => {
  const payload = openToken(key, 'statement', token, StatementPayload);
  if (payload.x * 1000 <= now.getTime()) throw new InvalidTokenError('This link to your giving statement has expired. Please use the link in your most recent statement.');
  return payload.e;
};

/** `GET /v1/donations/statement?token=T&year=Y` (other parameters, such as `lang`, are left to the page). */
export const StatementQuery = /* @__PURE__ */ onFirstUse(() => z.object({
  token: z.string({ error: 'This link is not valid: it has no token. It may have been copied incompletely.' }).check(z.maxLength(2048)),
  year: TaxYear,
}));

/** What the printable statement reads: the donor's gifts (never by a scan), campaign titles, the charity. */
export interface StatementPageDeps {
  keys: { token: Buffer; email: Buffer };
  clock: { now(): Date };
  /** Every gift of the address (found by its keyed hash's donor markers, then each campaign's index). */
  donorGifts: { find(email: string, donorKey: string): Promise<Gift[]> };
  campaignTitle(campaign: string): Promise<string | undefined>;
  settings: StatementSettings;
}

/** The statement behind a statement link: the address it was sealed for, its gifts of the year. */
export const statementOf = async (deps: StatementPageDeps, token: string, year: number, donorKey: (email: string) => string): Promise<Statement> => {
  const email = readStatementToken(deps.keys.token, token, deps.clock.now());
  const gifts = await deps.donorGifts.find(email, donorKey(email));
  const titles = new Map<string, string | undefined>();
  for (const campaign of new Set(gifts.flatMap((g) => (g.campaign ? [g.campaign] : [])))) titles.set(campaign, await deps.campaignTitle(campaign));
  return buildStatement(gifts, year, deps.settings, (id) => titles.get(id));
};
