import { S3Client } from '@aws-sdk/client-s3';
import { DynamoExportJobs, DynamoExportSource } from '../../adapters/dynamo-exports.js';
import { S3ExportStore } from '../../adapters/s3-export-store.js';
import type { ExportDeps } from '../../core/admin/exports.js';
import { type ClientOptions, clientConfig, type documentClient, systemClock } from '../clients.js';
import type { ExportWorkerConfig } from '../config.js';

/** What starting, running and reporting an export needs: its job items, the tables it reads, the bucket. */
export const exportDeps = (
  config: ExportWorkerConfig,
  clients: ClientOptions,
  dynamo: ReturnType<typeof documentClient>,
  worker: ExportDeps['worker'],
): ExportDeps => ({
  clock: systemClock,
  jobs: new DynamoExportJobs(dynamo, config.SUBSCRIBERS_TABLE_NAME),
  worker,
  store: new S3ExportStore(
    new S3Client({ ...clientConfig(clients, 's3'), forcePathStyle: clients.s3ForcePathStyle ?? false }),
    config.EXPORT_BUCKET_NAME,
  ),
  source: new DynamoExportSource(dynamo, { subscribers: config.SUBSCRIBERS_TABLE_NAME, donations: config.DONATIONS_TABLE_NAME }),
});
