import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoAuditLog } from '../adapters/dynamo-audit.js';
import { DynamoEditors, DynamoNonceLedger, DynamoPasskeys, DynamoSessions } from '../adapters/dynamo-console.js';
import { DynamoDashboardCounters } from '../adapters/dynamo-dashboard.js';
import { DynamoRateLimiter } from '../adapters/dynamo-rate-limiter.js';
import { LambdaExportWorker } from '../adapters/lambda-export-worker.js';
import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import { S3ExportLinks } from '../adapters/s3-export-links.js';
import { SqsSignupAndMailQueue } from '../adapters/sqs-signup-and-mail-queue.js';
import { relyingParty } from '../core/console/relying-party.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import { brandOf } from '../platform/config.js';
import { loadOnce, onDemand } from '../platform/on-demand.js';
import { s3Client } from '../platform/wiring/export-bucket.js';
import type { ConsoleConfig } from './config.js';
import type { ConsoleDeps } from './routes.js';
import type { adminStores as buildAdminStores } from './admin-stores.js';

type AdminStores = ReturnType<typeof buildAdminStores>;

/**
 * The console's dependencies: the subscribers table (editors, sessions, passkeys, tokens, subscribers, export jobs,
 * day counters), the donations table (campaigns, gifts, day counters), the audit table, the mail queue, the export
 * worker and download links to the export bucket.
 */
export const buildConsole = async (config: ConsoleConfig, clients: ClientOptions, secrets: SecretSource) => {
  const dynamo = documentClient(clients);
  const table = config.SUBSCRIBERS_TABLE_NAME;
  const worker = new LambdaExportWorker(recorded(new LambdaClient(clientConfig(clients, 'lambda')), clients, 'lambda'), config.EXPORT_WORKER_FUNCTION_NAME);
  // Sign-in, the session check and the dashboard use none of these: their adapters load with the first section.
  const admin = <K extends keyof AdminStores>(name: K): AdminStores[K] =>
    onDemand(async () => (await import('./sections.js')).adminStores(dynamo, config)[name]);
  const exportJobs = admin('exportJobs');
  const experimentStores = async () => (await import('./sections.js')).experimentStores(dynamo, config.DONATIONS_TABLE_NAME, config.EVENT_COUNTER_SHARDS);
  const keys = deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID));
  const outboundStores = loadOnce(async () => (await import('./sections.js')).outboundStores(dynamo, config, clients, keys));
  const deps: ConsoleDeps = {
    jobs: exportJobs,
    worker,
    links: new S3ExportLinks(s3Client(clients), config.EXPORT_BUCKET_NAME),
    exportHistory: exportJobs,
    clock: systemClock,
    keys,
    editors: new DynamoEditors(dynamo, table),
    sessions: new DynamoSessions(dynamo, table),
    nonces: new DynamoNonceLedger(dynamo, table),
    passkeys: new DynamoPasskeys(dynamo, table),
    tokens: admin('tokens'),
    rateLimiter: new DynamoRateLimiter(dynamo, table),
    audit: new DynamoAuditLog(dynamo, config.AUDIT_TABLE_NAME, config.AUDIT_RETENTION_DAYS),
    queue: new SqsSignupAndMailQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), config.SIGNUP_AND_MAIL_QUEUE_URL),
    rp: relyingParty(config.PUBLIC_API_URL, config.SITE_NAME),
    limits: {
      client: { name: 'console-signin-client', limit: config.CONSOLE_SIGNIN_CLIENT_LIMIT_PER_HOUR, windowSeconds: 3600 },
      address: { name: 'console-signin-address', limit: config.CONSOLE_SIGNIN_ADDRESS_LIMIT_PER_HOUR, windowSeconds: 3600 },
    },
    counters: new DynamoDashboardCounters(dynamo, table, config.DONATIONS_TABLE_NAME),
    campaigns: admin('campaigns'),
    settings: { currencies: config.CURRENCIES },
    subscribers: admin('subscribers'),
    suppressions: admin('suppressions'),
    counts: admin('counts'),
    donorGifts: admin('donorGifts'),
    listIds: config.LIST_IDS,
    // Only the experiments' pages use these: their adapters load with the first of them, not at cold start.
    results: {
      clock: systemClock,
      experiments: onDemand(async () => (await experimentStores()).experiments),
      events: onDemand(async () => (await experimentStores()).events),
      gifts: onDemand(async () => (await experimentStores()).gifts),
    },
    // Only the webhooks' and connectors' pages use these: loaded with the first of them, as the experiments' are.
    webhooks: {
      clock: systemClock,
      endpoints: onDemand(async () => (await outboundStores()).endpoints),
      deliveries: onDemand(async () => (await outboundStores()).deliveries),
      queue: onDemand(async () => (await outboundStores()).queue),
      checkUrl: async (url) => (await outboundStores()).checkUrl(url),
    },
    connectors: {
      clock: systemClock,
      connectors: onDemand(async () => (await outboundStores()).connectors),
      checkUrl: async (url) => (await outboundStores()).checkUrl(url),
      publicApiUrl: config.PUBLIC_API_URL,
    },
    backfills: {
      clock: systemClock,
      connectors: onDemand(async () => (await outboundStores()).connectors),
      queue: onDemand(async () => (await outboundStores()).backfills),
    },
  };
  return { deps, options: { brand: brandOf(config), apiBaseUrl: config.PUBLIC_API_URL, secureCookie: config.SESSION_COOKIE_SECURE } };
};
