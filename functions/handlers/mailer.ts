import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoMailLedger } from '../adapters/dynamo-mail-ledger.js';
import { SesMailer } from '../adapters/ses-mailer.js';
import { type MailDeps, processMailJob } from '../core/mail.js';
import { MailJob } from '../core/model.js';
import { loadConfig, MailerConfig } from '../platform/config.js';
import { logger } from '../platform/logger.js';
import { subscriptionDeps } from '../platform/subscription-deps.js';

/**
 * Consumes the mail queue. Each record is processed on its own; a failed one is reported as a partial batch
 * failure so that SQS delivers only it again (and moves it to the dead-letter queue after repeated failures).
 */
export const makeHandler =
  (deps: MailDeps) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const job = MailJob.parse(JSON.parse(record.body));
        const outcome = await processMailJob(deps, job);
        logger.info('mail job done', { messageId: record.messageId, kind: job.kind, outcome });
      } catch (error) {
        logger.warn('mail job failed', { messageId: record.messageId, error: error as Error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };

const config = loadConfig(MailerConfig);
const { deps, dynamo } = await subscriptionDeps(config);

export const handler = makeHandler({
  ...deps,
  mailer: new SesMailer(new SESv2Client({ region: config.AWS_REGION }), {
    from: config.MAIL_FROM,
    replyTo: config.MAIL_REPLY_TO,
    configurationSet: config.SES_CONFIGURATION_SET,
  }),
  ledger: new DynamoMailLedger(dynamo, config.SUBSCRIBERS_TABLE_NAME),
});
