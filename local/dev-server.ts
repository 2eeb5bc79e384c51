import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import sesLocalModule from 'aws-ses-v2-local';
import S3rver from 's3rver';
import { makeHandler as adminHandler } from '../functions/admin/routes.js';
import { makeHandler as donationsHandler } from '../functions/donations/routes.js';
import { makeHandler as embedHandler } from '../functions/embed/routes.js';
import { makeHandler as exportWorkerHandler } from '../functions/export-worker/handler.js';
import { makeHandler as fallbackHandler } from '../functions/fallback/routes.js';
import { makeHandler as mailerHandler } from '../functions/signup-and-mail/handler.js';
import { makeHandler as sesEventsHandler } from '../functions/ses-events/handler.js';
import { makeHandler as stripeWebhookHandler } from '../functions/stripe-webhook/routes.js';
import { makeHandler as subscriptionsHandler } from '../functions/subscriptions/routes.js';
import { type AwsCall, type ClientOptions, clientConfig, documentClient } from '../functions/platform/clients.js';
import {
  AdminConfig,
  brandOf,
  DonationConfig,
  ExportWorkerConfig,
  FallbackConfig,
  loadConfig,
  SignupAndMailConfig,
  SesEventsConfig,
  SubscriptionConfig,
  WebhookConfig,
} from '../functions/configs.js';
import { logger } from '../functions/platform/logger.js';
import { buildAdmin } from '../functions/admin/deps.js';
import { buildDonations } from '../functions/donations/deps.js';
import { buildExportWorker } from '../functions/export-worker/deps.js';
import { buildSignupAndMail } from '../functions/signup-and-mail/deps.js';
import { buildSesEvents } from '../functions/ses-events/deps.js';
import { buildStripeWebhook } from '../functions/stripe-webhook/deps.js';
import { buildSubscriptions } from '../functions/subscriptions/deps.js';
import { ROUTES, routeKey } from '../functions/platform/routes.js';
import { SecretsExtensionSource } from '../functions/adapters/secrets-extension.js';
import type { SecretSource } from '../functions/adapters/secret-values.js';
import { type AwsEndpointState, startAwsEndpoint } from './aws-endpoint.js';
import { DEMO_CAMPAIGN, seedDemoCampaign } from './demo.js';
import { demoSite } from './demo-site.js';
import { buildEmbedScript } from '../web/embed/build.js';
import { type HttpLambda, serveThroughGateway } from './gateway.js';
import { ACCOUNT, EXPORT_BUCKET, localClientOptions, localEnvironment, REGION } from './dev-config.js';
import { assertDataDirFree, loadKeys, type OutboxEmail, restoreOutbox } from './data-dir.js';
import { closeServer, freePort, isPortFree, listen } from './http-server.js';
import { serveLocal } from './local-routes.js';
import { LocalQueue, type QueueConsumer } from './queue.js';
import { simulatorFeedback, snsNotification } from './ses-simulator.js';
import { StripeSimulator } from './stripe-simulator.js';
import type { TableName } from '../infra/tables.js';
import { startStrictDynamoLocal } from './dynamodb-local.js';
import { createTables, LOCAL_TABLES } from './tables.js';

// aws-ses-v2-local is CommonJS with `exports.default`; Node's ESM interop wraps it once more.
const sesLocal: typeof sesLocalModule =
  typeof sesLocalModule === 'function' ? sesLocalModule : (sesLocalModule as unknown as { default: typeof sesLocalModule }).default;

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const WEB = join(ROOT, 'web');

export interface DevServerOptions {
  /** 0 picks a free port. */
  port?: number;
  /** The demo site's port (its own origin, embedding the API's widget); default `port + 1` when free, else a free one. */
  sitePort?: number;
  dataDir: string;
  /** Base of every link the product builds; default `http://localhost:<port>`. */
  publicUrl?: string;
  /**
   * Configuration, as the functions' environment variables, that wins over the dev defaults (and over the
   * process's environment). Each function's schema validates what it reads of it.
   */
  env?: Record<string, string>;
  /**
   * A DynamoDB Local that is already running, and the table names to use in it (the tests share one engine per
   * run). Without it the server starts its own, keeping the data under `dataDir`.
   */
  dynamodb?: { endpoint: string; tables: Record<TableName, string> };
  /**
   * Tests only: told of every AWS call each function makes (its SDK clients' commands, and its secrets as the
   * Parameters and Secrets extension reads them with the function's role), by the function's entry name.
   */
  recordAwsCalls?: (call: AwsCall & { function: string }) => void;
}


export type { OutboxEmail } from './data-dir.js';
export { DataDirInUseError } from './data-dir.js';

export interface DevServer {
  url: string;
  port: number;
  /** The demo site: the article embedding Appeal from `url`, another origin (`http://localhost:<sitePort>`). */
  siteUrl: string;
  /** The DynamoDB tables' names (the functions get them from their configuration). */
  tables: Record<TableName, string>;
  /** How the functions' SDK clients reach the local stand-ins: for a test or a script that looks behind them. */
  clientOptions: ClientOptions;
  /** The functions' configuration variables, as a stage's stack sets them (resource names included). */
  environment: Readonly<Record<string, string>>;
  /** The local Stripe simulator's API. */
  stripeApiUrl: string;
  /** Resolves once the mail queue has delivered (or dead-lettered) everything sent so far. */
  mailIdle(): Promise<void>;
  outbox(): OutboxEmail[];
  /** Makes the local SES fail (503) or recover, to show that mail waits in the queue and is not lost. */
  setSesOutage(down: boolean): void;
  close(): Promise<void>;
}







/**
 * The whole product on one machine: AWS's DynamoDB Local (on disk), aws-ses-v2-local, a local endpoint for SQS, Secrets
 * Manager and Lambda, and the same Lambda handlers behind an API Gateway stand-in. Each function is composed as
 * its Lambda entry composes it (the same schema, the same root), from a configuration built here and SDK client
 * options that point at the stand-ins; the process's environment is read, never written.
 */
export const startDevServer = async (options: DevServerOptions): Promise<DevServer> => {
  // The dev machines run Node 20; Lambda runs Node 22, so the SDK's notice about Node 20 is noise here. The SDK
  // reads this switch from the process's environment only; it is no function's configuration.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  if (!options.dynamodb) assertDataDirFree(dataDir);
  const state = await loadKeys(dataDir);
  const outbox = restoreOutbox(dataDir);

  const ownDynamo = options.dynamodb ? undefined : await startStrictDynamoLocal({ dbPath: join(dataDir, 'dynamodb'), quickStart: true });
  const dynamoEndpoint = options.dynamodb?.endpoint ?? (ownDynamo as { endpoint: string }).endpoint;
  const tables = options.dynamodb?.tables ?? LOCAL_TABLES;
  const ses = await sesLocal({ host: '127.0.0.1', port: 0 });
  const sesPort = (ses.address() as AddressInfo).port;

  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dataDir, 's3'), configureBuckets: [{ name: EXPORT_BUCKET }] });
  const { port: s3Port } = await s3.run();

  const aws: AwsEndpointState = {
    queues: new Map(),
    secrets: new Map<string, string>(),
    functions: new Map(),
    sesUrl: `http://127.0.0.1:${sesPort}`,
  };
  const endpoint = await startAwsEndpoint(aws);

  // The public port is known now (links and the webhook URL need it) but listened on only once every handler is
  // attached, at the end: a request that arrives during start-up is refused, not accepted and never answered.
  const http = createServer();
  const port = options.port || (await freePort());
  const url = (options.publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const sitePort = options.sitePort || (options.port && (await isPortFree(options.port + 1)) ? options.port + 1 : await freePort());
  const siteUrl = `http://localhost:${sitePort}`;
  const queueUrl = `${endpoint.url}/${ACCOUNT}/appeal-mail`;
  const secretId = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:appeal/signing`;
  aws.secrets.set(secretId, JSON.stringify({ signingKey: state.signingKey }));
  const stripeSecretId = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:appeal/stripe`;
  const stripeKey = 'sk_test_appeal_local_simulator';
  aws.secrets.set(stripeSecretId, JSON.stringify({ secretKey: stripeKey, webhookSecret: state.webhookSecret }));
  const stripe = new StripeSimulator({
    secretKey: stripeKey,
    webhookSecret: state.webhookSecret,
    publicUrl: url,
    webhookUrl: `http://127.0.0.1:${port}/v1/stripe/webhook`,
    stateFile: join(dataDir, 'stripe.json'),
  });
  const stripeApiUrl = await stripe.start();

  const clients = localClientOptions({ dynamodb: dynamoEndpoint, aws: endpoint.url, s3: `http://127.0.0.1:${s3Port}` });
  const env = localEnvironment(
    { url, tables, queueUrl, secretId, stripeSecretId, stripeApiUrl, exportBucket: EXPORT_BUCKET, siteUrl },
    options.env,
  );
  logger.setLogLevel((env.LOG_LEVEL ?? 'WARN') as Parameters<typeof logger.setLogLevel>[0]);

  await createTables(new DynamoDBClient(clientConfig(clients, 'dynamodb')), tables);
  await seedDemoCampaign(documentClient(clients), tables.donations);
  await writeFile(
    join(dataDir, 'endpoints.json'),
    JSON.stringify({ url, pid: process.pid, dynamodb: dynamoEndpoint, tables }, null, 2),
  );

  // Each function as its Lambda entry builds it: its configuration (validated by its own schema) and its clients.
  // Secrets as the functions read them in AWS: from the Parameters and Secrets extension's local stand-in.
  aws.secretsExtensionToken = randomBytes(16).toString('hex');
  const extension = new SecretsExtensionSource({ baseUrl: endpoint.url, token: aws.secretsExtensionToken });
  // Without a recorder every function gets the same client options and secret source; with one, its own.
  const { recordAwsCalls } = options;
  const clientsOf = (fn: string): ClientOptions =>
    recordAwsCalls ? { ...clients, recorder: (call) => recordAwsCalls({ function: fn, ...call }) } : clients;
  const secretsOf = (fn: string): SecretSource =>
    recordAwsCalls
      ? {
          getSecretString: (SecretId) => {
            recordAwsCalls({ function: fn, service: 'secretsManager', command: 'GetSecretValueCommand', input: { SecretId } });
            return extension.getSecretString(SecretId);
          },
        }
      : extension;
  const [subscriptionsRoot, mailerRoot, donationsRoot, webhookRoot, adminRoot, sesEventsRoot] = await Promise.all([
    buildSubscriptions(loadConfig(SubscriptionConfig, env), clientsOf('subscriptions'), secretsOf('subscriptions')),
    buildSignupAndMail(loadConfig(SignupAndMailConfig, env), clientsOf('signup-and-mail'), secretsOf('signup-and-mail')),
    buildDonations(loadConfig(DonationConfig, env), clientsOf('donations'), secretsOf('donations')),
    buildStripeWebhook(loadConfig(WebhookConfig, env), clientsOf('stripe-webhook'), secretsOf('stripe-webhook')),
    buildAdmin(loadConfig(AdminConfig, env), clientsOf('admin'), secretsOf('admin')),
    buildSesEvents(loadConfig(SesEventsConfig, env), clientsOf('ses-events'), secretsOf('ses-events')),
  ]);
  const subscriptions = subscriptionsHandler(subscriptionsRoot.deps, subscriptionsRoot.options);
  const fallbackConfig = loadConfig(FallbackConfig, env);
  const fallback = fallbackHandler({ siteName: fallbackConfig.SITE_NAME, brand: brandOf(fallbackConfig) });
  const mailer: QueueConsumer = mailerHandler(mailerRoot.deps);
  const donations = donationsHandler(donationsRoot.deps, donationsRoot.options);
  const stripeWebhook = stripeWebhookHandler(webhookRoot.deps, webhookRoot.options);
  const admin = adminHandler(adminRoot.deps, adminRoot.options);
  const exportWorker = exportWorkerHandler(buildExportWorker(loadConfig(ExportWorkerConfig, env), clientsOf('export-worker')).deps);
  const sesEvents = sesEventsHandler(sesEventsRoot.deps);
  // The embed function as its entry makes it, from the widget built now from web/embed/ (not web/dist/: always current).
  const embed = embedHandler({ script: buildEmbedScript(), maxAgeSeconds: 300 });
  const lambdas: Record<string, HttpLambda> = { subscriptions, donations, 'stripe-webhook': stripeWebhook, admin, embed };
  // Work still running (background invocations, requests being handled), so that closing can wait for its writes.
  const track = (running: Set<Promise<unknown>>, work: Promise<unknown>) => {
    const tracked = work.finally(() => running.delete(tracked));
    running.add(tracked);
  };
  const background = new Set<Promise<unknown>>();
  const inBackground = (work: Promise<unknown>) =>
    track(background, work.catch((error: unknown) => console.error('[appeal] background work failed', error)));
  aws.functions.set('appeal-export-worker', async (payload) => inBackground(exportWorker(payload)));
  // Mail that SES accepted stays accepted: aws-ses-v2-local keeps it in memory, the outbox journal on disk.
  aws.onMailAccepted = outbox.journalNewMail;
  // Real SES answers its mailbox simulator with a bounce or a complaint through the configuration set's SNS topic.
  aws.onMailSent = (recipients, messageId) => {
    for (const kind of simulatorFeedback(recipients)) inBackground(sesEvents(snsNotification(kind, messageId)));
  };
  const byRoute = new Map(ROUTES.map((route) => [routeKey(route), lambdas[route.fn] ?? fallback]));

  const mailQueue = new LocalQueue(mailer, {
    name: 'appeal-mail',
    retryDelayMs: 500,
    onDeadLetter: () => console.error('[appeal] a mail job failed 10 times and moved to the dead-letter list'),
    // Kept as SQS keeps it: what was accepted and not yet delivered is delivered after a crash or a stop.
    journalPath: join(dataDir, 'mail-queue.jsonl'),
  });
  aws.queues.set(queueUrl, mailQueue);

  const cors = {
    // API.md: SITE_ORIGINS adds origins; the server's own and its demo site's are always allowed.
    allowOrigins: [...new Set([new URL(url).origin, siteUrl, ...(env.SITE_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean)])],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['content-type'],
    maxAgeSeconds: 600,
  };
  const requests = new Set<Promise<unknown>>();
  http.on('request', (req, res) => {
    // API Gateway stamps its own answers (preflights, 413s) with an id too; the functions' own ids win below.
    res.setHeader('x-request-id', randomUUID());
    const handled = (async () => {
      if (await stripe.handleLocal(req, res)) return;
      if (await serveLocal(req, res, { web: WEB, siteUrl, outbox: outbox.accepted })) return;
      await serveThroughGateway(req, res, (key) => byRoute.get(key) ?? fallback, cors);
    })().catch((error: unknown) => {
      console.error('[appeal] request failed', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal_error', message: 'Local server failure.' } }));
    });
    track(requests, handled);
  });
  await listen(http, port, '127.0.0.1');

  // The demo site, on its own origin: the article, embedding the widget from the API above.
  const site = createServer();
  const serveSite = demoSite({
    web: WEB,
    api: url,
    siteName: env.SITE_NAME ?? 'Appeal',
    campaign: DEMO_CAMPAIGN,
    list: env.DEFAULT_LIST ?? null,
    serveAsset: (req, res) => serveLocal(req, res, { web: WEB, siteUrl, outbox: () => [] }),
  });
  site.on('request', (req, res) => {
    const handled = serveSite(req, res).catch((error: unknown) => {
      console.error('[appeal] demo site request failed', error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The demo site could not build its page: is the API answering?');
    });
    track(requests, handled);
  });
  try {
    await listen(site, sitePort, '127.0.0.1');
  } catch (error) {
    await closeServer(http);
    throw error;
  }

  let closed = false;
  return {
    url,
    port,
    siteUrl,
    tables,
    clientOptions: clients,
    environment: env,
    stripeApiUrl,
    mailIdle: async () => {
      do {
        await mailQueue.idle();
        await Promise.all(background);
      } while (background.size > 0);
    },
    outbox: outbox.accepted,
    setSesOutage: (down) => {
      aws.sesOutage = down;
    },
    async close() {
      if (closed) return;
      closed = true;
      // No new connections; the requests and the mail batch in flight finish their writes before the stand-ins stop.
      await Promise.all([closeServer(site), closeServer(http, () => Promise.all([...requests, mailQueue.close()]))]);
      await stripe.close();
      await Promise.all(background);
      await Promise.all([closeServer(ses), closeServer(endpoint.server), ownDynamo?.close(), s3.close()]);
      // Nothing to save here: the mail queue and the outbox are journaled as they change, so a crash loses nothing.
    },
  };
};
