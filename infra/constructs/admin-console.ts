import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { AdminConfig, ExportWorkerConfig } from '../../functions/configs.js';
import type { StageConfig } from '../config.js';
import { acceptFinding, acceptWildcards, wildcard } from '../nag.js';
import { AppFunction } from './app-function.js';
import { FailureQueue } from './failure-queue.js';
import { Feature } from './feature.js';
import type { SiteEnvironment } from './site.js';

export interface AdminConsoleProps {
  config: StageConfig;
  site: SiteEnvironment;
  signingSecret: ISecret;
  subscribersTable: ITable;
  donationsTable: ITable;
  exportBucket: IBucket;
  /** The audit log: the admin API appends to it (and can do nothing else there). */
  auditTable: ITable;
}

/**
 * The admin API behind bearer tokens (exports, data-subject requests, stats) and the export worker it starts: a
 * CSV export can take minutes, longer than API Gateway waits, so it runs on its own and writes to the export bucket,
 * from which the admin API hands out short-lived download links.
 */
export class AdminConsole extends Feature {
  readonly functions: { admin: AppFunction; 'export-worker': AppFunction };
  /** Where a failed export, and a start Lambda could not make, waits with its error. */
  readonly exportFailures: FailureQueue;

  constructor(scope: Construct, id: string, props: AdminConsoleProps) {
    super(scope, id);
    const { config, site, signingSecret, subscribersTable, donationsTable, exportBucket } = props;

    const exportWorker = new AppFunction(this, 'ExportWorkerFunction', {
      entry: 'export-worker',
      description: 'Export worker: streams subscribers or donations to CSV in S3',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      config: ExportWorkerConfig,
      environment: (bind) => ({
        // Its job item, and what it exports: a Query on the index when a filter allows, else a parallel Scan.
        SUBSCRIBERS_TABLE_NAME: bind.table(subscribersTable, {
          items: { 'dynamodb:GetItem': ['EXPORT#'], 'dynamodb:UpdateItem': ['EXPORT#'] },
          query: ['gsi1'],
          scan: true,
        }),
        // and, for the Gift Aid schedule, each declared gift's donor's cancellations.
        DONATIONS_TABLE_NAME: bind.table(donationsTable, { items: { 'dynamodb:GetItem': ['GIFTAID#'] }, query: ['gsi1'], scan: true }),
        // A multipart upload is s3:PutObject at every step; a failed one is aborted (the lifecycle rule is the backstop).
        EXPORT_BUCKET_NAME: bind.objects(exportBucket, 'exports/', ['s3:PutObject', 's3:AbortMultipartUpload']),
      }),
    });
    // No automatic retry of a failed export: it is marked failed, and the admin starts it again. Every failed run
    // (also one that died before it could mark its job: a timeout, out of memory) and every start Lambda could not
    // make within the hour waits here with its error, behind an alarm.
    this.exportFailures = new FailureQueue(this, 'ExportWorkerFailureQueue', {
      receives: 'failed invocations',
      alarm: {
        id: 'ExportWorkerFailuresAlarm',
        description: 'An export failed (or could not start): its request and error wait in the export failure queue',
      },
    });
    exportWorker.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(this.exportFailures) });

    const admin = new AppFunction(this, 'AdminFunction', {
      entry: 'admin',
      secretsExtension: true,
      description: 'Admin API: exports, data requests, stats',
      config: AdminConfig,
      environment: (bind) => ({
        ...site,
        // Tokens (checked, last use touched), data requests (show; erase to a marker), export jobs, the counts.
        SUBSCRIBERS_TABLE_NAME: bind.table(subscribersTable, {
          items: {
            'dynamodb:GetItem': ['TOKEN#', 'SUB#', 'SUPPRESS#', 'EXPORT#'],
            'dynamodb:PutItem': ['SUPPRESS#', 'EXPORT#'],
            // EXPORT#: an export whose worker died is marked failed when it is read past its deadline.
            'dynamodb:UpdateItem': ['TOKEN#', 'COUNTS#SUBSCRIBERS#', 'EXPORT#'],
            'dynamodb:DeleteItem': ['SUB#'],
            'dynamodb:BatchGetItem': ['COUNTS#SUBSCRIBERS#'],
            // The attribution counters: one partition a day.
            'dynamodb:Query': ['ATTR#'],
          },
        }),
        // Read only: the campaign list and a campaign's gifts (on the index), each campaign's totals, and the donor
        // markers that say in which campaigns an address has given (a data-subject request).
        // An experiment's results: its variants, views and clicks, and gifts per variant; the attribution counters.
        DONATIONS_TABLE_NAME: bind.table(donationsTable, {
          items: {
            'dynamodb:BatchGetItem': ['TOTALS#', 'DONOR#', 'EVENTS#', 'RESULTS#'],
            'dynamodb:GetItem': ['CAMPAIGN#', 'VARIANTS#'],
            'dynamodb:Query': ['ATTR#'],
          },
          query: ['gsi1'],
        }),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        // A download link is a GetObject presigned with the function's credentials.
        EXPORT_BUCKET_NAME: bind.objects(exportBucket, 'exports/', ['s3:GetObject']),
        EXPORT_WORKER_FUNCTION_NAME: bind.invoker(exportWorker.fn),
        COUNTER_SHARDS: undefined,
        LIST_IDS: config.lists.join(','),
        // Append only: an export, a download link, a data request or an erase made with a token is recorded.
        AUDIT_TABLE_NAME: bind.table(props.auditTable, { items: { 'dynamodb:PutItem': ['AUDIT'] } }),
        AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
        EVENT_COUNTER_SHARDS: undefined,
      }),
    });
    this.functions = { admin, 'export-worker': exportWorker };

    acceptFinding(
      exportWorker,
      'Serverless-LambdaDLQ',
      'Serverless-LambdaDLQ: a failed asynchronous invocation goes to an on-failure destination (an alarmed SQS queue), which keeps the error with the request where a dead-letter queue keeps only the event.',
    );
    // AwsSolutions-IAM5: every wildcard in each function's policy, named and reviewed: any other fails the infra tests,
    // and so does a reviewed one that no grant makes any more (tests/infra/stacks.test.ts).
    acceptWildcards(exportWorker, [wildcard.objectsUnder(exportBucket, 'exports/', 'each export writes a file of its own, named when it starts.')]);
    acceptWildcards(admin, [wildcard.objectsUnder(exportBucket, 'exports/', 'a download link may name any export file, and only an export file.')]);
  }
}
