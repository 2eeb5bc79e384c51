import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoAdminTokens, DynamoSuppressions } from '../adapters/dynamo-admin.js';
import { DynamoCampaignRepository } from '../adapters/dynamo-donations.js';
import { DynamoExportJobs, DynamoExportSource } from '../adapters/dynamo-exports.js';
import { DynamoSubscriberCounts, DynamoSubscriberRepository } from '../adapters/dynamo-subscriber-repository.js';
import { LambdaExportWorker } from '../adapters/lambda-export-worker.js';
import { S3ExportStore } from '../adapters/s3-export-store.js';
import { loadSigningKey, secretsManagerSource } from '../adapters/secrets-manager.js';
import type { AdminDeps } from '../core/admin/admin.js';
import type { ExportDeps } from '../core/admin/exports.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { documentClient, systemClock } from './clients.js';
import type { AdminConfig, ExportWorkerConfig, SesEventsConfig } from './config.js';

/** The subscribers repository with its counts, and the suppression markers: what admin and SES events change. */
const subscriberStores = (dynamo: ReturnType<typeof documentClient>, table: string, shards: number) => ({
  counts: new DynamoSubscriberCounts(dynamo, table),
  subscribers: new DynamoSubscriberRepository(dynamo, table, shards),
  suppressions: new DynamoSuppressions(dynamo, table),
});

export const exportDeps = (config: ExportWorkerConfig, worker: ExportDeps['worker']): ExportDeps => {
  const dynamo = documentClient(config.AWS_REGION);
  const s3 = new S3Client({ region: config.AWS_REGION, forcePathStyle: config.S3_FORCE_PATH_STYLE });
  return {
    clock: systemClock,
    jobs: new DynamoExportJobs(dynamo, config.SUBSCRIBERS_TABLE_NAME),
    worker,
    store: new S3ExportStore(s3, config.EXPORT_BUCKET_NAME),
    source: new DynamoExportSource(dynamo, { subscribers: config.SUBSCRIBERS_TABLE_NAME, donations: config.DONATIONS_TABLE_NAME }),
  };
};

export const adminDeps = async (config: AdminConfig) => {
  const dynamo = documentClient(config.AWS_REGION);
  const signingKey = await loadSigningKey(secretsManagerSource(new SecretsManagerClient({ region: config.AWS_REGION })), config.SIGNING_SECRET_ID);
  const admin: AdminDeps = {
    clock: systemClock,
    tokens: new DynamoAdminTokens(dynamo, config.SUBSCRIBERS_TABLE_NAME),
    ...subscriberStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, config.COUNTER_SHARDS),
    campaigns: new DynamoCampaignRepository(dynamo, config.DONATIONS_TABLE_NAME, config.COUNTER_SHARDS),
    keys: deriveKeys(signingKey),
  };
  const exports = exportDeps(config, new LambdaExportWorker(new LambdaClient({ region: config.AWS_REGION }), config.EXPORT_WORKER_FUNCTION_NAME));
  return { admin, exports };
};

export const sesEventDeps = async (config: SesEventsConfig) => {
  const dynamo = documentClient(config.AWS_REGION);
  const signingKey = await loadSigningKey(secretsManagerSource(new SecretsManagerClient({ region: config.AWS_REGION })), config.SIGNING_SECRET_ID);
  return { clock: systemClock, keys: deriveKeys(signingKey), ...subscriberStores(dynamo, config.SUBSCRIBERS_TABLE_NAME, config.COUNTER_SHARDS) };
};
