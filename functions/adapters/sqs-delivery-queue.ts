import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryJob, DeliveryQueue } from '../core/events/ports.js';

/** SendMessageBatch takes at most 10 messages. */
const BATCH = 10;

/**
 * The webhook delivery queue: a message per attempt, `{"d": delivery id, "g": generation}`, never the event's data,
 * delayed by SQS's own DelaySeconds. A batch entry SQS refuses fails the whole send, so the caller retries it (a
 * job queued twice is attempted once: the worker claims its delivery).
 */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(jobs: readonly (DeliveryJob & { delaySeconds: number })[]) {
    for (let i = 0; i < jobs.length; i += BATCH) {
      const entries = jobs.slice(i, i + BATCH).map((job, n) => ({
        Id: String(n),
        MessageBody: JSON.stringify({ d: job.delivery, g: job.generation }),
        DelaySeconds: Math.max(0, Math.min(900, Math.round(job.delaySeconds))),
      }));
      const { Failed } = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
      if (Failed && Failed.length > 0) throw new Error(`the delivery queue refused ${Failed.length} of ${entries.length} messages`);
    }
  }
}
