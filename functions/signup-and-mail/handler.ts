import { type MailDeps, processMailJob } from '../core/mail/mail.js';
import { MailJob } from '../core/mail/model.js';
import { sqsBatchHandler } from '../platform/sqs.js';

/** Consumes the mail queue: signup work and prepared emails, sent through SESv2. */
export const makeHandler = (deps: MailDeps) => sqsBatchHandler(MailJob, (job) => processMailJob(deps, job));
