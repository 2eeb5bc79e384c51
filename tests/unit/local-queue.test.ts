import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../local/queue.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
