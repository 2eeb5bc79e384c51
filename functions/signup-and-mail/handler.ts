import { type MailDeps, processMailJob } from '../core/mail/mail.js';
import { MailIntent } from '../core/mail/model.js';
import { sqsBatchHandler } from '../platform/sqs.js';

/** Consumes the mail queue: signup work and mail intents, rendered here and sent through SESv2. */
export const makeHandler = (deps: MailDeps) => sqsBatchHandler(MailIntent, (job) => processMailJob(deps, job));
