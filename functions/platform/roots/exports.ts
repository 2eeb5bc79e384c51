import { S3Client } from '@aws-sdk/client-s3';
import { DynamoExportJobs, DynamoExportSource } from '../../adapters/dynamo-exports.js';
import { S3ExportLinks } from '../../adapters/s3-export-links.js';
import { S3ExportWriter } from '../../adapters/s3-export-writer.js';
import type { ExportAdminDeps, ExportRunDeps } from '../../core/admin/exports.js';
import { type ClientOptions, clientConfig, type documentClient, systemClock } from '../clients.js';
import type { ExportWorkerConfig } from '../config.js';

const s3Client = (clients: ClientOptions) =>
  new S3Client({ ...clientConfig(clients, 's3'), forcePathStyle: clients.s3ForcePathStyle ?? false });

/** What the admin API needs of exports: their job items, the worker to start, links to the bucket's objects. */
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

/** What running an export needs: its job item, the tables it reads, the bucket it writes. */
export const exportRunDeps = (config: ExportWorkerConfig, clients: ClientOptions, dynamo: ReturnType<typeof documentClient>): ExportRunDeps => ({
  clock: systemClock,
  jobs: new DynamoExportJobs(dynamo, config.SUBSCRIBERS_TABLE_NAME),
  source: new DynamoExportSource(dynamo, { subscribers: config.SUBSCRIBERS_TABLE_NAME, donations: config.DONATIONS_TABLE_NAME }),
  writer: new S3ExportWriter(s3Client(clients), config.EXPORT_BUCKET_NAME),
});
