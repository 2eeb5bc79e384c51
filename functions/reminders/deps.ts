import { DynamoCampaignSettings } from '../adapters/dynamo-donations.js';
import { DynamoReminders } from '../adapters/dynamo-reminders.js';
import type { SecretSource } from '../adapters/secret-values.js';
import type { ReminderJobDeps } from '../core/donors/reminder-job.js';
import type { StatementJobDeps } from '../core/donors/statement-job.js';
import { DynamoYearGifts } from '../adapters/dynamo-statements.js';
import type { ClientOptions } from '../platform/clients.js';
import { documentClient } from '../platform/clients.js';
import { buildSignupAndMail } from '../signup-and-mail/deps.js';
import type { RemindersConfig } from './config.js';

/**
 * The donor's-year jobs' dependencies: the mailer's (SES, the sent-mail ledger, suppressions, the signing key), the
 * reminders and campaign titles, and a tax year's gifts for the giving statements.
 */
export const buildReminders = async (config: RemindersConfig, clients: ClientOptions, secrets: SecretSource) => {
  const { deps: mail } = await buildSignupAndMail(config, clients, secrets);
  const campaigns = new DynamoCampaignSettings(documentClient(clients), config.DONATIONS_TABLE_NAME);
  const deps: ReminderJobDeps & StatementJobDeps = {
    ...mail,
    reminders: new DynamoReminders(documentClient(clients), config.SUBSCRIBERS_TABLE_NAME),
    campaigns: {
      openTitle: async (id) => {
        const campaign = await campaigns.getSettings(id);
        return campaign?.open ? campaign.title : undefined;
      },
    },
    reminderSettings: { timeZone: config.SITE_TIME_ZONE },
    yearGifts: new DynamoYearGifts(documentClient(clients), config.DONATIONS_TABLE_NAME),
    statementSettings: { taxYearStart: config.TAX_YEAR_START, timeZone: config.SITE_TIME_ZONE },
  };
  return { deps };
};
