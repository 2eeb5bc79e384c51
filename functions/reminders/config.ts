import * as z from 'zod/mini';
import { nonEmpty } from '../core/shared/schema.js';
import { SITE_TIME_ZONE, TAX_YEAR_START } from '../platform/config.js';
import { defaultListIsAList } from '../platform/subscriber-config.js';
import { SignupAndMailConfig } from '../signup-and-mail/config.js';

/**
 * The reminders job: sends the reminders that are due, on a schedule, through the mailer's one send path (its
 * suppression check and sent-mail ledger), so it has the mailer's settings, and reads campaign titles.
 */
export const RemindersConfig = z
  .object({
    ...SignupAndMailConfig.shape,
    /** Campaign titles and whether they still take gifts (a reminder for a closed one is dropped). */
    DONATIONS_TABLE_NAME: nonEmpty(),
    SITE_TIME_ZONE,
    /** When the giving statements' tax year begins: `01-01` (a calendar year) or `04-06` (from 6 April). */
    TAX_YEAR_START,
  })
  .check(z.refine(...defaultListIsAList));
export type RemindersConfig = z.infer<typeof RemindersConfig>;
