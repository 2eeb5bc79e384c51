// bench/events: a news day's banner views through the production events function and event counter, on AWS's
// DynamoDB Local: a burst of views (and 2 % clicks) over three campaigns and their variants, from distinct readers,
// through the events handler (the campaign and variant checked, the client limited, the event queued), then the
// queue's batches through the counter handler (aggregated, one transaction per batch). The queue is an in-process
// stand-in that counts the SQS requests AWS would bill: one SendMessage per event; the event source mapping's
// ReceiveMessage and DeleteMessageBatch take 10 messages each.
// Prints: the events counted (exactly, or not), each handler's invocations and durations, the writes and reads,
// the cost per million views at AWS list prices (us-east-1, each price named with its page), and the spread of the
// counter writes over items (the largest share of writes on one item).
// Usage: npm run bench:events [-- VIEWS CONCURRENCY]   (default: 40000 50)
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { DynamoEventCounters } from '../functions/adapters/dynamo-event-counters.js';
import { DynamoExperimentStore } from '../functions/adapters/dynamo-experiments.js';
import { cachedExperiments, InstanceRateLimiter } from '../functions/core/experiments/events.js';
import type { CountedEvent } from '../functions/core/experiments/model.js';
import { makeHandler as counterHandler } from '../functions/event-counter/handler.js';
import { makeHandler as eventsHandler } from '../functions/events/routes.js';
import { logger } from '../functions/platform/logger.js';
import { API_ACCESS_LOG_FIELDS } from '../infra/constructs/monitoring.js';
import { EVENT_BATCH } from '../infra/constructs/events.js';
import { startStrictDynamoLocal } from '../local/stand-ins/dynamodb-local.js';
import { createTables } from '../local/server/tables.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
logger.setLogLevel('WARN');
const [VIEWS = 40_000, CONCURRENCY = 50] = process.argv.slice(2).map(Number);
const CLICK_SHARE = 0.02;
const SHARDS = 8;
/** The events function's and the counter's memory (infra/constructs/events.ts), in GB. */
const MEMORY_GB = 256 / 1024;

/**
 * AWS list prices, us-east-1, as their pricing pages give them (checked 2026-12):
 * - API Gateway HTTP APIs, first 300 million requests a month (aws.amazon.com/api-gateway/pricing): $1.00 a million;
 * - Lambda, arm64 (aws.amazon.com/lambda/pricing): $0.20 a million requests, $0.0000133334 a GB-second, billed per ms;
 * - SQS standard queue, per 64 KiB request (aws.amazon.com/sqs/pricing): $0.40 a million;
 * - DynamoDB on-demand (aws.amazon.com/dynamodb/pricing/on-demand): $0.625 a million write request units,
 *   $0.125 a million read request units;
 * - CloudWatch Logs ingestion, standard (aws.amazon.com/cloudwatch/pricing): $0.50 a GB, each event counted with
 *   26 bytes besides its message;
 * - X-Ray traces recorded (aws.amazon.com/xray/pricing): $5.00 a million; the default rule samples 1 a second and 5 %;
 * - Data transfer out to the internet, first 10 TB (aws.amazon.com/ec2/pricing/on-demand): $0.09 a GB.
 */
const PRICE = {
  apiRequest: 1.0 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  sqsRequest: 0.4 / 1e6,
  dynamoWriteUnit: 0.625 / 1e6,
  dynamoReadUnit: 0.125 / 1e6,
  logGb: 0.5,
  logEventOverhead: 26,
  xrayTrace: 5.0 / 1e6,
  xraySampled: 0.05,
  transferOutGb: 0.09,
} as const;

// ---- DynamoDB Local, with every call's consumed capacity and every written item counted -----------------------
const engine = await startStrictDynamoLocal({ holdMs: 5 });
const tables = { subscribers: 'bench-subscribers', donations: 'bench-donations' };
const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: engine.endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const usage = { writeUnits: 0, readUnits: 0, writesByItem: new Map<string, number>(), transactions: 0 };
raw.middlewareStack.add(
  (next, context) => async (args) => {
    const input = args.input as Record<string, unknown>;
    input.ReturnConsumedCapacity = 'TOTAL';
    const result = await next(args);
    const consumed = [(result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity].flat() as ({ CapacityUnits?: number } | undefined)[];
    const units = consumed.reduce((sum, c) => sum + (c?.CapacityUnits ?? 0), 0);
    if (context.commandName === 'TransactWriteItemsCommand') {
      usage.transactions += 1;
      // AWS bills a transactional write 2 units per item under 1 KB; DynamoDB Local reports less, so count them.
      const items = (input.TransactItems ?? []) as { Update?: { Key: { pk: string | { S: string } } } }[];
      usage.writeUnits += Math.max(units, 2 * items.length);
      for (const item of items) {
        const key = item.Update?.Key.pk;
        const pk = typeof key === 'string' ? key : key?.S;
        if (pk) usage.writesByItem.set(pk, (usage.writesByItem.get(pk) ?? 0) + 1);
      }
    } else if (/Get|Query|Scan/.test(context.commandName ?? '')) usage.readUnits += units;
    else usage.writeUnits += units;
    return result;
  },
  { step: 'initialize', name: 'benchUsage' },
);
const dynamo = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
await createTables(raw, tables);

// ---- three campaigns, the first two with an experiment -------------------------------------------------------
const store = new DynamoExperimentStore(dynamo, tables.donations);
const CAMPAIGNS = { ukraine: ['control', 'urgent', 'local'], climate: ['control', 'short'], newsroom: ['control'] } as const;
for (const [campaign, variants] of Object.entries(CAMPAIGNS)) {
  await dynamo.send(new PutCommand({ TableName: tables.donations, Item: { pk: `CAMPAIGN#${campaign}`, sk: 'CAMPAIGN', createdAt: new Date().toISOString() } }));
  for (const id of variants.filter((v) => v !== 'control')) await store.setVariant(campaign, { id, weight: 1 }, new Date());
}
usage.writeUnits = 0;
usage.readUnits = 0;

// ---- the queue stand-in: what SQS would bill, and the event source mapping's batches ---------------------------
const sqs = { sends: 0, receives: 0, deletes: 0 };
let waiting: CountedEvent[] = [];
let messageId = 0;
const counter = { invocations: 0, billedMs: 0, events: 0 };
const countBatch = counterHandler({ counters: new DynamoEventCounters(dynamo, tables.donations, SHARDS) });
const deliver = async (events: CountedEvent[]) => {
  // The mapping's pollers receive and delete 10 messages a request.
  sqs.receives += Math.ceil(events.length / 10);
  sqs.deletes += Math.ceil(events.length / 10);
  const batch: SQSEvent = {
    Records: events.map((event) => ({
      messageId: `m-${++messageId}`,
      receiptHandle: 'r',
      body: JSON.stringify(event),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'bench', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events',
      awsRegion: 'us-east-1',
    })),
  };
  const started = performance.now();
  await countBatch(batch);
  counter.invocations += 1;
  counter.billedMs += Math.ceil(performance.now() - started);
  counter.events += events.length;
};
let delivering: Promise<void> = Promise.resolve();
const queue = {
  send: async (event: CountedEvent) => {
    sqs.sends += 1;
    waiting.push(event);
    if (waiting.length >= EVENT_BATCH.size) {
      const events = waiting;
      waiting = [];
      delivering = delivering.then(() => deliver(events));
    }
  },
};

// ---- the burst ---------------------------------------------------------------------------------------------
const clock = { now: () => new Date() };
const handle = eventsHandler({
  clock,
  experiments: cachedExperiments((campaign) => store.get(campaign), clock, 60),
  queue,
  limiter: new InstanceRateLimiter(120),
});
const plan: { campaign: string; variant: string; type: 'view' | 'click' }[] = [];
const campaigns = Object.entries(CAMPAIGNS);
for (let i = 0; i < VIEWS; i++) {
  const [campaign, variants] = campaigns[i % campaigns.length] as (typeof campaigns)[number];
  const variant = variants[Math.floor(Math.random() * variants.length)] as string;
  plan.push({ campaign, variant, type: 'view' });
  if (Math.random() < CLICK_SHARE) plan.push({ campaign, variant, type: 'click' });
}
const events = { invocations: 0, billedMs: 0, statuses: new Map<number, number>(), responseBytes: 0 };
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
let next = 0;
const wallStart = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < plan.length; i = next++) {
      const { type, campaign, variant } = plan[i] as (typeof plan)[number];
      const body = JSON.stringify({ type, campaign, variant });
      const started = performance.now();
      const response = await handle({
        version: '2.0',
        routeKey: 'POST /v1/events',
        rawPath: '/v1/events',
        rawQueryString: '',
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': UA },
        body,
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'bench',
          domainName: 'api.example.org',
          domainPrefix: 'api',
          // A reader per page view: distinct addresses, so the per-client limit passes every honest view.
          http: { method: 'POST', path: '/v1/events', protocol: 'HTTP/1.1', sourceIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, userAgent: UA },
          requestId: `r-${i}`,
          routeKey: 'POST /v1/events',
          stage: '$default',
          time: '',
          timeEpoch: Date.now(),
        },
      });
      events.invocations += 1;
      events.billedMs += Math.ceil(performance.now() - started);
      events.statuses.set(response.statusCode, (events.statuses.get(response.statusCode) ?? 0) + 1);
      events.responseBytes += Object.entries(response.headers).reduce((sum, [k, v]) => sum + k.length + String(v).length + 4, 0) + 60;
    }
  }),
);
if (waiting.length > 0) {
  const events = waiting;
  waiting = [];
  delivering = delivering.then(() => deliver(events));
}
await delivering;
const wallSeconds = (performance.now() - wallStart) / 1000;

// ---- what was counted ----------------------------------------------------------------------------------------
const day = new Date().toISOString().slice(0, 10);
const counters = new DynamoEventCounters(dynamo, tables.donations, SHARDS);
let countedViews = 0;
let countedClicks = 0;
for (const campaign of Object.keys(CAMPAIGNS)) {
  for (const totals of Object.values(await counters.totals(campaign, day, day))) {
    countedViews += totals.views;
    countedClicks += totals.clicks;
  }
}
const clicks = plan.length - VIEWS;

// ---- the bill ------------------------------------------------------------------------------------------------
const requests = plan.length;
const accessLogLine = JSON.stringify(
  Object.fromEntries(
    Object.entries(API_ACCESS_LOG_FIELDS).map(([name]) => [
      name,
      {
        requestId: 'Xk3mZgEboAMEbVQ=',
        requestTime: '10/Dec/2026:12:00:00 +0000',
        ip: '203.0.113.250',
        httpMethod: 'POST',
        routeKey: 'POST /v1/events',
        status: '204',
        protocol: 'HTTP/1.1',
        responseLength: '0',
        responseLatency: '12',
        integrationStatus: '200',
        integrationLatency: '11',
        integrationError: '-',
        error: '-',
      }[name] ?? '-',
    ]),
  ),
);
// The counter's one line a batch ('events counted'), and the platform's START/END/REPORT lines of its invocations.
const counterLogBytes = counter.invocations * (170 + 3 * 120 + 4 * PRICE.logEventOverhead);
const logBytes = requests * (accessLogLine.length + PRICE.logEventOverhead) + counterLogBytes;
const lines: [string, number][] = [
  ['API Gateway HTTP API requests', requests * PRICE.apiRequest],
  ['Lambda requests (events + counter)', (events.invocations + counter.invocations) * PRICE.lambdaRequest],
  ['Lambda compute (measured here, 256 MB arm64)', ((events.billedMs + counter.billedMs) / 1000) * MEMORY_GB * PRICE.lambdaGbSecond],
  ['SQS requests (send, receive, delete)', (sqs.sends + sqs.receives + sqs.deletes) * PRICE.sqsRequest],
  ['DynamoDB writes (counters, batch markers)', usage.writeUnits * PRICE.dynamoWriteUnit],
  ['DynamoDB reads (campaigns and variants)', usage.readUnits * PRICE.dynamoReadUnit],
  ['CloudWatch Logs (access log, counter)', (logBytes / 1e9) * PRICE.logGb],
  ['X-Ray (counter only)', counter.invocations * PRICE.xraySampled * PRICE.xrayTrace],
  ['Data transfer out (204 answers)', (events.responseBytes / 1e9) * PRICE.transferOutGb],
];
const total = lines.reduce((sum, [, cost]) => sum + cost, 0);
const perMillion = (cost: number) => `$${((cost / VIEWS) * 1e6).toFixed(4)}`;
// In AWS a SendMessage takes milliseconds over the network, where the stand-in answers at once: the compute at 20 ms.
const awsCompute = ((events.invocations * 20 + counter.billedMs) / 1000) * MEMORY_GB * PRICE.lambdaGbSecond;
const computeLine = lines[2] as [string, number];

const writes = [...usage.writesByItem.values()];
const totalWrites = writes.reduce((a, b) => a + b, 0);
const maxShare = Math.max(...writes) / totalWrites;

console.log(`bench:events — ${VIEWS.toLocaleString('en')} views and ${clicks.toLocaleString('en')} clicks over ${Object.keys(CAMPAIGNS).length} campaigns, ${CONCURRENCY} at once`);
console.log(`  answers: ${[...events.statuses].map(([status, n]) => `${n} × ${status}`).join(', ')}; ${(requests / wallSeconds).toFixed(0)} events/s on this machine`);
console.log(`  counted exactly: ${countedViews === VIEWS && countedClicks === clicks ? 'yes' : 'NO'} (views ${countedViews}/${VIEWS}, clicks ${countedClicks}/${clicks})`);
console.log(`  events function: ${events.invocations} invocations, mean ${(events.billedMs / events.invocations).toFixed(2)} ms billed`);
console.log(`  event counter: ${counter.invocations} invocations (batches of up to ${EVENT_BATCH.size}), mean ${(counter.billedMs / counter.invocations).toFixed(0)} ms`);
console.log(`  SQS requests: ${sqs.sends} sends, ${sqs.receives} receives, ${sqs.deletes} deletes`);
console.log(`  DynamoDB: ${usage.transactions} transactions, ${usage.writeUnits} write units, ${usage.readUnits} read units`);
console.log(`  access log line: ${accessLogLine.length} bytes`);
console.log('  cost per million views (clicks included), AWS list prices:');
for (const [name, cost] of lines) console.log(`    ${name.padEnd(48)} ${perMillion(cost)}`);
console.log(`    ${'total'.padEnd(48)} ${perMillion(total)}   (target: under $2)`);
console.log(`    ${'total with 20 ms per events invocation (AWS)'.padEnd(48)} ${perMillion(total - computeLine[1] + awsCompute)}`);
console.log(
  `  spread of writes: ${totalWrites} counter writes over ${writes.length} items; the busiest item took ${(100 * maxShare).toFixed(1)} % of them ` +
    `(${Object.keys(CAMPAIGNS).length} campaigns × ${SHARDS} shards: ${(100 / (Object.keys(CAMPAIGNS).length * SHARDS)).toFixed(1)} % if even)`,
);
console.log('  per view, a DynamoDB write instead of the queue would add $0.625 a million, and a count per client in DynamoDB another $0.625.');

await engine.close();
