import * as z from 'zod/mini';
import { type ReminderJobDeps, runDueReminders } from '../core/donors/reminder-job.js';
import type { StatementJobDeps } from '../core/donors/statement-job.js';
import { lastEndedTaxYear, TaxYear } from '../core/donors/tax-year.js';
import { dateIn } from '../core/donors/calendar.js';
import { instant, parse, onFirstUse } from '../core/shared/schema.js';
import { logger } from '../platform/logger.js';

/** What the yearly scheduled run asks for: the statements of the tax year that ended last. */
export const LAST_ENDED = 'last-ended';

/** The giving statements' job, loaded only by the run that sends them (once a year), never by the reminders' runs. */
const statementJob = () => import('../core/donors/statement-job.js');

/**
 * What invokes the job: EventBridge's scheduled event (its `time`), or a person (`npm run admin -- reminders run
 * --at ISO-TIME`: `{"at"}`); neither means now. `{"statements": {"year"}}` (`npm run admin -- statements send
 * --year Y`) sends the giving statements of that tax year instead.
 */
const RunRequest = /* @__PURE__ */ onFirstUse(() =>
  z.object({
    at: z.optional(instant()),
    time: z.optional(instant()),
    // `last-ended`: the scheduled run after a tax year ends (infra/constructs/reminders.ts), which asks for no year.
    statements: z.optional(z.object({ year: z.union([TaxYear, z.literal(LAST_ENDED)]) })),
  }),
);

/** Sends what is due at that time (or a year's statements) and answers what it did (counts only: no address). */
export const makeHandler = (deps: ReminderJobDeps & StatementJobDeps) => async (event: unknown) => {
  const request = parse(RunRequest, event ?? {});
  if (request.statements) {
    const { taxYearStart, timeZone } = deps.statementSettings;
    const { year: asked } = request.statements;
    const year = asked === LAST_ENDED ? lastEndedTaxYear(dateIn(deps.clock.now(), timeZone), taxYearStart) : asked;
    const run = await (await statementJob()).sendStatements(deps, year);
    logger.info('statements run', { ...run });
    return run;
  }
  const at = new Date(request.at ?? request.time ?? deps.clock.now().toISOString());
  const run = await runDueReminders(deps, at);
  logger.info('reminders run', { at: at.toISOString(), ...run });
  return { at: at.toISOString(), ...run };
};
