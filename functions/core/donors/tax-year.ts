import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';

// Tax years as the statements (statements.ts) and the job that sends them name them: a module of its own, small,
// because the reminders job reads a run's request with it on every run and loads the statements only once a year.

/** When a tax year begins: `01-01` (a calendar year) or `04-06` (the UK's, 6 April to 5 April). */
export const TaxYearStart = /* @__PURE__ */ onFirstUse(() => z.enum(['01-01', '04-06']));
export type TaxYearStart = z.infer<typeof TaxYearStart>;

/** A tax year as a person names it: the calendar year it begins in (`2026` from 04-06 is 6 April 2026 – 5 April 2027). */
export const TaxYear = /* @__PURE__ */ onFirstUse(() => z.pipe(
  z.union([z.string().check(z.regex(/^\d{4}$/, 'A year such as 2026.')), z.int()]),
  z.pipe(z.transform((v: string | number) => Number(v)), z.int().check(z.gte(2000, 'A year from 2000.'), z.lte(2999, 'A year before 3000.'))),
));

/**
 * The tax year that ended last before `today` (`YYYY-MM-DD`, the site's day): on 20 January 2027 with the calendar
 * year, 2026; on 20 April 2027 from 6 April, 2026 (6 April 2026 – 5 April 2027); on 1 April 2027, 2025.
 */
export const lastEndedTaxYear = (today: string, start: TaxYearStart) => {
  const year = Number(today.slice(0, 4));
  return today >= `${year}-${start}` ? year - 1 : year - 2;
};
