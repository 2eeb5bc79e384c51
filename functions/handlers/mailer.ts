import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoMailLedger } from '../adapters/dynamo-mail-ledger.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { processMailJob } from '../core/mail.js';
import { MailJob } from '../core/model.js';
import { loadConfig, MailerConfig } from '../platform/config.js';
import { sqsBatchHandler } from '../platform/sqs.js';
import { subscriptionDeps } from '../platform/subscription-deps.js';

const config = loadConfig(MailerConfig);
const { deps, dynamo } = await subscriptionDeps(config);
const mailDeps = {
  ...deps,
  mailer: new SesMailer(new SESv2Client({ region: config.AWS_REGION }), {
    from: config.MAIL_FROM,
    replyTo: config.MAIL_REPLY_TO,
    configurationSet: config.SES_CONFIGURATION_SET,
  }),
  ledger: new DynamoMailLedger(dynamo, config.SUBSCRIBERS_TABLE_NAME),
};

/** Consumes the mail queue: signup jobs and prepared emails, sent through SESv2. */
export const handler = sqsBatchHandler(MailJob, (job) => processMailJob(mailDeps, job));
