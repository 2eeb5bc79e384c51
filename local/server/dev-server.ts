import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type ClientOptions, clientConfig, documentClient } from '../../functions/platform/clients.js';
import { logger } from '../../functions/platform/logger.js';
import type { TableName } from '../../infra/tables.js';
import { DEMO_CAMPAIGN, seedDemoCampaign } from '../demo/campaign.js';
import { serveDemoSite } from '../demo/site.js';
import { corsPolicy, serveApi } from './api.js';
import { type OutboxEmail, openDataDir, recordEndpoints } from './data-dir.js';
import { DEMO_SITE_NAME, EXPORT_BUCKET, localClientOptions, localEnvironment } from './dev-config.js';
import { type AwsCallRecorder, buildFunctions, connectToAws } from './functions.js';
import { closeServer, freePort, isPortFree } from './http-server.js';
import { InFlight } from './in-flight.js';
import { serveLocal } from './local-routes.js';
import { type ConnectorStandIns, connectorStandInsView, LISTMONK_PREFIX, MAILCHIMP_PREFIX, openConnectorStandIns, serveConnectorApis, serveConnectorStandInsPage } from './connector-stand-ins.js';
import {
  eventsQueueUrl,
  mailQueueUrl,
  setUpLocalStripe,
  startAws,
  startDynamo,
  startEventsQueue,
  startMailQueue,
  startS3,
  startSes,
  startStripe,
  startTableStreams,
  startWebhookQueue,
  storeSecrets,
  webhookQueueUrl,
} from './stand-ins.js';
import { createTables } from './tables.js';
import { LISTMONK_PULL_JOB } from '../../functions/webhook-delivery/handler.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
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
  recordAwsCalls?: AwsCallRecorder;
  /**
   * `unset` starts the server as a stage is before anyone fills in its Stripe secret: the secret holds the stack's
   * placeholder, and the donation routes and the webhook answer 503 `donations_not_configured`.
   */
  stripeSecret?: 'set' | 'unset';
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
  /** Resolves once the events queue has counted (or dead-lettered) every view and click sent so far. */
  eventsIdle(): Promise<void>;
  /**
   * Resolves once every change made so far has been published as events and every delivery attempt due now has
   * been made (retries due later wait).
   */
  webhooksIdle(): Promise<void>;
  outbox(): OutboxEmail[];
  /**
   * The newsletter tools' stand-ins, on the demo site's port: Mailchimp's API base (`--api-url`) and listmonk's
   * (`--url`), and the stand-ins themselves (for a test that looks inside).
   */
  connectorStandIns: ConnectorStandIns & { mailchimpUrl: string; listmonkUrl: string };
  /** Makes the local SES fail (503) or recover, to show that mail waits in the queue and is not lost. */
  setSesOutage(down: boolean): void;
  close(): Promise<void>;
}

/**
 * The whole product on one machine: AWS's DynamoDB Local (on disk), aws-ses-v2-local, s3rver, a local endpoint for
 * SQS, Secrets Manager and Lambda, a Stripe simulator, and the same Lambda handlers behind an API Gateway stand-in,
 * with the demo site on an origin of its own. Each function is composed as its Lambda entry composes it (the same
 * schema, the same root), from a configuration built here and SDK client options that point at the stand-ins; the
 * process's environment is read, never written (but for the SDK's own switch below).
 */
/** How often the dev server runs the reminders job by itself. */
const REMINDERS_INTERVAL_MS = 60_000;
/** How often the dev server pulls listmonk's refusals by itself. */
const LISTMONK_PULL_INTERVAL_MS = 60_000;

export const startDevServer = async (options: DevServerOptions): Promise<DevServer> => {
  // The dev machines run Node 20; Lambda runs Node 22, so the SDK's notice about Node 20 is noise here. The SDK
  // reads this switch from the process's environment only; it is no function's configuration.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const data = await openDataDir(options.dataDir, { ownEngine: !options.dynamodb });
  const dynamo = await startDynamo(data.dir, options.dynamodb);
  const ses = await startSes();
  const s3 = await startS3(data.dir);
  const aws = await startAws(ses.url);
  const { port, url, sitePort, siteUrl } = await chooseAddresses(options);
  const stripe = await startStripe({ url, port, dataDir: data.dir });
  const siteName = options.env?.SITE_NAME ?? process.env.SITE_NAME ?? DEMO_SITE_NAME;
  Object.assign(data.keys, await setUpLocalStripe({ url, dataDir: data.dir, stripeApiUrl: stripe.apiUrl, siteName }));
  const secrets = storeSecrets(aws, data.keys);
  if (options.stripeSecret === 'unset') aws.state.secrets.set(secrets.stripeSecretId, JSON.stringify({ placeholder: randomBytes(16).toString('hex') }));

  const clients = localClientOptions({ dynamodb: dynamo.endpoint, aws: aws.url, s3: s3.endpoint });
  const { tables } = dynamo;
  const env = localEnvironment(
    { url, siteUrl, tables, queueUrl: mailQueueUrl(aws), eventsQueueUrl: eventsQueueUrl(aws), webhookQueueUrl: webhookQueueUrl(aws), ...secrets, stripeApiUrl: stripe.apiUrl, exportBucket: EXPORT_BUCKET },
    options.env,
  );
  logger.setLogLevel((env.LOG_LEVEL ?? 'WARN') as Parameters<typeof logger.setLogLevel>[0]);
  await createTables(new DynamoDBClient(clientConfig(clients, 'dynamodb')), tables);
  await seedDemoCampaign(documentClient(clients), tables.donations);
  await recordEndpoints(data.dir, { url, dynamodb: dynamo.endpoint, tables, stripeApi: stripe.apiUrl });

  const functions = await buildFunctions(env, clients, aws, options.recordAwsCalls);
  const background = new InFlight();
  connectToAws(aws, functions, data.outbox, background);
  const mailQueue = startMailQueue(aws, functions.mailer, data);
  const eventsQueue = startEventsQueue(aws, functions.eventCounter, data);
  const webhookQueue = startWebhookQueue(aws, functions.webhookDelivery, data);
  const streams = startTableStreams(dynamo.endpoint, tables, functions.webhookEvents, data);

  const requests = new InFlight();
  const tools = openConnectorStandIns(data.dir);
  const cors = corsPolicy(url, siteUrl, env.SITE_ORIGINS);
  const api = await serveApi({
    port, web: WEB, siteUrl, cors, requests, stripe: stripe.simulator, outbox: data.outbox.accepted, webhooks: functions.webhookLog, forRoute: functions.forRoute,
    // The giving statements are a run of the same function, with their own payload (the CLI's `statements send`).
    jobs: { reminders: functions.reminders, statements: functions.reminders, 'listmonk-pull': functions.listmonkPull },
    connectorsPage: (req, res) => serveConnectorStandInsPage(req, res, () => connectorStandInsView(tools, siteUrl)),
  });
  // What the stage's schedule does: the reminders job, every minute here (every few minutes on a stage).
  const reminderRuns = setInterval(() => {
    background.track(functions.reminders({}).catch((error: unknown) => console.error('[appeal] reminders run failed', error)));
  }, REMINDERS_INTERVAL_MS);
  reminderRuns.unref();
  // And the pull of listmonk's refusals, every minute here (every 15 minutes on a stage).
  const listmonkPulls = setInterval(() => {
    background.track(functions.listmonkPull(LISTMONK_PULL_JOB).catch((error: unknown) => console.error('[appeal] listmonk pull failed', error)));
  }, LISTMONK_PULL_INTERVAL_MS);
  listmonkPulls.unref();
  const site = await serveDemoSite(sitePort, { ...demoSiteOptions(url, siteUrl, env), tools: (req, res) => serveConnectorApis(req, res, tools) }, requests).catch(async (error: unknown) => {
    await closeServer(api);
    throw error;
  });

  let closed = false;
  return {
    url,
    port,
    siteUrl,
    tables,
    clientOptions: clients,
    environment: env,
    stripeApiUrl: stripe.apiUrl,
    connectorStandIns: { ...tools, mailchimpUrl: `${siteUrl}${MAILCHIMP_PREFIX}`, listmonkUrl: `${siteUrl}${LISTMONK_PREFIX}` },
    mailIdle: async () => {
      do {
        await mailQueue.idle();
        await background.settled();
      } while (background.size > 0);
    },
    eventsIdle: () => eventsQueue.idle(),
    webhooksIdle: async () => {
      await Promise.all(streams.map((stream) => stream.caughtUp()));
      await webhookQueue.settled();
    },
    outbox: data.outbox.accepted,
    setSesOutage: (down) => {
      aws.state.sesOutage = down;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(reminderRuns);
      clearInterval(listmonkPulls);
      // No new connections; the requests and the mail batch in flight finish their writes before the stand-ins stop.
      await Promise.all([closeServer(site), closeServer(api, () => Promise.all([requests.settled(), mailQueue.close(), eventsQueue.close()]))]);
      await Promise.all(streams.map((stream) => stream.close()));
      await webhookQueue.close();
      await stripe.simulator.close();
      await background.settled();
      await Promise.all([ses.close(), aws.close(), dynamo.close(), s3.close()]);
      // Nothing to save here: the mail queue and the outbox are journaled as they change, so a crash loses nothing.
    },
  };
};

/**
 * The API's port and public URL, and the demo site's port. Chosen now, as links and the webhook URL need them, but
 * listened on only at the end of the start (see serveApi).
 */
const chooseAddresses = async (options: DevServerOptions) => {
  const port = options.port || (await freePort());
  const url = (options.publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const sitePort = options.sitePort || (options.port && (await isPortFree(options.port + 1)) ? options.port + 1 : await freePort());
  return { port, url, sitePort, siteUrl: `http://localhost:${sitePort}` };
};

/** The demo site: the article, embedding the widget from the API at `url`, with the configured publication and list. */
const demoSiteOptions = (url: string, siteUrl: string, env: Readonly<Record<string, string>>) => ({
  web: WEB,
  api: url,
  siteName: env.SITE_NAME ?? 'Appeal',
  campaign: DEMO_CAMPAIGN,
  list: env.DEFAULT_LIST ?? null,
  serveAsset: (req: IncomingMessage, res: ServerResponse) => serveLocal(req, res, { web: WEB, siteUrl, outbox: () => [] }),
});
