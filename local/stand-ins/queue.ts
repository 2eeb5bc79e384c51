import { createHash, randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { appendJournal, readJournal, rewriteJournal } from './journal.js';

export type QueueConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

interface Message {
  id: string;
  body: string;
  receiveCount: number;
  sentAt: number;
  visibleAt: number;
}

/** A line of the queue's journal: a message accepted, deleted (delivered), or moved to the dead-letter list. */
type JournalEntry =
  | { op: 'send'; id: string; body: string; sentAt: number; visibleAt?: number }
  | { op: 'delete'; id: string }
  | { op: 'dead'; id: string; body: string };

/** Journal lines that no longer describe a live message, before the journal is rewritten while running. */
const COMPACT_AFTER = 10_000;

export interface LocalQueueOptions {
  name: string;
  batchSize?: number;
  /** Deliveries before a message moves to the dead-letter list, as SQS's redrive policy does (default 10). */
  maxReceiveCount?: number;
  /** Delay before a failed message is delivered again (SQS: the visibility timeout). */
  retryDelayMs?: number;
  onDeadLetter?: (body: string) => void;
  /**
   * Where the queue keeps its messages, as SQS does in AWS: every accepted message is appended before `send`
   * returns, and every delivered or dead-lettered one is marked. A queue made on an existing journal takes up
   * what it held: messages not yet delivered (including the batch in flight when the process died: at least
   * once, as SQS after a visibility timeout) are delivered again, and the dead-letter list is restored.
   * Without it, the queue lives in memory only.
   */
  journalPath?: string;
}

/**
 * The dev server's stand-in for an SQS queue and its Lambda event source mapping: it accepts messages (through
 * the SQS API that the local AWS endpoint serves), delivers them in batches to the same handler SQS feeds in AWS,
 * honours partial batch failures, and redelivers failed messages until they move to the dead-letter list.
 * With a journal it is as durable as SQS against a crash of the process: nothing it accepted is lost.
 */
export class LocalQueue {
  private messages: Message[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private closed = false;
  /** The batch being delivered, if any. */
  private delivering: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  readonly deadLetters: string[] = [];
  /** Journal lines about messages that are gone (delivered or dead-lettered). */
  private garbage = 0;
  private readonly deadEntries: JournalEntry[] = [];

  constructor(
    private readonly consumer: QueueConsumer,
    private readonly options: LocalQueueOptions,
  ) {
    if (options.journalPath) this.replay(options.journalPath);
  }

  /** Accepts a message, delivered after `delaySeconds` (SQS's DelaySeconds, 0 to 900). */
  send(body: string, delaySeconds = 0): { messageId: string; md5: string } {
    const id = randomUUID();
    const sentAt = Date.now();
    const visibleAt = sentAt + Math.max(0, Math.min(900, delaySeconds)) * 1000;
    // Kept before it is accepted: SendMessage answers (and the signup its 202) only after this.
    this.journal({ op: 'send', id, body, sentAt, ...(visibleAt > sentAt ? { visibleAt } : {}) });
    this.messages.push({ id, body, receiveCount: 0, sentAt, visibleAt });
    this.schedule(visibleAt - sentAt);
    return { messageId: id, md5: createHash('md5').update(body).digest('hex') };
  }

  /** Messages not yet delivered successfully (the journal keeps them across a restart). */
  pending(): string[] {
    return this.messages.map((m) => m.body);
  }

  /** Resolves once every message has been handled (delivered, or dead-lettered). */
  idle(): Promise<void> {
    if (this.messages.length === 0 && !this.delivering) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves once no message is due now or being delivered: what is left waits for a delay (a retry hours away),
   * which idle() would wait for.
   */
  async settled(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (!this.delivering && !this.messages.some((m) => m.visibleAt <= now)) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Stops delivering; resolves once the batch in flight (if any) has been handled, so its writes are done. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.delivering;
  }

  private schedule(delayMs: number) {
    if (this.closed || this.delivering) return;
    // A delivery due sooner is already scheduled: a later message never postpones it.
    if (this.timer && this.timerAt <= Date.now() + delayMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = Date.now() + delayMs;
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
        this.journal({ op: 'delete', id: message.id });
        this.remove(message, 2); // its `send` and `delete` lines are garbage now
      } else if (message.receiveCount >= (this.options.maxReceiveCount ?? 10)) {
        const dead: JournalEntry = { op: 'dead', id: message.id, body: message.body };
        this.journal(dead);
        this.remove(message, 1); // its `send` line is garbage; the `dead` line stays
        this.deadEntries.push(dead);
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

  private remove(message: Message, garbageLines: number) {
    this.messages = this.messages.filter((m) => m !== message);
    this.garbage += garbageLines;
    if (this.garbage >= COMPACT_AFTER && this.garbage > this.messages.length) this.compact();
  }

  private journal(entry: JournalEntry) {
    if (this.options.journalPath) appendJournal(this.options.journalPath, entry);
  }

  /** Takes up the messages of an existing journal, then rewrites it with only those (dropping a torn last line). */
  private replay(path: string) {
    const { entries, skipped } = readJournal<JournalEntry>(path);
    if (skipped > 0) console.warn(`[appeal] ${path}: skipped ${skipped} incomplete line(s), written when the process died`);
    const live = new Map<string, Extract<JournalEntry, { op: 'send' }>>();
    for (const entry of entries) {
      if (entry?.op === 'send') live.set(entry.id, entry);
      else if (entry?.op === 'delete') live.delete(entry.id);
      else if (entry?.op === 'dead') {
        live.delete(entry.id);
        this.deadEntries.push(entry);
        this.deadLetters.push(entry.body);
      }
    }
    // Receive counts start again, as they would for messages whose visibility timeout ran out.
    this.messages = [...live.values()].map(({ id, body, sentAt, visibleAt }) => ({ id, body, sentAt, receiveCount: 0, visibleAt: Math.max(visibleAt ?? 0, Date.now()) }));
    this.compact();
    if (this.messages.length > 0) this.schedule(0);
  }

  /** Rewrites the journal with only the live messages and the dead letters (atomically). */
  private compact() {
    if (!this.options.journalPath) return;
    const live = this.messages.map(({ id, body, sentAt, visibleAt }): JournalEntry => ({ op: 'send', id, body, sentAt, ...(visibleAt > sentAt ? { visibleAt } : {}) }));
    rewriteJournal(this.options.journalPath, [...this.deadEntries, ...live]);
    this.garbage = 0;
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
