import * as z from 'zod/mini';
import { type ReminderJobDeps, runDueReminders } from '../core/donors/reminder-job.js';
import { instant, parse } from '../core/shared/schema.js';
import { logger } from '../platform/logger.js';

/**
 * What invokes the job: EventBridge's scheduled event (its `time`), or a person (`npm run admin -- reminders run
 * --at ISO-TIME`: `{"at"}`); neither means now.
 */
const RunRequest = z.object({ at: z.optional(instant()), time: z.optional(instant()) });

/** Sends what is due at that time and answers what it did (counts only: no address, no reminder). */
export const makeHandler = (deps: ReminderJobDeps) => async (event: unknown) => {
  const request = parse(RunRequest, event ?? {});
  const at = new Date(request.at ?? request.time ?? deps.clock.now().toISOString());
  const run = await runDueReminders(deps, at);
  logger.info('reminders run', { at: at.toISOString(), ...run });
  return { at: at.toISOString(), ...run };
};
