import { once } from 'node:events';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { stringify } from 'csv-stringify';
import { CSV_OPTIONS, type ExportWriter } from '../core/admin/exports.js';

/**
 * CSV (RFC 4180: CRLF, quotes as needed, UTF-8) streamed through a multipart upload: the writer waits for the
 * upload to drain, so memory holds a few parts at most, whatever the row count.
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
    let count = 0;
    try {
      if (!csv.write(header)) await once(csv, 'drain');
      for await (const row of rows) {
        if (!csv.write(row)) await once(csv, 'drain');
        count += 1;
      }
      csv.end();
    } catch (error) {
      await upload.abort().catch(() => undefined);
      throw error;
    }
    await uploaded;
    return count;
  }
}
