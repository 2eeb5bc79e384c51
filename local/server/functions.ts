import { randomBytes } from 'node:crypto';
import { makeHandler as adminHandler } from '../../functions/admin/routes.js';
import { makeHandler as consoleHandler } from '../../functions/console/routes.js';
import { makeHandler as donationsHandler } from '../../functions/donations/routes.js';
import { makeHandler as embedHandler } from '../../functions/embed/routes.js';
import { makeHandler as eventsHandler } from '../../functions/events/routes.js';
import { makeHandler as eventCounterHandler } from '../../functions/event-counter/handler.js';
import { buildEvents } from '../../functions/events/deps.js';
import { buildEventCounter } from '../../functions/event-counter/deps.js';
import { makeHandler as exportWorkerHandler } from '../../functions/export-worker/handler.js';
import { makeHandler as fallbackHandler } from '../../functions/fallback/routes.js';
import { makeHandler as mailerHandler } from '../../functions/signup-and-mail/handler.js';
import { makeHandler as sesEventsHandler } from '../../functions/ses-events/handler.js';
import { makeHandler as stripeWebhookHandler } from '../../functions/stripe-webhook/routes.js';
import { makeHandler as subscriptionsHandler } from '../../functions/subscriptions/routes.js';
import { makeHandler as remindersHandler } from '../../functions/reminders/handler.js';
import { RemindersConfig } from '../../functions/reminders/config.js';
import { buildReminders } from '../../functions/reminders/deps.js';
import { makeHandler as webhooksHandler } from '../../functions/webhooks/routes.js';
import { makeHandler as webhookEventsHandler } from '../../functions/webhook-events/handler.js';
import { makePullHandler as listmonkPullHandler, makeQueueHandler as webhookDeliveryHandler } from '../../functions/webhook-delivery/handler.js';
import { buildWebhooks } from '../../functions/webhooks/deps.js';
import { listDeliveries, listWebhooks } from '../../functions/core/events/admin.js';
import { buildWebhookEvents } from '../../functions/webhook-events/deps.js';
import { buildWebhookDelivery } from '../../functions/webhook-delivery/deps.js';
import type { StreamConsumer } from '../stand-ins/dynamodb-streams.js';
import type { AwsCall, ClientOptions } from '../../functions/platform/clients.js';
import {
  AdminConfig,
  brandOf,
  ConsoleConfig,
  DonationConfig,
  EventCounterConfig,
  EventsConfig,
  ExportWorkerConfig,
  FallbackConfig,
  loadConfig,
  SignupAndMailConfig,
  SesEventsConfig,
  SubscriptionConfig,
  WebhookConfig,
  WebhookDeliveryConfig,
  WebhookEventsConfig,
  WebhooksConfig,
} from '../../functions/configs.js';
import { buildAdmin } from '../../functions/admin/deps.js';
import { buildConsole } from '../../functions/console/deps.js';
import { buildDonations } from '../../functions/donations/deps.js';
import { buildExportWorker } from '../../functions/export-worker/deps.js';
import { buildSignupAndMail } from '../../functions/signup-and-mail/deps.js';
import { buildSesEvents } from '../../functions/ses-events/deps.js';
import { buildStripeWebhook } from '../../functions/stripe-webhook/deps.js';
import { buildSubscriptions } from '../../functions/subscriptions/deps.js';
import { ROUTES, routeKey } from '../../functions/platform/routes.js';
import { SecretsExtensionSource } from '../../functions/adapters/secrets-extension.js';
import type { SecretSource } from '../../functions/adapters/secret-values.js';
import { buildEmbedScript, widgetMessages } from '../../web/embed/build.js';
import type { QueueConsumer } from '../stand-ins/queue.js';
import { simulatorFeedback, snsNotification } from '../stand-ins/ses-simulator.js';
import type { DataDir } from './data-dir.js';
import type { HttpLambda } from './gateway.js';
import type { InFlight } from './in-flight.js';
import type { LocalAws } from './stand-ins.js';

/** Tests only: told of every AWS call each function makes, by the function's entry name (see DevServerOptions). */
export type AwsCallRecorder = (call: AwsCall & { function: string }) => void;

/**
 * Each function as its Lambda entry builds it: its configuration, validated by its own schema, from the one set of
 * variables `env`; its SDK clients from `clients` (pointing at the stand-ins); its secrets through the Parameters
 * and Secrets extension, as in AWS, here the AWS endpoint's stand-in of it. Answers the HTTP functions by route
 * key, and the functions that AWS invokes itself.
 */
export const buildFunctions = async (env: Readonly<Record<string, string>>, clients: ClientOptions, aws: LocalAws, recordAwsCalls?: AwsCallRecorder) => {
  aws.state.secretsExtensionToken = randomBytes(16).toString('hex');
  const extension = new SecretsExtensionSource({ baseUrl: aws.url, token: aws.state.secretsExtensionToken });
  // Without a recorder every function gets the same client options and secret source; with one, its own.
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
  const [subscriptionsRoot, mailerRoot, donationsRoot, webhookRoot, adminRoot, sesEventsRoot, consoleRoot] = await Promise.all([
    buildSubscriptions(loadConfig(SubscriptionConfig, env), clientsOf('subscriptions'), secretsOf('subscriptions')),
    buildSignupAndMail(loadConfig(SignupAndMailConfig, env), clientsOf('signup-and-mail'), secretsOf('signup-and-mail')),
    buildDonations(loadConfig(DonationConfig, env), clientsOf('donations'), secretsOf('donations')),
    buildStripeWebhook(loadConfig(WebhookConfig, env), clientsOf('stripe-webhook'), secretsOf('stripe-webhook')),
    buildAdmin(loadConfig(AdminConfig, env), clientsOf('admin'), secretsOf('admin')),
    buildSesEvents(loadConfig(SesEventsConfig, env), clientsOf('ses-events'), secretsOf('ses-events')),
    buildConsole(loadConfig(ConsoleConfig, env), clientsOf('console'), secretsOf('console')),
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
  const reminders = remindersHandler((await buildReminders(loadConfig(RemindersConfig, env), clientsOf('reminders'), secretsOf('reminders'))).deps);
  // The embed function as its entry makes it, from the widget built now from web/embed/ (not web/dist/: always current).
  const embed = embedHandler({ script: buildEmbedScript(), messages: widgetMessages(), maxAgeSeconds: 300 });
  const events = eventsHandler(buildEvents(loadConfig(EventsConfig, env), clientsOf('events')).deps);
  const countEvents = eventCounterHandler(buildEventCounter(loadConfig(EventCounterConfig, env), clientsOf('event-counter')).deps);
  // It answers no partial failures: a batch is counted whole or fails whole (event-counter/handler.ts).
  const eventCounter: QueueConsumer = async (event) => {
    await countEvents(event);
    return undefined;
  };
  const [webhooksRoot, webhookEventsRoot, webhookDeliveryRoot] = await Promise.all([
    buildWebhooks(loadConfig(WebhooksConfig, env), clientsOf('webhooks'), secretsOf('webhooks')),
    buildWebhookEvents(loadConfig(WebhookEventsConfig, env), clientsOf('webhook-events'), secretsOf('webhook-events')),
    buildWebhookDelivery(loadConfig(WebhookDeliveryConfig, env), clientsOf('webhook-delivery'), secretsOf('webhook-delivery')),
  ]);
  const webhooks = webhooksHandler(webhooksRoot.deps, webhooksRoot.options);
  const webhookEvents: StreamConsumer = webhookEventsHandler(webhookEventsRoot.deps, webhookEventsRoot.tables);
  const webhookDelivery: QueueConsumer = webhookDeliveryHandler(webhookDeliveryRoot.deps, webhookDeliveryRoot.backfill);
  const listmonkPull = listmonkPullHandler(webhookDeliveryRoot.pull);
  const editorConsole = consoleHandler(consoleRoot.deps, consoleRoot.options);
  const lambdas: Record<string, HttpLambda> = { subscriptions, donations, 'stripe-webhook': stripeWebhook, admin, embed, events, console: editorConsole, webhooks };
  const byRoute = new Map(ROUTES.map((route) => [routeKey(route), lambdas[route.fn] ?? fallback]));
  return {
    /** The function API Gateway integrates a route key with; the catch-all for any other. */
    forRoute: (key: string): HttpLambda => byRoute.get(key) ?? fallback,
    mailer,
    exportWorker,
    sesEvents,
    eventCounter,
    /** The reminders job, as its schedule invokes it (`{}`: now) or a person does (`{"at"}`). */
    reminders,
    webhookEvents,
    webhookDelivery,
    /** The delivery worker's scheduled run: the pull of listmonk's refusals (`{"job": "listmonk-pull"}`). */
    listmonkPull,
    /** Every endpoint with its last 100 deliveries, for the dev server's page. */
    webhookLog: async () =>
      Promise.all((await listWebhooks(webhooksRoot.deps.webhooks)).map(async (e) => ({ ...e, deliveries: await listDeliveries(webhooksRoot.deps.webhooks, e.id, 100) }))),
  };
};

export type LocalFunctions = Awaited<ReturnType<typeof buildFunctions>>;

/**
 * What AWS itself calls the functions on, here the AWS endpoint: Lambda's asynchronous Invoke of the export worker,
 * and SES's notifications through its configuration set's SNS topic. Their work runs in `background`. Mail that
 * SES accepted is journaled in the outbox before the sender hears that it was.
 */
export const connectToAws = (aws: LocalAws, functions: LocalFunctions, outbox: DataDir['outbox'], background: InFlight) => {
  const inBackground = (work: Promise<unknown>) =>
    background.track(work.catch((error: unknown) => console.error('[appeal] background work failed', error)));
  aws.state.functions.set('appeal-export-worker', async (payload) => inBackground(functions.exportWorker(payload)));
  // Mail that SES accepted stays accepted: aws-ses-v2-local keeps it in memory, the outbox journal on disk.
  aws.state.onMailAccepted = outbox.journalNewMail;
  // Real SES answers its mailbox simulator with a bounce or a complaint through the configuration set's SNS topic.
  aws.state.onMailSent = (recipients, messageId) => {
    for (const kind of simulatorFeedback(recipients)) inBackground(functions.sesEvents(snsNotification(kind, messageId)));
  };
};
