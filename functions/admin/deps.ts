import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoAdminTokens } from '../adapters/dynamo-admin.js';
import { DynamoDonorGifts } from '../adapters/dynamo-donor-gifts.js';
import { DynamoAuditLog } from '../adapters/dynamo-audit.js';
import { DynamoCampaignRepository } from '../adapters/dynamo-campaign-repository.js';
import { LambdaExportWorker } from '../adapters/lambda-export-worker.js';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import type { AdminDeps } from '../core/admin/admin.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import type { AdminConfig } from '../configs.js';
import { brandOf } from '../platform/config.js';
import { exportAdminDeps } from '../platform/wiring/exports.js';
import { subscriberCounts, subscriberStores } from '../platform/wiring/subscribers.js';
import { DynamoExperimentStore } from '../adapters/dynamo-experiments.js';
import { DynamoEventCounters } from '../adapters/dynamo-event-counters.js';
import { DynamoVariantGiftCounters } from '../adapters/dynamo-experiment-results.js';
import { DynamoAttributionCounters } from '../adapters/dynamo-attribution.js';

/** The admin API's dependencies: both tables, the audit log, the export bucket, the export worker's function, the signing key. */
export const buildAdmin = async (config: AdminConfig, clients: ClientOptions, secrets: SecretSource) => {
  const dynamo = documentClient(clients);
  const table = config.SUBSCRIBERS_TABLE_NAME;
  const admin: AdminDeps = {
    clock: systemClock,
    tokens: new DynamoAdminTokens(dynamo, table),
    ...subscriberStores(dynamo, table, config.COUNTER_SHARDS),
    counts: subscriberCounts(dynamo, table),
    campaigns: new DynamoCampaignRepository(dynamo, config.DONATIONS_TABLE_NAME, config.COUNTER_SHARDS),
    donorGifts: new DynamoDonorGifts(dynamo, config.DONATIONS_TABLE_NAME),
    keys: deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID)),
    audit: new DynamoAuditLog(dynamo, config.AUDIT_TABLE_NAME, config.AUDIT_RETENTION_DAYS),
  };
  const worker = new LambdaExportWorker(recorded(new LambdaClient(clientConfig(clients, 'lambda')), clients, 'lambda'), config.EXPORT_WORKER_FUNCTION_NAME);
  const donations = config.DONATIONS_TABLE_NAME;
  const results = {
    clock: systemClock,
    experiments: new DynamoExperimentStore(dynamo, donations),
    events: new DynamoEventCounters(dynamo, donations, config.EVENT_COUNTER_SHARDS),
    gifts: new DynamoVariantGiftCounters(dynamo, donations),
  };
  const attribution = { clock: systemClock, counters: new DynamoAttributionCounters(dynamo, [table, donations]) };
  return { deps: { admin, exports: exportAdminDeps(config, clients, dynamo, worker), results, attribution }, options: { siteName: config.SITE_NAME, brand: brandOf(config), listIds: config.LIST_IDS } };
};
