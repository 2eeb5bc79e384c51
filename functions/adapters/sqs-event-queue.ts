import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CountedEvent } from '../core/experiments/model.js';
import type { EventQueue } from '../core/experiments/ports.js';

/** The events queue: one message per counted event, kept by SQS before `send` returns (the route's 204). */
export class SqsEventQueue implements EventQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(event: CountedEvent): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(event) }));
  }
}
