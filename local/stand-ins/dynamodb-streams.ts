import { existsSync, readFileSync } from 'node:fs';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { writeFileAtomic } from './journal.js';

export type StreamConsumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | undefined>;

export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint (it serves the Streams API too). */
  endpoint: string;
  tableName: string;
  /** Only records whose item's `pk` starts with one of these reach the consumer (the event source mapping's filter). */
  prefixes: readonly string[];
  consumer: StreamConsumer;
  /** Where the position reached is kept, so that a restart (or a crash) goes on from there: at least once. */
  checkpointPath?: string;
  batchSize?: number;
  pollMs?: number;
  /** Delay before a failed batch is handed over again (Lambda retries a stream batch until it succeeds). */
  retryDelayMs?: number;
}

interface ShardState {
  id: string;
  parent?: string | undefined;
  iterator?: string | undefined;
  /** The shard was read to its end (it was closed and its last record handled). */
  done: boolean;
  /** The last sequence number handled. */
  position?: string | undefined;
  /** Its oldest records were trimmed while it was read from its start: read from its latest instead. */
  fromLatest?: boolean | undefined;
}

/**
 * The dev server's stand-in for a Lambda event source mapping on a DynamoDB stream: it reads the table's stream
 * from DynamoDB Local (the Streams API, as AWS serves it), filters records by key prefix as the mapping's filter
 * does, and hands them in order, shard by shard, to the same handler Lambda invokes, with partial batch failures
 * (`batchItemFailures` names the first record to retry). Its position is kept after each handled batch, so a
 * restart after a crash hands over at most the batch in flight again.
 */
export class StreamPoller {
  private shards = new Map<string, ShardState>();
  private streamArn: string | undefined;
  private closed = false;
  private loop: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private rounds = 0;
  private needDescribe = true;
  private waiters: { round: number; resolve: () => void }[] = [];
  private lastDescribe = 0;

  constructor(private readonly options: StreamPollerOptions) {}

  start() {
    this.loop = this.run();
    return this;
  }

  /** Resolves once the poller has read the stream to its end, as it was when called, and handed every record over. */
  caughtUp(): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ round: this.rounds + 1, resolve }));
  }

  async close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private async call<T>(operation: string, body: unknown): Promise<T> {
    const response = await fetch(this.options.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDBStreams_20120810.${operation}`,
        // DynamoDB Local checks that a request is signed, not the signature.
        authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json()) as T & { __type?: string; message?: string };
    if (!response.ok) throw new Error(`DynamoDB Streams ${operation}: ${answer.__type ?? response.status} ${answer.message ?? ''}`);
    return answer;
  }

  private readCheckpoint(): Record<string, string> {
    const path = this.options.checkpointPath;
    if (!path || !existsSync(path)) return {};
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as { streamArn?: string; shards?: Record<string, string> };
      return saved.streamArn === this.streamArn ? (saved.shards ?? {}) : {};
    } catch {
      return {};
    }
  }

  private saveCheckpoint() {
    const path = this.options.checkpointPath;
    if (!path) return;
    const shards: Record<string, string> = {};
    for (const shard of this.shards.values()) if (shard.position) shards[shard.id] = shard.position;
    writeFileAtomic(path, JSON.stringify({ streamArn: this.streamArn, shards }));
  }

  private async describe() {
    this.lastDescribe = Date.now();
    this.needDescribe = false;
    if (!this.streamArn) {
      const { Streams } = await this.call<{ Streams?: { StreamArn: string }[] }>('ListStreams', { TableName: this.options.tableName });
      this.streamArn = Streams?.at(-1)?.StreamArn;
      if (!this.streamArn) return;
      const saved = this.readCheckpoint();
      for (const [id, position] of Object.entries(saved)) this.shards.set(id, { id, position, done: false });
    }
    const { StreamDescription } = await this.call<{ StreamDescription: { Shards?: { ShardId: string; ParentShardId?: string }[] } }>('DescribeStream', {
      StreamArn: this.streamArn,
    });
    for (const shard of StreamDescription.Shards ?? []) {
      const known = this.shards.get(shard.ShardId);
      if (known) known.parent = shard.ParentShardId;
      else this.shards.set(shard.ShardId, { id: shard.ShardId, parent: shard.ParentShardId, done: false });
    }
  }

  private async iteratorFor(shard: ShardState): Promise<string | undefined> {
    const at = shard.position
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.position }
      : { ShardIteratorType: shard.fromLatest ? 'LATEST' : 'TRIM_HORIZON' };
    try {
      const { ShardIterator } = await this.call<{ ShardIterator?: string }>('GetShardIterator', { StreamArn: this.streamArn, ShardId: shard.id, ...at });
      return ShardIterator;
    } catch (error) {
      // A position past the stream's retention (24 hours): start from what the stream still holds.
      if (!shard.position) throw error;
      shard.position = undefined;
      return this.iteratorFor(shard);
    }
  }

  /** Reads one batch of a shard and hands it over; answers how many records it read. */
  private async poll(shard: ShardState): Promise<number> {
    shard.iterator ??= await this.iteratorFor(shard);
    if (!shard.iterator) {
      shard.done = true;
      this.needDescribe = true;
      return 0;
    }
    let page: { Records?: DynamoDBRecord[]; NextShardIterator?: string };
    try {
      page = await this.call<{ Records?: DynamoDBRecord[]; NextShardIterator?: string }>('GetRecords', {
        ShardIterator: shard.iterator,
        Limit: this.options.batchSize ?? 100,
      });
    } catch (error) {
      // An iterator that expired (15 minutes) is asked for again at the same position; one whose records were
      // trimmed (past the stream's retention) starts again from what the stream still holds. Anything else is
      // the caller's to report, with the same iterator kept.
      const message = String((error as Error).message);
      if (!/ExpiredIteratorException|TrimmedDataAccessException/.test(message)) throw error;
      if (/TrimmedDataAccessException/.test(message)) {
        // Once from the start of what the stream holds; if that is trimmed too, from its latest record on.
        if (shard.position === undefined) shard.fromLatest = true;
        shard.position = undefined;
      }
      shard.iterator = undefined;
      return 1;
    }
    const records = (page.Records ?? []).map((record) => ({ ...record, eventSourceARN: this.streamArn }));
    const wanted = records.filter((record) => {
      const pk = record.dynamodb?.Keys?.pk?.S ?? '';
      return this.options.prefixes.some((prefix) => pk.startsWith(prefix));
    });
    if (wanted.length > 0) {
      let failedAt: string | undefined;
      try {
        const answer = await this.options.consumer({ Records: wanted });
        failedAt = answer?.batchItemFailures?.[0]?.itemIdentifier;
      } catch {
        failedAt = wanted[0]?.dynamodb?.SequenceNumber;
      }
      if (failedAt !== undefined) {
        // Handed over again from the failed record, after a pause (the records before it are done).
        const before = records.filter((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0') < BigInt(failedAt));
        shard.position = before.at(-1)?.dynamodb?.SequenceNumber ?? shard.position;
        shard.iterator = undefined;
        this.saveCheckpoint();
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1000));
        return records.length;
      }
    }
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) {
      shard.position = last;
      this.saveCheckpoint();
    }
    shard.iterator = page.NextShardIterator;
    if (!shard.iterator) {
      shard.done = true;
      this.needDescribe = true; // its children, if any, come next
    }
    return records.length;
  }

  private async run() {
    while (!this.closed) {
      let read = 0;
      try {
        if (this.needDescribe || Date.now() - this.lastDescribe > 5000) await this.describe();
        for (const shard of this.shards.values()) {
          if (shard.done) continue;
          // A child shard is read once its parent is read to its end (the order of an item's changes).
          const parent = shard.parent ? this.shards.get(shard.parent) : undefined;
          if (parent && !parent.done) continue;
          read += await this.poll(shard);
          if (this.closed) break;
        }
      } catch (error) {
        if (!this.closed) console.error('[appeal] reading a table stream failed', (error as Error).message);
        read = 1; // not caught up: try again
      }
      this.rounds += 1;
      if (read === 0) {
        for (const waiter of this.waiters.filter((w) => w.round <= this.rounds)) waiter.resolve();
        this.waiters = this.waiters.filter((w) => w.round > this.rounds);
      }
      if (read > 0) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.timer = setTimeout(resolve, this.options.pollMs ?? 200);
      });
    }
  }
}
