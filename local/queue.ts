import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type QueueConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

interface Message {
  id: string;
  body: string;
  receiveCount: number;
  sentAt: number;
  visibleAt: number;
}

export interface LocalQueueOptions {
  name: string;
  batchSize?: number;
  /** Deliveries before a message moves to the dead-letter list, as SQS's redrive policy does (default 10). */
  maxReceiveCount?: number;
  /** Delay before a failed message is delivered again (SQS: the visibility timeout). */
  retryDelayMs?: number;
  onDeadLetter?: (body: string) => void;
}

/**
 * The dev server's stand-in for an SQS queue and its Lambda event source mapping: it accepts messages (through
 * the SQS API that the local AWS endpoint serves), delivers them in batches to the same handler SQS feeds in AWS,
 * honours partial batch failures, and redelivers failed messages until they move to the dead-letter list.
 */
export class LocalQueue {
  private messages: Message[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** The batch being delivered, if any. */
  private delivering: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  readonly deadLetters: string[] = [];

  constructor(
    private readonly consumer: QueueConsumer,
    private readonly options: LocalQueueOptions,
  ) {}

  send(body: string): { messageId: string; md5: string } {
    const id = randomUUID();
    this.messages.push({ id, body, receiveCount: 0, sentAt: Date.now(), visibleAt: Date.now() });
    this.schedule(0);
    return { messageId: id, md5: createHash('md5').update(body).digest('hex') };
  }

  /** Messages not yet delivered successfully (to keep across a restart). */
  pending(): string[] {
    return this.messages.map((m) => m.body);
  }

  /** Resolves once every message has been handled (delivered, or dead-lettered). */
  idle(): Promise<void> {
    if (this.messages.length === 0 && !this.delivering) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops delivering; resolves once the batch in flight (if any) has been handled, so its writes are done. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.delivering;
  }

  private schedule(delayMs: number) {
    if (this.closed || this.delivering) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.delivering = this.deliver().finally(() => {
        this.delivering = undefined;
        this.notifyOrWait();
      });
    }, delayMs);
  }

  private async deliver() {
    this.timer = undefined;
    const now = Date.now();
    const batch = this.messages.filter((m) => m.visibleAt <= now).slice(0, this.options.batchSize ?? 10);
    if (batch.length === 0) return;
    for (const message of batch) message.receiveCount += 1;
    let failed = new Set<string>(batch.map((m) => m.id));
    try {
      const result = await this.consumer({ Records: batch.map((m) => this.record(m)) });
      failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } catch {
      // A thrown handler fails the whole batch, as in Lambda.
    }
    for (const message of batch) {
      // Back off as SQS's visibility timeout does in effect: failed deliveries wait longer each time (max 60 s).
      const retryAt = Date.now() + Math.min(60_000, (this.options.retryDelayMs ?? 1000) * 2 ** (message.receiveCount - 1));
      if (!failed.has(message.id)) {
        this.remove(message);
      } else if (message.receiveCount >= (this.options.maxReceiveCount ?? 10)) {
        this.remove(message);
        this.deadLetters.push(message.body);
        this.options.onDeadLetter?.(message.body);
      } else {
        message.visibleAt = retryAt;
      }
    }
  }

  private notifyOrWait() {
    if (this.messages.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    const next = Math.min(...this.messages.map((m) => m.visibleAt));
    this.schedule(Math.max(0, next - Date.now()));
  }

  private remove(message: Message) {
    this.messages = this.messages.filter((m) => m !== message);
  }

  private record(message: Message): SQSRecord {
    return {
      messageId: message.id,
      receiptHandle: `${message.id}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${this.options.name}`,
      awsRegion: 'local',
    };
  }
}
