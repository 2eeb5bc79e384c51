import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamPoller } from '../../../../local/stand-ins/dynamodb-streams.js';

const STREAM = 'arn:aws:dynamodb:ddblocal:000000000000:table/subscribers/stream/2026-01-01T00:00:00.000';

const record = (sequence: number, pk: string): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: { Keys: { pk: { S: pk }, sk: { S: pk } }, SequenceNumber: String(sequence).padStart(21, '0') },
});

/**
 * A Streams API as DynamoDB Local serves it, for one shard, whose GetRecords answers come from `answer`: an error
 * (`__type`) or records. It counts every call and remembers the iterator types asked for.
 */
const fakeStreams = async (answer: (call: number, iterator: string) => { error: string } | { records: DynamoDBRecord[] }) => {
  const calls: { operation: string; body: Record<string, unknown> }[] = [];
  let iterators = 0;
  let reads = 0;
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target']).split('.')[1] ?? '';
      const body = JSON.parse(text) as Record<string, unknown>;
      calls.push({ operation, body });
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(value));
      };
      if (operation === 'ListStreams') return send(200, { Streams: [{ StreamArn: STREAM }] });
      if (operation === 'DescribeStream') return send(200, { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } });
      if (operation === 'GetShardIterator') return send(200, { ShardIterator: `it-${++iterators}` });
      if (operation === 'GetRecords') {
        const result = answer(++reads, String(body.ShardIterator));
        if ('error' in result) return send(400, { __type: `com.amazonaws.dynamodb.v20120810#${result.error}`, message: 'refused' });
        return send(200, { Records: result.records, NextShardIterator: `${String(body.ShardIterator)}-next` });
      }
      send(400, { __type: 'UnknownOperationException' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const start = async (answer: Parameters<typeof fakeStreams>[0]) => {
  const streams = await fakeStreams(answer);
  const handed: string[] = [];
  const poller = new StreamPoller({
    endpoint: streams.endpoint,
    tableName: 'subscribers',
    prefixes: ['SUB#'],
    pollMs: 20,
    consumer: async (event) => {
      for (const r of event.Records) handed.push(r.dynamodb?.SequenceNumber ?? '');
      return undefined;
    },
  }).start();
  cleanups.push(streams.close, () => poller.close());
  return { streams, handed, poller };
};

const iteratorTypes = (calls: { operation: string; body: Record<string, unknown> }[]) =>
  calls.filter((c) => c.operation === 'GetShardIterator').map((c) => c.body.ShardIteratorType);

describe('the dev server stream reader', () => {
  it('asks again for an iterator that expired, at the same position, and hands every record over once', async () => {
    const { streams, handed, poller } = await start((call) =>
      call === 1 ? { error: 'ExpiredIteratorException' } : call === 2 ? { records: [record(1, 'SUB#a'), record(2, 'SUB#b')] } : { records: [] },
    );
    await poller.caughtUp();
    expect(handed).toEqual([record(1, '').dynamodb?.SequenceNumber, record(2, '').dynamodb?.SequenceNumber]);
    // The first iterator from the stream's start; after the expiry, a new one from the same place (nothing read yet).
    expect(iteratorTypes(streams.calls).slice(0, 2)).toEqual(['TRIM_HORIZON', 'TRIM_HORIZON']);
  });

  it('reads on from the latest record when the start of the stream was trimmed, instead of asking again and again', async () => {
    const { streams, handed, poller } = await start((call, iterator) => {
      // The iterator from the stream's start finds its records trimmed (what a stream past its retention answers).
      if (iterator === 'it-1') return { error: 'TrimmedDataAccessException' };
      return call <= 4 ? { records: [record(7, 'SUB#c')] } : { records: [] };
    });
    await poller.caughtUp();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const types = iteratorTypes(streams.calls);
    expect(types.slice(0, 2)).toEqual(['TRIM_HORIZON', 'LATEST']);
    expect(handed).toContain(record(7, '').dynamodb?.SequenceNumber);
    // No spinning: in 300 ms of reading an idle stream every 20 ms, a handful of iterators, not thousands.
    expect(types.length).toBeLessThan(4);
    expect(streams.calls.filter((c) => c.operation === 'GetRecords').length).toBeLessThan(40);
  });

  it('keeps the position of what it handed over when a later iterator expires: nothing is handed over twice', async () => {
    const { streams, handed, poller } = await start((call) => {
      if (call === 1) return { records: [record(1, 'SUB#a')] };
      if (call === 2) return { error: 'ExpiredIteratorException' };
      if (call === 3) return { records: [record(2, 'SUB#b')] };
      return { records: [] };
    });
    await poller.caughtUp();
    await poller.caughtUp();
    expect(handed).toEqual([record(1, '').dynamodb?.SequenceNumber, record(2, '').dynamodb?.SequenceNumber]);
    const again = streams.calls.filter((c) => c.operation === 'GetShardIterator')[1]?.body;
    expect(again).toMatchObject({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: record(1, '').dynamodb?.SequenceNumber });
  });
});
