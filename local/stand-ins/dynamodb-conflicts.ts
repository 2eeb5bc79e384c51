import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * DynamoDB Local runs TransactWriteItems one after the other, so transactions that touch the same item never
 * collide there. Real DynamoDB runs them concurrently and refuses what overlaps (Developer Guide, "Transaction
 * conflict handling"):
 *   - a TransactWriteItems that includes an item another ongoing TransactWriteItems holds is cancelled:
 *     TransactionCanceledException with one reason per action, `TransactionConflict` for the held item(s);
 *   - a PutItem, UpdateItem or DeleteItem on an item an ongoing TransactWriteItems holds fails with
 *     TransactionConflictException.
 * This proxy stands in front of DynamoDB Local and applies those two rules, so the product's retry path runs for
 * real and a benchmark can count conflicts. Everything else is relayed untouched.
 */

export interface ConflictProxyOptions {
  /**
   * Extra time an item stays held after DynamoDB Local has answered the transaction, in ms (default 0): AWS's
   * transactions take longer (two phases over several partitions) than DynamoDB Local's. The answer is relayed
   * when the hold ends, so to its caller the transaction simply lasted longer, and a caller's next request never
   * collides with its own finished transaction (AWS never does that either).
   */
  holdMs?: number;
}

export interface ConflictProxy {
  endpoint: string;
  close(): Promise<void>;
  /** transactions: TransactWriteItems received; conflicts: requests refused (either exception). */
  stats: { transactions: number; conflicts: number };
}

type AttributeMap = Record<string, unknown>;
type Action = { TableName?: string; Item?: AttributeMap; Key?: AttributeMap };

const TARGET_PREFIX = 'DynamoDB_20120810.';
const ONGOING = 'Transaction is ongoing for the item';

/**
 * An item's identity: its table and its key in DynamoDB JSON. Every table of ours is keyed by `pk` (hash) and
 * `sk` (range), so a Put's Item gives its key without a DescribeTable; JSON of an attribute value is canonical.
 */
const identity = (table: string | undefined, attributes: AttributeMap | undefined) =>
  JSON.stringify([table ?? '', attributes?.['pk'] ?? null, attributes?.['sk'] ?? null]);

/** One identity per action, in request order (Put: Item; Update, Delete, ConditionCheck: Key). */
const transactionItems = (body: { TransactItems?: Record<string, Action | undefined>[] }) =>
  (body.TransactItems ?? []).map(({ Put, Update, Delete, ConditionCheck }) => {
    if (Put) return identity(Put.TableName, Put.Item);
    const action = Update ?? Delete ?? ConditionCheck;
    return identity(action?.TableName, action?.Key);
  });

/** The JSON 1.0 error shape the SDK reads: `__type`'s part after `#` picks the exception class. */
const sendError = (response: ServerResponse, type: string, body: Record<string, unknown>) => {
  const json = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, ...body });
  response.writeHead(400, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(json)),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(json);
};

const readBody = async (stream: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const parse = (body: Buffer): Record<string, unknown> => {
  try {
    return JSON.parse(body.toString('utf8')) ?? {};
  } catch {
    return {}; // malformed: DynamoDB Local gives its own validation error
  }
};

/** Starts the proxy on a free loopback port, in front of the DynamoDB Local at `target`. */
export const startConflictProxy = async (target: string, options: ConflictProxyOptions = {}): Promise<ConflictProxy> => {
  const holdMs = options.holdMs ?? 0;
  const upstream = new URL(target);
  // Reused connections (a benchmark makes thousands of requests); idle ones are dropped after 4 s, well before
  // DynamoDB Local's server (Jetty, 30 s) would close one under a request being sent.
  const agent = new Agent({ keepAlive: true, timeout: 4000 });
  const held = new Set<string>();
  const stats = { transactions: 0, conflicts: 0 };
  // DynamoDB Local executes one transaction at a time, so one waiting in its queue would hold its items far longer
  // than AWS (which runs them side by side) ever holds them. The proxy keeps that queue itself: a transaction holds
  // its items only from its turn, while the engine executes it, plus holdMs.
  let turn: Promise<void> = Promise.resolve();
  const nextTurn = () => {
    const previous = turn;
    let release = () => {};
    turn = new Promise<void>((done) => {
      release = done;
    });
    return previous.then(() => release);
  };

  /** Forwards the request as it came (DynamoDB Local checks no signature, so the new Host does not matter). */
  const forward = (incoming: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((done, fail) => {
      const headers: OutgoingHttpHeaders = { ...incoming.headers, 'content-length': String(body.length) };
      // Hop-by-hop and framing headers are this connection's own (the body is buffered and sent whole).
      for (const name of ['host', 'connection', 'transfer-encoding']) delete headers[name];
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers, agent },
        (answer) => {
          readBody(answer).then((answerBody) => {
            const relayed: Record<string, string> = {};
            for (const name of ['content-type', 'x-amzn-requestid', 'x-amz-crc32']) {
              const value = answer.headers[name];
              if (typeof value === 'string') relayed[name] = value;
            }
            done({ status: answer.statusCode ?? 502, headers: relayed, body: answerBody });
          }, fail);
        },
      );
      outgoing.once('error', fail);
      outgoing.end(body);
    });

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(incoming);
    const operation = String(incoming.headers['x-amz-target'] ?? '').replace(TARGET_PREFIX, '');
    let holding: string[] = [];
    let endTurn = () => {};
    if (operation === 'TransactWriteItems') {
      stats.transactions += 1;
      const items = transactionItems(parse(body));
      endTurn = await nextTurn();
      if (items.some((item) => held.has(item))) {
        endTurn();
        stats.conflicts += 1;
        const codes = items.map((item) => (held.has(item) ? 'TransactionConflict' : 'None'));
        return sendError(response, 'TransactionCanceledException', {
          // AWS spells this one `Message` (the model's member), unlike most DynamoDB errors.
          Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
          CancellationReasons: codes.map((Code) => (Code === 'None' ? { Code } : { Code, Message: ONGOING })),
        });
      }
      holding = [...new Set(items)];
      for (const item of holding) held.add(item);
    } else if (operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') {
      const action = parse(body) as Action;
      if (held.has(identity(action.TableName, operation === 'PutItem' ? action.Item : action.Key))) {
        stats.conflicts += 1;
        return sendError(response, 'TransactionConflictException', { message: ONGOING });
      }
    }
    try {
      const answer = await forward(incoming, body).finally(endTurn);
      if (holding.length > 0 && holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
      response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      response.end(answer.body);
    } finally {
      for (const item of holding) held.delete(item);
    }
  };

  const server = createServer((incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      // DynamoDB Local unreachable or gone: a 5xx, which the SDK treats as transient, as it would AWS's.
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      agent.destroy();
    },
  };
};
