import { type CfnElement, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type {
  HttpApi,
} from 'aws-cdk-lib/aws-apigatewayv2';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IConfigurationSet, IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionEntry, StageConfig } from '../config.js';
import { addMonitoring } from '../monitoring.js';
import { acceptFinding, acceptWildcards, wildcard } from '../nag.js';
import {
  AdminConfig,
  ExportWorkerConfig,
  SesEventsConfig,
} from '../../functions/configs.js';
import { AppFunction, } from '../constructs/app-function.js';
import { logicalIdWithoutFeatures } from '../constructs/feature.js';
import { MailingList } from '../constructs/mailing-list.js';
import { Donations } from '../constructs/donations.js';
import { PublicApi } from '../constructs/public-api.js';
import { SigningKey } from '../constructs/signing-key.js';
import { siteEnvironment } from '../constructs/site.js';
import { EmbedConfig } from '../../functions/embed/config.js';
import { embedDefine } from '../../web/embed/build.js';

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  subscribersTable: ITable;
  donationsTable: ITable;
  exportBucket: IBucket;
  sesEventsTopic: ITopic;
  configurationSet: IConfigurationSet;
  emailIdentity: IEmailIdentity;
}

/** Everything stateless: the HTTP API, the functions, the mail queue, alarms. Safe to destroy and redeploy. */
export class ApiStack extends Stack {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;

    const signingSecret = new SigningKey(this, 'SigningKey').secret;

    const publicApi = new PublicApi(this, 'PublicApi', { config });
    const api = publicApi.httpApi;
    this.api = api;
    const publicApiUrl = publicApi.url;
    const site = siteEnvironment(config, publicApiUrl);
    const mailingList = new MailingList(this, 'MailingList', {
      config,
      site,
      signingSecret,
      subscribersTable: props.subscribersTable,
      emailIdentity: props.emailIdentity,
      configurationSet: props.configurationSet,
    });
    const { subscriptions, signupAndMail } = mailingList;
    const signupAndMailQueue = mailingList.queue;
    const donationsFeature = new Donations(this, 'Donations', {
      config,
      site,
      signingSecret,
      donationsTable: props.donationsTable,
      mailQueue: signupAndMailQueue,
    });
    const { donations, stripeWebhook, stripeSecret } = donationsFeature;

    const exportWorker = new AppFunction(this, 'ExportWorkerFunction', {
      entry: 'export-worker',
      description: 'Export worker: streams subscribers or donations to CSV in S3',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      config: ExportWorkerConfig,
      environment: (bind) => ({
        // Its job item, and what it exports: a Query on the index when a filter allows, else a parallel Scan.
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, {
          items: { 'dynamodb:GetItem': ['EXPORT#'], 'dynamodb:UpdateItem': ['EXPORT#'] },
          query: ['gsi1'],
          scan: true,
        }),
        DONATIONS_TABLE_NAME: bind.table(props.donationsTable, { query: ['gsi1'], scan: true }),
        // A multipart upload is s3:PutObject at every step; a failed one is aborted (the lifecycle rule is the backstop).
        EXPORT_BUCKET_NAME: bind.objects(props.exportBucket, 'exports/', ['s3:PutObject', 's3:AbortMultipartUpload']),
      }),
    });
    // No automatic retry of a failed export: it is marked failed, and the admin starts it again. Every failed run
    // (also one that died before it could mark its job: a timeout, out of memory) and every start Lambda could not
    // make within the hour waits here with its error, behind an alarm.
    const exportFailures = new Queue(this, 'ExportWorkerFailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    exportWorker.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(exportFailures) });

    const admin = new AppFunction(this, 'AdminFunction', {
      entry: 'admin',
      secretsExtension: true,
      description: 'Admin API: exports, data requests, stats',
      config: AdminConfig,
      environment: (bind) => ({
        ...site,
        // Tokens (checked, last use touched), data requests (show; erase to a marker), export jobs, the counts.
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, {
          items: {
            'dynamodb:GetItem': ['TOKEN#', 'SUB#', 'SUPPRESS#', 'EXPORT#'],
            'dynamodb:PutItem': ['SUPPRESS#', 'EXPORT#'],
            'dynamodb:UpdateItem': ['TOKEN#', 'COUNTS#SUBSCRIBERS#'],
            'dynamodb:DeleteItem': ['SUB#'],
            'dynamodb:BatchGetItem': ['COUNTS#SUBSCRIBERS#', 'STATS'],
          },
        }),
        // Read only: the campaign list and a campaign's gifts (on the index), each campaign's totals, and the donor
        // markers that say in which campaigns an address has given (a data-subject request).
        DONATIONS_TABLE_NAME: bind.table(props.donationsTable, { items: { 'dynamodb:BatchGetItem': ['TOTALS#', 'DONOR#'] }, query: ['gsi1'] }),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        // A download link is a GetObject presigned with the function's credentials.
        EXPORT_BUCKET_NAME: bind.objects(props.exportBucket, 'exports/', ['s3:GetObject']),
        EXPORT_WORKER_FUNCTION_NAME: bind.invoker(exportWorker.fn),
        COUNTER_SHARDS: undefined,
        LIST_IDS: config.lists.join(','),
      }),
    });

    const sesEvents = new AppFunction(this, 'SesEventsFunction', {
      entry: 'ses-events',
      secretsExtension: true,
      description: 'SES bounces and complaints: suppress the address',
      config: SesEventsConfig,
      environment: (bind) => ({
        // Marks the address (a suppression marker) and its subscriber bounced or complained, with the counts.
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, {
          items: {
            'dynamodb:GetItem': ['SUB#'],
            'dynamodb:PutItem': ['SUB#', 'SUPPRESS#'],
            'dynamodb:UpdateItem': ['COUNTS#SUBSCRIBERS#'],
          },
        }),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        COUNTER_SHARDS: undefined,
      }),
    });
    // A notification the function could not record (after Lambda's own retries) waits here, behind an alarm:
    // a lost bounce would mean mailing a dead address again.
    const sesEventFailures = new Queue(this, 'SesEventsDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    sesEvents.fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(sesEventFailures) });
    // SNS's own delivery to the function, when Lambda refuses it (throttled, unavailable) past SNS's retries, too.
    props.sesEventsTopic.addSubscription(new LambdaSubscription(sesEvents.fn, { deadLetterQueue: sesEventFailures }));

    // GET /v1/embed.js: the widget's script, built from web/embed/ as the function is bundled and inlined into it,
    // so a deploy carries the current sources. No client, no secret, no grant.
    const embed = new AppFunction(this, 'EmbedFunction', {
      entry: 'embed',
      description: 'Embed: the donation banner and signup form script for the site (GET /v1/embed.js)',
      memorySize: 256,
      config: EmbedConfig,
      define: embedDefine(),
      environment: () => ({}),
    });

    publicApi.addRoutes({ subscriptions, donations, 'stripe-webhook': stripeWebhook, admin, embed });

    const functions: Record<FunctionEntry, AppFunction> = {
      subscriptions,
      'signup-and-mail': signupAndMail,
      donations,
      'stripe-webhook': stripeWebhook,
      admin,
      'export-worker': exportWorker,
      'ses-events': sesEvents,
      fallback: publicApi.fallback,
      embed,
    };
    // Reserved concurrency only where the stage asks for it (infra/config.ts `reservedConcurrency`).
    for (const [entry, fn] of Object.entries(functions)) fn.reserveConcurrency(config.reservedConcurrency[entry as FunctionEntry]);
    const monitoring = addMonitoring(this, {
      config,
      api,
      accessLogs: publicApi.accessLogs,
      functions,
      mailQueue: signupAndMailQueue,
      failureQueues: [
        { ...mailingList.deadLetters.alarm, queue: mailingList.deadLetters },
        { id: 'SesEventFailuresAlarm', queue: sesEventFailures, description: 'SES bounce or complaint notifications could not be recorded' },
        { id: 'ExportWorkerFailuresAlarm', queue: exportFailures, description: 'An export failed (or could not start): its request and error wait in the export failure queue' },
      ],
      configurationSetName: props.configurationSet.configurationSetName,
    });

    // cdk-nag findings, each answered on its own resource with the reason (infra/nag.ts); call after every grant.
    for (const fn of [exportWorker, sesEvents]) {
      acceptFinding(
        fn,
        'Serverless-LambdaDLQ',
        'Serverless-LambdaDLQ: a failed asynchronous invocation goes to an on-failure destination (an alarmed SQS queue), which keeps the error with the request where a dead-letter queue keeps only the event.',
      );
    }
    for (const queue of [sesEventFailures, exportFailures]) {
      acceptFinding(
        queue,
        'Serverless-SQSRedrivePolicy',
        'Serverless-SQSRedrivePolicy: this queue is where failed work ends (a dead-letter queue or an on-failure destination, alarmed); a person reads it, nothing redrives it onward.',
      );
    }
    for (const queue of [sesEventFailures, exportFailures]) {
      acceptFinding(queue, 'AwsSolutions-SQS3', "AwsSolutions-SQS3: this queue is itself a function's failure destination, not a work queue that needs a dead-letter queue.");
    }
    // AwsSolutions-IAM5: every wildcard in each function's policy, named and reviewed: any other fails the infra tests,
    // and so does a reviewed one that no grant makes any more (tests/infra/stacks.test.ts).
    acceptWildcards(exportWorker, [wildcard.objectsUnder(props.exportBucket, 'exports/', 'each export writes a file of its own, named when it starts.')]);
    acceptWildcards(admin, [wildcard.objectsUnder(props.exportBucket, 'exports/', 'a download link may name any export file, and only an export file.')]);

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'PublicApiUrl', { value: publicApiUrl });
    new CfnOutput(this, 'SignupAndMailQueueUrl', { value: signupAndMailQueue.queueUrl });
    new CfnOutput(this, 'StripeSecretArn', { value: stripeSecret.secretArn });
    new CfnOutput(this, 'StripeWebhookUrl', { value: `${publicApiUrl}/v1/stripe/webhook` });
    new CfnOutput(this, 'DashboardName', { value: monitoring.dashboard.dashboardName });
  }

  /** Logical ids leave the features out (see `Feature`): grouping resources into features replaces none of them. */
  protected override allocateLogicalId(element: CfnElement): string {
    return logicalIdWithoutFeatures(element);
  }
}
