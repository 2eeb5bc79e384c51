import { createHash } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { countEvents } from '../core/experiments/events.js';
import { CountedEvent } from '../core/experiments/model.js';
import type { EventCounters } from '../core/experiments/ports.js';
import { safeParse } from '../core/shared/schema.js';
import { logger } from '../platform/logger.js';

/**
 * Consumes the events queue: a batch (up to thousands of events, gathered by the event source mapping's batching
 * window) becomes one write per campaign and day. The whole batch succeeds or fails together (one transaction),
 * so there are no partial failures to report: a failure throws, and SQS delivers the batch again, which the
 * batch's marker (keyed by its message ids) lets through only if it was not added.
 */
export const makeHandler = (deps: { counters: EventCounters }) => async (event: SQSEvent) => {
  const events: CountedEvent[] = [];
  for (const record of event.Records) {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    const parsed = safeParse(CountedEvent, body);
    // Only the events function writes here, so a malformed message is a bug: it is dropped (logged), not retried forever.
    if (parsed.success) events.push(parsed.data);
    else logger.warn('malformed event dropped', { messageId: record.messageId });
  }
  const batchId = createHash('sha256')
    .update(event.Records.map((record) => record.messageId).sort().join('\n'))
    .digest('hex')
    .slice(0, 32);
  const writes = await countEvents(deps, events, batchId);
  logger.info('events counted', { events: events.length, writes });
};
