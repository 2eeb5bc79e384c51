import { once } from 'node:events';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { stringify } from 'csv-stringify';
import { CSV_OPTIONS } from '../core/admin/exports/csv.js';
import type { ExportWriter } from '../core/admin/exports/ports.js';

/**
 * CSV (RFC 4180: CRLF, quotes as needed, UTF-8 after a byte-order mark; see CSV_OPTIONS) streamed through a
 * multipart upload: the writer waits for the upload to drain, so memory holds a few parts at most, whatever the
 * row count.
 */
export class S3ExportWriter implements ExportWriter {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async write(key: string, header: readonly string[], rows: AsyncIterable<readonly string[]>) {
    const csv = stringify(CSV_OPTIONS);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: csv, ContentType: 'text/csv; charset=utf-8' },
      partSize: 5 * 1024 * 1024, // the minimum part: memory holds queueSize + 1 parts at most
      queueSize: 2,
    });
    const uploaded = upload.done();
    uploaded.catch(() => undefined); // observed below; avoid an unhandled rejection while rows are still read
    // Wait for room in the stream, or for the upload to fail: once S3 refuses a part nobody reads the stream, and
    // a plain wait for 'drain' would hold the worker until its timeout.
    const room = () =>
      Promise.race([
        once(csv, 'drain'),
        uploaded.then(() => {
          throw new Error('the upload ended before the rows did');
        }),
      ]);
    let count = 0;
    try {
      if (!csv.write(header)) await room();
      for await (const row of rows) {
        if (!csv.write(row)) await room();
        count += 1;
      }
      csv.end();
    } catch (error) {
      // End the body with the error: the upload's readers fail with it, and the upload, as it fails, sends
      // AbortMultipartUpload for the parts already stored. (Upload#abort would only make done() reject at once,
      // leaving its readers waiting on a stream nobody ends, and the parts until the bucket's one-day rule.)
      csv.destroy(error instanceof Error ? error : new Error(String(error)));
      await uploaded.catch(() => undefined);
      throw error;
    }
    await uploaded;
    return count;
  }
}
