import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import sesLocalModule from 'aws-ses-v2-local';
import S3rver from 's3rver';
import type { TableName } from '../../infra/tables.js';
import { type AwsEndpointState, startAwsEndpoint } from '../stand-ins/aws-endpoint.js';
import { startStrictDynamoLocal } from '../stand-ins/dynamodb-local.js';
import { LocalQueue, type QueueConsumer } from '../stand-ins/queue.js';
import { StreamPoller, type StreamConsumer } from '../stand-ins/dynamodb-streams.js';
import { WATCHED_PREFIXES, type WatchedTable } from '../../functions/core/events/changes.js';
import { StripeSimulator } from '../stand-ins/stripe/simulator.js';
import { dataDirStore, portalHeadline, setUpStripe, stripeFor, WEBHOOK_PATH } from '../../cli/stripe-setup.js';
import type { DataDir } from './data-dir.js';
import { ACCOUNT, EXPORT_BUCKET, REGION, STRIPE_TEST_KEY } from './dev-config.js';
import { closeServer } from './http-server.js';
import { LOCAL_TABLES } from './tables.js';

// Each outside service the functions call, started on a free loopback port and keeping its data (when it has any)
// in the data folder. Each answers how to reach it and how to stop it.

// aws-ses-v2-local is CommonJS with `exports.default`; Node's ESM interop wraps it once more.
const sesLocal: typeof sesLocalModule =
  typeof sesLocalModule === 'function' ? sesLocalModule : (sesLocalModule as unknown as { default: typeof sesLocalModule }).default;

/** A DynamoDB Local that is already running, with the table names to use in it (the tests share one engine per run). */
export interface SharedDynamo {
  endpoint: string;
  tables: Record<TableName, string>;
}

/** DynamoDB Local on the data folder behind the conflict proxy; or the shared one, which is not this server's to stop. */
export const startDynamo = async (dataDir: string, shared: SharedDynamo | undefined) => {
  if (shared) return { endpoint: shared.endpoint, tables: shared.tables, close: async () => {} };
  const own = await startStrictDynamoLocal({ dbPath: join(dataDir, 'dynamodb'), quickStart: true });
  return { endpoint: own.endpoint, tables: LOCAL_TABLES, close: () => own.close() };
};

/** aws-ses-v2-local: it stores the mail that the AWS endpoint passes on (the outbox journal keeps it on disk). */
export const startSes = async () => {
  const server = await sesLocal({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
};

/** s3rver, with the export bucket, on the data folder. */
export const startS3 = async (dataDir: string) => {
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dataDir, 's3'), configureBuckets: [{ name: EXPORT_BUCKET }] });
  const { port } = await s3.run();
  return { endpoint: `http://127.0.0.1:${port}`, close: () => s3.close() };
};

/** The local endpoint for SQS, Secrets Manager, Lambda Invoke and SES; what it serves is attached to its state later. */
export const startAws = async (sesUrl: string) => {
  const state: AwsEndpointState = { queues: new Map(), secrets: new Map(), functions: new Map(), sesUrl };
  const endpoint = await startAwsEndpoint(state);
  return { state, url: endpoint.url, close: () => closeServer(endpoint.server) };
};

export type LocalAws = Awaited<ReturnType<typeof startAws>>;

/** The mail queue's URL: the queue the signup-and-mail function is fed from. */
export const mailQueueUrl = (aws: LocalAws) => `${aws.url}/${ACCOUNT}/appeal-mail`;

/** The secrets a stage keeps in Secrets Manager, made from the data folder's keys; answers their ids (signing, Stripe). */
export const storeSecrets = (aws: LocalAws, keys: DataDir['keys']) => {
  const secretId = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:appeal/signing`;
  aws.state.secrets.set(secretId, JSON.stringify({ signingKey: keys.signingKey }));
  const stripeSecretId = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:appeal/stripe`;
  aws.state.secrets.set(stripeSecretId, JSON.stringify({ secretKey: STRIPE_TEST_KEY, webhookSecret: keys.webhookSecret, portalConfiguration: keys.portalConfiguration }));
  return { secretId, stripeSecretId };
};

/**
 * The Stripe simulator, keeping its objects in the data folder. It delivers webhooks to the endpoints registered
 * with it, reaching those on the server's public URL at the API's port (whatever host name PUBLIC_URL has). The
 * port is listened on only at the end of the start: a delivery due before then is refused, and retried as Stripe
 * retries.
 */
export const startStripe = async (o: { url: string; port: number; dataDir: string }) => {
  const publicOrigin = new URL(o.url).origin;
  const simulator = new StripeSimulator({
    secretKey: STRIPE_TEST_KEY,
    publicUrl: o.url,
    reach: (url) => (new URL(url).origin === publicOrigin ? `http://127.0.0.1:${o.port}${url.slice(publicOrigin.length)}` : url),
    stateFile: join(o.dataDir, 'stripe.json'),
  });
  return { simulator, apiUrl: await simulator.start() };
};

/**
 * The server's own webhook endpoint and portal configuration in the simulator, made as `stripe setup --local` makes
 * them (the same code), so that `npm start` takes payments out of the box, and a new Appeal version's events reach
 * it: the first start registers the endpoint and stores its signing secret in the data folder (`state.json`); later
 * ones find it as it should be and change nothing. Answers the webhook secret the server's functions verify with,
 * and the portal configuration their portal sessions name.
 */
export const setUpLocalStripe = async (o: { url: string; dataDir: string; stripeApiUrl: string; siteName: string }) => {
  const secrets = dataDirStore(o.dataDir, STRIPE_TEST_KEY);
  await setUpStripe(stripeFor(STRIPE_TEST_KEY, o.stripeApiUrl), secrets, { webhookUrl: `${o.url}${WEBHOOK_PATH}`, portal: { headline: portalHeadline(o.siteName) } });
  const { webhookSecret, portalConfiguration } = await secrets.read();
  if (!webhookSecret || !portalConfiguration) throw new Error('the Stripe setup stored no webhook secret or portal configuration');
  return { webhookSecret, portalConfiguration };
};

/**
 * The mail queue and its event source mapping, feeding the signup-and-mail function, served on the AWS endpoint.
 * It is kept as SQS keeps it: what was accepted and not yet delivered is delivered after a crash or a stop.
 */
export const startMailQueue = (aws: LocalAws, mailer: QueueConsumer, data: DataDir) => {
  const queue = new LocalQueue(mailer, {
    name: 'appeal-mail',
    retryDelayMs: 500,
    onDeadLetter: () => console.error('[appeal] a mail job failed 10 times and moved to the dead-letter list'),
    journalPath: join(data.dir, 'mail-queue.jsonl'),
  });
  aws.state.queues.set(mailQueueUrl(aws), queue);
  return queue;
};

/** The events queue's URL: the queue the event counter is fed from. */
export const eventsQueueUrl = (aws: LocalAws) => `${aws.url}/${ACCOUNT}/appeal-events`;

/**
 * The events queue and its event source mapping, feeding the event counter in batches of up to 2,000 (as the
 * stack's mapping does; infra/constructs/events.ts), journaled like the mail queue.
 */
export const startEventsQueue = (aws: LocalAws, counter: QueueConsumer, data: DataDir) => {
  const queue = new LocalQueue(counter, {
    name: 'appeal-events',
    batchSize: 2_000,
    maxReceiveCount: 5,
    retryDelayMs: 500,
    onDeadLetter: () => console.error('[appeal] a batch of events failed 5 times and moved to the dead-letter list'),
    journalPath: join(data.dir, 'events-queue.jsonl'),
  });
  aws.state.queues.set(eventsQueueUrl(aws), queue);
  return queue;
};

/** The webhook delivery queue's URL: the queue the delivery worker is fed from. */
export const webhookQueueUrl = (aws: LocalAws) => `${aws.url}/${ACCOUNT}/appeal-webhooks`;

/**
 * The webhook delivery queue and its event source mapping, feeding the delivery worker 5 attempts at a time (as
 * the stack's mapping does; infra/constructs/outbound-events.ts), with SQS's delays, journaled like the mail queue.
 */
export const startWebhookQueue = (aws: LocalAws, worker: QueueConsumer, data: DataDir) => {
  const queue = new LocalQueue(worker, {
    name: 'appeal-webhooks',
    batchSize: 5,
    maxReceiveCount: 5,
    retryDelayMs: 500,
    onDeadLetter: () => console.error('[appeal] a webhook delivery job failed 5 times and moved to the dead-letter list'),
    journalPath: join(data.dir, 'webhook-queue.jsonl'),
  });
  aws.state.queues.set(webhookQueueUrl(aws), queue);
  return queue;
};

/**
 * The tables' change streams, each read by a stand-in of the event source mapping that feeds the webhook events
 * producer (with the mapping's filter), keeping its position in the data folder.
 */
export const startTableStreams = (endpoint: string, tables: Record<TableName, string>, producer: StreamConsumer, data: DataDir) =>
  (Object.keys(WATCHED_PREFIXES) as WatchedTable[]).map((table) =>
    new StreamPoller({
      endpoint,
      tableName: tables[table],
      prefixes: WATCHED_PREFIXES[table],
      consumer: producer,
      checkpointPath: join(data.dir, `stream-${table}.json`),
    }).start(),
  );
