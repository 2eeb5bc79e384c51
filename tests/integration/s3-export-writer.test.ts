import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ExportWriter } from '../../functions/adapters/s3-export-writer.js';

// The export writer against s3rver (a real S3 API on disk): a multipart upload of more than one 5 MiB part,
// and what happens to it when the rows fail half-way or S3 refuses a part while rows are still coming. s3rver
// answers AbortMultipartUpload with MethodNotAllowed (it does not implement it), so the tests check that the
// writer sends it (S3 then frees the parts) and that no object is left readable.
const BUCKET = 'exports';
let s3: S3rver;
let dir: string;
let endpoint: string;

const client = (refuse?: (command: string) => boolean) => {
  const c = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const sent: string[] = [];
  c.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      sent.push(command);
      if (refuse?.(command)) throw Object.assign(new Error(`S3 refused ${command}`), { name: 'InternalError', $fault: 'server' });
      return next(args);
    },
    { step: 'initialize', name: 'recordAndRefuse' },
  );
  return { client: c, sent };
};

/** Rows of about 1 KiB each: 12,000 of them make three parts. */
async function* rows(count: number, failAt?: number) {
  for (let i = 0; i < count; i++) {
    if (i === failAt) throw new Error('the table read failed');
    yield [`reader${i}@example.org`, 'x'.repeat(1000)];
  }
}

/** No object under the key: nothing half-written is readable. (s3rver has no ListMultipartUploads to check parts.) */
const absent = async (c: S3Client, key: string) =>
  c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => false,
    (error: Error) => error.name === 'NoSuchKey',
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'appeal-s3-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await s3.run();
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('S3ExportWriter', () => {
  it('streams a CSV of several parts, header first', async () => {
    const { client: c, sent } = client();
    const count = await new S3ExportWriter(c, BUCKET).write('exports/ok.csv', ['email', 'note'], rows(12_000));
    expect(count).toBe(12_000);
    expect(sent.filter((name) => name === 'UploadPartCommand').length).toBeGreaterThanOrEqual(2);
    const body = await (await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'exports/ok.csv' }))).Body?.transformToString();
    expect(body?.startsWith('\uFEFFemail,note\r\nreader0@example.org,')).toBe(true);
  });

  it('aborts the multipart upload when the rows fail half-way, leaving no parts behind', async () => {
    const { client: c, sent } = client();
    await expect(new S3ExportWriter(c, BUCKET).write('exports/broken.csv', ['email', 'note'], rows(12_000, 9_000))).rejects.toThrow(
      'the table read failed',
    );
    expect(sent).toContain('CreateMultipartUploadCommand');
    expect(sent).toContain('AbortMultipartUploadCommand');
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    expect(await absent(c, 'exports/broken.csv')).toBe(true);
  });

  it('fails, and aborts the upload, when S3 refuses a part while rows are still coming', async () => {
    const { client: c, sent } = client((command) => command === 'UploadPartCommand');
    const started = Date.now();
    await expect(new S3ExportWriter(c, BUCKET).write('exports/refused.csv', ['email', 'note'], rows(50_000))).rejects.toThrow();
    expect(sent).toContain('AbortMultipartUploadCommand');
    expect(await absent(c, 'exports/refused.csv')).toBe(true);
    // Not a speed measurement: a writer left waiting for a drain would instead run into vitest's timeout.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 30_000);
});
