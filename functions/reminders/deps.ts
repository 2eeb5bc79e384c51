import { DynamoCampaignRepository } from '../adapters/dynamo-donations.js';
import { DynamoReminders } from '../adapters/dynamo-reminders.js';
import type { SecretSource } from '../adapters/secret-values.js';
import type { ReminderJobDeps } from '../core/donors/reminder-job.js';
import type { ClientOptions } from '../platform/clients.js';
import { documentClient } from '../platform/clients.js';
import { buildSignupAndMail } from '../signup-and-mail/deps.js';
import type { RemindersConfig } from './config.js';

/** The reminders job's dependencies: the mailer's (SES, the sent-mail ledger, suppressions, the signing key), the reminders, campaign titles. */
export const buildReminders = async (config: RemindersConfig, clients: ClientOptions, secrets: SecretSource) => {
  const { deps: mail } = await buildSignupAndMail(config, clients, secrets);
  const campaigns = new DynamoCampaignRepository(documentClient(clients), config.DONATIONS_TABLE_NAME);
  const deps: ReminderJobDeps = {
    ...mail,
    reminders: new DynamoReminders(documentClient(clients), config.SUBSCRIBERS_TABLE_NAME),
    campaigns: {
      openTitle: async (id) => {
        const campaign = await campaigns.getSettings(id);
        return campaign?.open ? campaign.title : undefined;
      },
    },
    reminderSettings: { timeZone: config.SITE_TIME_ZONE },
  };
  return { deps };
};
