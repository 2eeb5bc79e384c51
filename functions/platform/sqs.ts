import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parse, type Schema as ZodType } from '../core/shared/schema.js';
import { logger } from './logger.js';

/**
 * An SQS consumer: each record is parsed with its schema and processed on its own; a failed one is reported as
 * a partial batch failure, so SQS delivers only it again (and moves it to the dead-letter queue after repeated
 * failures). Needs `ReportBatchItemFailures` on the event source mapping.
 */
export const sqsBatchHandler =
  <T>(schema: ZodType<T>, process: (message: T) => Promise<string>) =>
  async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      try {
        const outcome = await process(parse(schema, JSON.parse(record.body)));
        logger.info('message processed', { messageId: record.messageId, outcome });
      } catch (error) {
        logger.warn('message failed', { messageId: record.messageId, error: error as Error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
