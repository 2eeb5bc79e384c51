import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LocalQueue } from '../../../../local/stand-ins/queue.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A consumer that records the bodies it was given and fails those that `fails` names. */
const recorder = (fails: (body: string) => boolean = () => false) => {
  const seen: string[] = [];
  const consumer = async (event: SQSEvent): Promise<SQSBatchResponse> => {
    seen.push(...event.Records.map((r) => r.body));
    return { batchItemFailures: event.Records.filter((r) => fails(r.body)).map((r) => ({ itemIdentifier: r.messageId })) };
  };
  return { seen, consumer };
};

describe('the dev server’s local queue', () => {
  it('redelivers only the failed records of a batch, then dead-letters after the receive limit', async () => {
    const seen: string[] = [];
    const dead: string[] = [];
    const queue = new LocalQueue(
      async (event: SQSEvent) => {
        seen.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { name: 'test', retryDelayMs: 1, maxReceiveCount: 3, onDeadLetter: (body) => dead.push(body) },
    );
    queue.send('good');
    queue.send('bad');
    await queue.idle();
    expect(seen.filter((b) => b === 'good')).toHaveLength(1);
    expect(seen.filter((b) => b === 'bad')).toHaveLength(3);
    expect(dead).toEqual(['bad']);
    expect(queue.deadLetters).toEqual(['bad']);
    await queue.close();
  });

  it('closes only after the batch in flight has been handled, and delivers nothing after', async () => {
    const handled: string[] = [];
    let started!: () => void;
    const deliveryStarted = new Promise<void>((r) => {
      started = r;
    });
    const queue = new LocalQueue(
      async (event: SQSEvent) => {
        started();
        await tick(150);
        handled.push(...event.Records.map((r) => r.body));
        return undefined;
      },
      { name: 'test', batchSize: 1 },
    );
    queue.send('first');
    queue.send('second');
    await deliveryStarted;
    await queue.close();
    // The stand-ins behind the consumer may be stopped now: its writes are done.
    expect(handled).toEqual(['first']);
    await tick(50);
    expect(handled).toEqual(['first']);
    expect(queue.pending()).toEqual(['second']);
  });
});

describe('the dev server’s local queue, kept in a journal', () => {
  let dir: string;
  let journalPath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'appeal-queue-'));
    journalPath = join(dir, 'queue.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A queue that never delivers (its consumer never settles), dropped without close as a killed process drops it. */
  const crashedWhileDelivering = (bodies: string[], batchSize = 10) => {
    const first = new LocalQueue(() => new Promise(() => {}), { name: 'test', journalPath, batchSize });
    for (const body of bodies) first.send(body);
    return first;
  };

  it('has every accepted message on disk when send returns', () => {
    crashedWhileDelivering(['a', 'b']);
    const lines = readFileSync(journalPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string; body: string });
    expect(lines.map((l) => [l.op, l.body])).toEqual([
      ['send', 'a'],
      ['send', 'b'],
    ]);
  });

  it('delivers, after a crash, exactly the messages that were not delivered, including the batch in flight', async () => {
    let batches = 0;
    const first = new LocalQueue(
      async () => {
        batches += 1;
        if (batches > 1) await new Promise(() => {}); // the second batch is in flight when the process dies
        return undefined;
      },
      { name: 'test', journalPath, batchSize: 2 },
    );
    for (const body of ['one', 'two', 'three', 'four', 'five']) first.send(body);
    await vi.waitFor(() => expect(batches).toBe(2));
    // The process dies here: no close(), the first queue is simply abandoned.

    const { seen, consumer } = recorder();
    const second = new LocalQueue(consumer, { name: 'test', journalPath });
    await second.idle();
    // 'one' and 'two' were delivered before the crash; 'three' and 'four' were in flight: at least once, as SQS.
    expect(seen).toEqual(['three', 'four', 'five']);
    expect(second.pending()).toEqual([]);
    await second.close();

    const third = recorder();
    const again = new LocalQueue(third.consumer, { name: 'test', journalPath });
    await again.idle();
    expect(third.seen).toEqual([]); // delivered ones are never delivered again
    await again.close();
  });

  it('keeps the dead-letter list across a restart, and delivers the rest', async () => {
    const first = new LocalQueue(recorder((body) => body === 'poison').consumer, {
      name: 'test',
      journalPath,
      retryDelayMs: 1,
      maxReceiveCount: 2,
    });
    first.send('good');
    first.send('poison');
    await first.idle();
    expect(first.deadLetters).toEqual(['poison']);
    first.send('later'); // accepted, never delivered: the process dies now
    await first.close();

    const { seen, consumer } = recorder();
    const second = new LocalQueue(consumer, { name: 'test', journalPath });
    expect(second.deadLetters).toEqual(['poison']);
    await second.idle();
    expect(seen).toEqual(['later']);
    await second.close();
    expect(new LocalQueue(consumer, { name: 'test', journalPath }).deadLetters).toEqual(['poison']);
  });

  it('ignores a last line torn by a crash in the middle of a write, and appends after it cleanly', async () => {
    crashedWhileDelivering(['whole']);
    appendFileSync(journalPath, '{"op":"send","id":"torn","bo'); // the write the crash cut short
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { seen, consumer } = recorder();
    const second = new LocalQueue(consumer, { name: 'test', journalPath });
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    second.send('after');
    await second.idle();
    expect(seen).toEqual(['whole', 'after']);
    await second.close();
    // The journal was rewritten without the torn line, so what came after it is whole too.
    for (const line of readFileSync(journalPath, 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('compacts the journal when it starts: only the live messages and the dead letters are left, atomically', async () => {
    const first = new LocalQueue(recorder().consumer, { name: 'test', journalPath });
    for (let i = 0; i < 20; i++) first.send(`done-${i}`);
    await first.idle();
    first.send('pending');
    await first.close();
    expect(readFileSync(journalPath, 'utf8').trim().split('\n')).toHaveLength(41);

    const second = new LocalQueue(() => new Promise(() => {}), { name: 'test', journalPath });
    const lines = readFileSync(journalPath, 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { body: string }).body)).toEqual(['pending']);
    expect(readdirSync(dir)).toEqual(['queue.jsonl']); // no temporary file left behind
    expect(second.pending()).toEqual(['pending']);
  });

  it('compacts the journal while running too, so a long run does not grow it without end', async () => {
    const { seen, consumer } = recorder();
    const queue = new LocalQueue(consumer, { name: 'test', journalPath, batchSize: 100 });
    for (let i = 0; i < 5_050; i++) queue.send(`m-${i}`);
    await queue.idle();
    expect(seen).toHaveLength(5_050);
    // 10,100 lines were written; the compaction after 10,000 of them left only what came after.
    expect(readFileSync(journalPath, 'utf8').trim().split('\n').length).toBeLessThan(200);
    await queue.close();
    const again = recorder();
    await new LocalQueue(again.consumer, { name: 'test', journalPath }).idle();
    expect(again.seen).toEqual([]);
  });
});
