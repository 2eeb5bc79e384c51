import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MailIntent } from '../core/mail/model.js';
import type { SignupAndMailQueue } from '../core/mail/ports.js';

export class SqsSignupAndMailQueue implements SignupAndMailQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(job: MailIntent): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job) }));
  }
}
