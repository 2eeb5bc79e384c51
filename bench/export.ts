// bench/export: seeds N subscribers into a local table (DynamoDB Local) and exports them with the production export
// code (parallel Scan → CSV writer → multipart upload to s3rver). Prints rows per second, the export's peak
// memory, and the ratio of the export's time to a bare parallel Scan of the same table in the same run.
// Usage: npx tsx bench/export.ts [N ...]   (default: 10000 100000)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoExportSource } from '../functions/adapters/dynamo-exports.js';
import { indexPartition } from '../functions/adapters/dynamo-keys.js';
import { S3ExportWriter } from '../functions/adapters/s3-export-writer.js';
import { SUBSCRIBER_COLUMNS, subscriberRow } from '../functions/core/admin/exports/csv.js';
import { createTables } from '../local/server/tables.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const child = spawn(process.execPath, ['--import', 'tsx', 'bench/standins.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = (await once(child.stdout, 'data')) as [Buffer];
const endpoints = JSON.parse(line.toString()) as { dynamodb: string; s3: string };

const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: endpoints.dynamodb, credentials });
const dynamo = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
const s3 = new S3Client({ region: 'us-east-1', endpoint: endpoints.s3, forcePathStyle: true, credentials });

const seed = async (table: string, n: number) => {
  const at = '2026-11-01T00:00:00.000Z';
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < n; i += 25) {
    batches.push(
      Array.from({ length: Math.min(25, n - i) }, (_, j) => {
        const email = `reader${i + j}@example.org`;
        return {
          pk: `SUB#${email}`, sk: 'PROFILE', gsi1pk: indexPartition('STATUS#confirmed', email), gsi1sk: `${at}#${email}`,
          email, name: `Reader ${i + j}`, status: 'confirmed', lists: ['news'], source: 'https://news.example.org/article',
          round: 'r', createdAt: at, updatedAt: at, subscribedAt: at, confirmedAt: at,
          consent: { signup: { at, wordingVersion: 'v1', ipHash: 'x'.repeat(43) } }, version: 1,
        };
      }),
    );
  }
  for (let i = 0; i < batches.length; i += 8) {
    await Promise.all(
      batches.slice(i, i + 8).map((items) => dynamo.send(new BatchWriteCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } }))),
    );
  }
};

/** Samples memory every 10 ms while `work` runs; reports the peak above the level before it started. */
const measure = async <T>(work: () => Promise<T>) => {
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 10);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  clearInterval(timer);
  return { result, ms, rssMiB: (peakRss - base.rss) / 2 ** 20, heapMiB: (peakHeap - base.heapUsed) / 2 ** 20, peakRssMiB: peakRss / 2 ** 20 };
};

const bareScan = async (table: string) => {
  let count = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, segment) => {
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName: table, Segment: segment, TotalSegments: 4, ExclusiveStartKey }));
        count += page.Items?.length ?? 0;
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
    }),
  );
  return count;
};

async function* rows(source: DynamoExportSource) {
  for await (const subscriber of source.subscribers({})) yield subscriberRow(subscriber);
}

console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cores; DynamoDB Local and s3rver in a separate process`);
console.log(['rows', 'seed s', 'export s', 'rows/s', 'scan s', 'export/scan', 'peak RSS +MiB', 'peak heap +MiB', 'peak RSS MiB'].join('\t'));
try {
  for (const n of sizes.length ? sizes : [10_000, 100_000]) {
    const table = `bench-${n}`;
    await createTables(raw, { subscribers: table, donations: `${table}-donations` });
    const seedStart = performance.now();
    await seed(table, n);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    // DynamoDB Local reads a table faster once it has read it (SQLite pages cached): warm it, then time both.
    await bareScan(table);
    const scan = await measure(() => bareScan(table));
    const store = new S3ExportWriter(s3, 'bench');
    const source = new DynamoExportSource(dynamo, { subscribers: table, donations: `${table}-donations` });
    const exported = await measure(() => store.write(`bench-${n}.csv`, SUBSCRIBER_COLUMNS, rows(source)));
    // The JVM keeps getting faster as it compiles: a Scan after the export too, and the faster of the two counts.
    const scanAfter = await measure(() => bareScan(table));
    if (scanAfter.ms < scan.ms) scan.ms = scanAfter.ms;
    if (exported.result !== n || scan.result !== n) throw new Error(`expected ${n} rows, exported ${exported.result}, scanned ${scan.result}`);
    console.log(
      [n, seedSeconds.toFixed(1), (exported.ms / 1000).toFixed(2), Math.round(n / (exported.ms / 1000)), (scan.ms / 1000).toFixed(2), (exported.ms / scan.ms).toFixed(2),
        exported.rssMiB.toFixed(1), exported.heapMiB.toFixed(1), exported.peakRssMiB.toFixed(0)].join('\t'),
    );
  }
} finally {
  child.kill();
}
