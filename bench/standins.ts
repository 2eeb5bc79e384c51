// Starts dynalite (in memory) and s3rver in their own process, so that the benchmark's own memory figures
// measure the export alone. Prints one JSON line with the endpoints, then runs until killed.
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

const dynamo = dynalite({ createTableMs: 0 });
await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 'appeal-bench-s3-')), configureBuckets: [{ name: 'bench' }] });
const { port } = await s3.run();
console.log(JSON.stringify({ dynamodb: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`, s3: `http://127.0.0.1:${port}` }));
