import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ExportLinks } from '../core/admin/exports/ports.js';

/** Presigned GET links to written exports, as attachments named after the object. */
export class S3ExportLinks implements ExportLinks {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  link(key: string, seconds: number) {
    const filename = key.split('/').pop() ?? 'export.csv';
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentDisposition: `attachment; filename="${filename}"` }),
      { expiresIn: seconds },
    );
  }
}
