// Starts DynamoDB Local (in memory) and s3rver in their own process, so that the benchmark's own memory figures
// measure the export alone. Prints one JSON line with the endpoints, then runs until killed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { startStrictDynamoLocal } from '../local/stand-ins/dynamodb-local.js';

const dynamo = await startStrictDynamoLocal();
const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 'appeal-bench-s3-')), configureBuckets: [{ name: 'bench' }] });
const { port } = await s3.run();
console.log(JSON.stringify({ dynamodb: dynamo.endpoint, s3: `http://127.0.0.1:${port}` }));
