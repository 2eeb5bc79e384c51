import { DynamoExportJobs, DynamoExportSource } from '../adapters/dynamo-exports.js';
import { S3ExportWriter } from '../adapters/s3-export-writer.js';
import { DynamoGiftAidCancellations } from '../adapters/dynamo-gift-aid.js';
import type { ExportRunDeps } from '../core/admin/exports/exports.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import type { ExportWorkerConfig } from '../configs.js';
import { s3Client } from '../platform/wiring/export-bucket.js';

/** What running an export needs: its job item, the tables it reads, the bucket it writes. */
export const exportRunDeps = (config: ExportWorkerConfig, clients: ClientOptions, dynamo: ReturnType<typeof documentClient>): ExportRunDeps => ({
  clock: systemClock,
  jobs: new DynamoExportJobs(dynamo, config.SUBSCRIBERS_TABLE_NAME),
  source: new DynamoExportSource(dynamo, { subscribers: config.SUBSCRIBERS_TABLE_NAME, donations: config.DONATIONS_TABLE_NAME }),
  writer: new S3ExportWriter(s3Client(clients), config.EXPORT_BUCKET_NAME),
  giftAidCancellations: new DynamoGiftAidCancellations(dynamo, config.DONATIONS_TABLE_NAME),
});

/** The export worker's dependencies: the tables it reads and the bucket it writes. No secret, no Lambda client. */
export const buildExportWorker = (config: ExportWorkerConfig, clients: ClientOptions) => ({
  deps: exportRunDeps(config, clients, documentClient(clients)),
});
