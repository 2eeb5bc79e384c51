import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { changeOfRecord, tableOfRecord } from '../adapters/dynamo-stream-changes.js';
import type { WatchedTable } from '../core/events/changes.js';
import { type PublishDeps, publishChanges } from '../core/events/publish.js';
import { logger } from '../platform/logger.js';

/**
 * The tables' change streams (NEW_AND_OLD_IMAGES), filtered to the items events are made from: each record is
 * published in order (publishChanges); at the first that fails, it and the records after it are reported as the
 * batch's failure (ReportBatchItemFailures), so the stream retries from there and nothing is skipped. Publishing
 * a record again creates nothing twice.
 */
export const makeHandler = (deps: PublishDeps, tables: Record<WatchedTable, string>) => async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  let events = 0;
  let deliveries = 0;
  for (const record of event.Records) {
    const table = tableOfRecord(record, tables);
    const change = table && changeOfRecord(record, table);
    if (!change) continue;
    try {
      const published = await publishChanges(deps, [change]);
      events += published.events;
      deliveries += published.deliveries;
    } catch (error) {
      logger.warn('stream record failed', { table, sequenceNumber: record.dynamodb?.SequenceNumber, error: error as Error });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  if (events > 0) logger.info('events published', { records: event.Records.length, events, deliveries });
  return { batchItemFailures: [] };
};
