import { DynamoExportJobs } from '../../adapters/dynamo-exports.js';
import { S3ExportLinks } from '../../adapters/s3-export-links.js';
import type { ExportAdminDeps } from '../../core/admin/exports/exports.js';
import { type ClientOptions, type documentClient, systemClock } from '../clients.js';
import { s3Client } from './export-bucket.js';
import type { ExportWorkerConfig } from '../../configs.js';

/**
 * What the admin API needs of exports: their job items, the worker to start, links to the bucket's objects. Only
 * the links half of the export store: the uploads are the worker's (export-worker/deps.ts), so that neither
 * function bundles the other's S3 helpers.
 */
export const exportAdminDeps = (
  config: Pick<ExportWorkerConfig, 'SUBSCRIBERS_TABLE_NAME' | 'EXPORT_BUCKET_NAME'>,
  clients: ClientOptions,
  dynamo: ReturnType<typeof documentClient>,
  worker: ExportAdminDeps['worker'],
): ExportAdminDeps => ({
  clock: systemClock,
  jobs: new DynamoExportJobs(dynamo, config.SUBSCRIBERS_TABLE_NAME),
  worker,
  links: new S3ExportLinks(s3Client(clients), config.EXPORT_BUCKET_NAME),
});
