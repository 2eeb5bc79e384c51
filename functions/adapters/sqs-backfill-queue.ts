import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { BackfillJob, BackfillQueue } from '../core/connectors/backfill.js';

/**
 * Backfill slices on the webhook delivery queue (its worker runs them): `{"b": connector id, "s": the run's step}`,
 * never a reader's data, delayed by SQS's own DelaySeconds (a tool's Retry-After).
 */
export class SqsBackfillQueue implements BackfillQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(job: BackfillJob & { delaySeconds: number }) {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ b: job.connector, s: job.step }),
        DelaySeconds: Math.max(0, Math.min(900, Math.round(job.delaySeconds))),
      }),
    );
  }
}
