import { processMailJob } from '../core/mail/mail.js';
import { MailJob } from '../core/mail/model.js';
import { loadConfig, MailerConfig } from '../platform/config.js';
import { sqsBatchHandler } from '../platform/sqs.js';
import { mailerDeps } from '../platform/subscription-deps.js';

const deps = await mailerDeps(loadConfig(MailerConfig));

/** Consumes the mail queue: signup jobs and prepared emails, sent through SESv2. */
export const handler = sqsBatchHandler(MailJob, (job) => processMailJob(deps, job));
