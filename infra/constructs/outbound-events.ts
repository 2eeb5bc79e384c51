import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { WATCHED_PREFIXES, type WatchedTable } from '../../functions/core/events/changes.js';
import { WebhookDeliveryConfig, WebhookEventsConfig, WebhooksConfig } from '../../functions/configs.js';
import { LISTMONK_PULL_JOB } from '../../functions/webhook-delivery/handler.js';
import { acceptFinding } from '../nag.js';
import { AppFunction } from './app-function.js';
import { FailureQueue } from './failure-queue.js';
import { Feature } from './feature.js';
import type { SiteEnvironment } from './site.js';

export interface OutboundEventsProps {
  site: SiteEnvironment;
  signingSecret: ISecret;
  /** Both tables need their change stream (NEW_AND_OLD_IMAGES): the data stack turns it on. */
  subscribersTable: ITable;
  donationsTable: ITable;
  /** The mail queue: an endpoint disabled after three days of failures is told to the admins by email. */
  mailQueue: IQueue;
}

/** Attempts one worker invocation makes, one after another (each may wait up to 10 s for an endpoint). */
export const DELIVERY_BATCH = 5;
/** How often the delivery worker pulls listmonk's refusals (listmonk has no webhooks): a "no" said there reaches Appeal within this. */
export const LISTMONK_PULL_EVERY = Duration.minutes(15);
/** The line the delivery worker logs when it disables an endpoint; its metric's alarm tells the admins. */
export const ENDPOINT_DISABLED_MESSAGE = 'webhook endpoint disabled';

/**
 * Signed events for the newsroom's own tools, from outside the write paths: the tables' change streams feed the
 * webhook events producer, which derives the contract's events from each item's images, keeps them, and queues
 * one delivery per listening endpoint; the delivery worker signs and sends each attempt through the guarded
 * client, and queues its retry by the schedule (SQS delays, 15 minutes at a time). The webhooks API manages the
 * endpoints and their logs. No function in the signup or payment paths knows any of this exists.
 */
export class OutboundEvents extends Feature {
  readonly functions: { webhooks: AppFunction; 'webhook-events': AppFunction; 'webhook-delivery': AppFunction };
  readonly queue: Queue;
  /** Deliveries whose messages failed repeatedly (not failed attempts: those are retried by the schedule). */
  readonly deadLetters: FailureQueue;
  /** Stream batches the producer could not publish after its retries. */
  readonly streamFailures: FailureQueue;
  /** An endpoint was disabled after three days of failures: its action is the stack's alarm topic (the admins' email). */
  readonly endpointDisabledAlarm: Alarm;

  constructor(scope: Construct, id: string, props: OutboundEventsProps) {
    super(scope, id);
    const { site, signingSecret, subscribersTable, donationsTable } = props;
    const workerTimeout = Duration.seconds(DELIVERY_BATCH * 10 + 30);

    this.deadLetters = new FailureQueue(this, 'WebhookDeliveryDeadLetterQueue', {
      receives: 'dead letters',
      alarm: { id: 'WebhookDeliveryDeadLettersAlarm', description: 'Webhook deliveries could not be attempted or recorded repeatedly and wait in the dead-letter queue' },
    });
    this.streamFailures = new FailureQueue(this, 'WebhookEventsFailureQueue', {
      receives: 'failed invocations',
      alarm: { id: 'WebhookEventsFailuresAlarm', description: 'Changes could not be published as webhook events: their stream positions wait in the failure queue' },
    });
    // In the stack's scope, as the other work queues are: the SQS event source names its mapping after the queue's path.
    this.queue = new Queue(Stack.of(this), 'WebhookDeliveryQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(6 * workerTimeout.toSeconds()),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });

    const producer = new AppFunction(this, 'WebhookEventsFunction', {
      entry: 'webhook-events',
      secretsExtension: true,
      description: 'Webhook events: the tables’ changes into kept events and queued deliveries',
      config: WebhookEventsConfig,
      timeout: Duration.seconds(60),
      environment: (bind) => ({
        // Events and monthly starts kept, deliveries created (each only if absent); an erase's scrub (the index,
        // then each item); the endpoints' list (the index); whether a person is erased (their marker); an erase's
        // sealed address per connector delivery; each donor's gifts and monthly gifts (scrubbed with the person).
        SUBSCRIBERS_TABLE_NAME: bind.table(subscribersTable, {
          items: {
            'dynamodb:PutItem': ['WHEVENT#', 'WHMONTHLY#', 'WHDELIVERY#', 'WHERASE#', 'WHDONOR#'],
            'dynamodb:GetItem': ['WHMONTHLY#', 'SUPPRESS#'],
            'dynamodb:DeleteItem': ['WHEVENT#', 'WHDONOR#'],
            'dynamodb:UpdateItem': ['WHMONTHLY#'],
          },
          query: ['gsi1'],
        }),
        // Read through its stream only (the event source's grant): its name tells a record's table.
        DONATIONS_TABLE_NAME: bind.table(donationsTable, {}),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        WEBHOOK_QUEUE_URL: bind.queueSender(this.queue),
        SITE_LANGUAGE: site.SITE_LANGUAGE,
        WEBHOOK_ENDPOINTS_CACHE_SECONDS: undefined,
      }),
    });
    for (const [table, stream] of [
      ['subscribers', subscribersTable],
      ['donations', donationsTable],
    ] as [WatchedTable, ITable][]) {
      producer.fn.addEventSource(
        new DynamoEventSource(stream, {
          // From the deploy on: the changes before it were never promised as events.
          startingPosition: StartingPosition.LATEST,
          batchSize: 100,
          maxBatchingWindow: Duration.seconds(1),
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          retryAttempts: 20,
          maxRecordAge: Duration.days(1),
          onFailure: new SqsDlq(this.streamFailures),
          // Only the items events are made from: rate windows, mail ledger entries and the events' own items never
          // invoke the producer.
          filters: WATCHED_PREFIXES[table].map((prefix) => FilterCriteria.filter({ dynamodb: { Keys: { pk: { S: FilterRule.beginsWith(prefix) } } } })),
        }),
      );
    }

    const worker = new AppFunction(this, 'WebhookDeliveryFunction', {
      entry: 'webhook-delivery',
      secretsExtension: true,
      description: 'Webhook delivery: one signed attempt per queued job, its retry queued by the schedule',
      config: WebhookDeliveryConfig,
      timeout: workerTimeout,
      environment: (bind) => ({
        // The delivery (claimed, then its outcome), its endpoint (failing since, disabled) or connector, and its
        // event; for a connector, the subscriber as they are now, marked unsubscribed (and counted) when the tool
        // holds their "no"; an erase's sealed address (read, then dropped); a donor's gifts (one partition, queried).
        // A connector's backfill: the confirmed readers on the status index, its progress on the connector's item.
        SUBSCRIBERS_TABLE_NAME: bind.table(subscribersTable, {
          items: {
            'dynamodb:GetItem': ['WEBHOOK#', 'WHEVENT#', 'WHDELIVERY#', 'CONNECTOR#', 'SUB#', 'WHERASE#'],
            'dynamodb:BatchGetItem': ['SUB#'],
            'dynamodb:PutItem': ['SUB#'],
            'dynamodb:UpdateItem': ['WEBHOOK#', 'WHDELIVERY#', 'COUNTS#SUBSCRIBERS#', 'DAY#', 'CONNECTOR#'],
            'dynamodb:DeleteItem': ['WHERASE#'],
            'dynamodb:Query': ['WHDONOR#'],
          },
          query: ['gsi1'],
        }),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        WEBHOOK_QUEUE_URL: bind.queueSender(this.queue),
        PUBLIC_API_URL: site.PUBLIC_API_URL,
        OUTBOUND_LOOPBACK_HTTP: undefined,
        SITE_LANGUAGE: site.SITE_LANGUAGE,
        COUNTER_SHARDS: undefined,
        SIGNUP_AND_MAIL_QUEUE_URL: bind.queueSender(props.mailQueue),
      }),
    });
    worker.fn.addEventSource(new SqsEventSource(this.queue, { batchSize: DELIVERY_BATCH, reportBatchItemFailures: true, maxConcurrency: 10 }));
    // The pull of listmonk's refusals runs in the worker, which holds the tools' clients, the guarded HTTP client and
    // every grant it needs (the connectors on the index, their cursors, the subscribers marked and counted). A run
    // that fails raises the function's errors alarm; Lambda's own retries of it, and the next run, repeat it
    // harmlessly (the cursor moves only after a whole pull).
    new Rule(this, 'ListmonkPullSchedule', {
      description: "Pulls listmonk's unsubscribed and blocklisted subscribers into Appeal",
      schedule: Schedule.rate(LISTMONK_PULL_EVERY),
      // An invocation EventBridge could not make waits in the worker's alarmed dead-letter queue.
      targets: [new LambdaFunction(worker.fn, { event: RuleTargetInput.fromObject(LISTMONK_PULL_JOB), retryAttempts: 0, deadLetterQueue: this.deadLetters })],
    });

    const api = new AppFunction(this, 'WebhooksFunction', {
      entry: 'webhooks',
      secretsExtension: true,
      description: 'Webhooks API: the newsroom’s endpoints, their secrets and delivery logs',
      config: WebhooksConfig,
      environment: (bind) => ({
        ...site,
        // Tokens (checked, last use touched); endpoints (added, rotated, enabled, removed, listed on the index);
        // deliveries (listed on the index, sent again); connectors (added, removed, listed on the index, a backfill
        // started on their item); Mailchimp's list webhook: its connector, the subscriber marked unsubscribed or
        // bounced (and counted), the suppression marker.
        SUBSCRIBERS_TABLE_NAME: bind.table(subscribersTable, {
          items: {
            'dynamodb:GetItem': ['TOKEN#', 'WEBHOOK#', 'WHDELIVERY#', 'CONNECTOR#', 'SUB#'],
            'dynamodb:PutItem': ['WEBHOOK#', 'CONNECTOR#', 'SUB#', 'SUPPRESS#'],
            'dynamodb:UpdateItem': ['TOKEN#', 'WEBHOOK#', 'WHDELIVERY#', 'CONNECTOR#', 'COUNTS#SUBSCRIBERS#', 'DAY#'],
            'dynamodb:DeleteItem': ['WEBHOOK#', 'CONNECTOR#'],
          },
          query: ['gsi1'],
        }),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        WEBHOOK_QUEUE_URL: bind.queueSender(this.queue),
        OUTBOUND_LOOPBACK_HTTP: undefined,
        COUNTER_SHARDS: undefined,
      }),
    });

    const disabled = new MetricFilter(this, 'WebhookEndpointDisabledMetricFilter', {
      logGroup: worker.logGroup,
      filterPattern: FilterPattern.all(FilterPattern.stringValue('$.message', '=', ENDPOINT_DISABLED_MESSAGE), FilterPattern.stringValue('$.level', '=', 'ERROR')),
      metricNamespace: 'Appeal',
      metricName: 'WebhookEndpointsDisabled',
      metricValue: '1',
    });
    this.endpointDisabledAlarm = new Alarm(this, 'WebhookEndpointDisabledAlarm', {
      metric: disabled.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'A webhook endpoint failed for three days and was disabled: fix the receiver, then `webhook enable` and `webhook replay` it',
    });

    // dynamodb:ListStreams on "*" (the stream event source's grant: it has no resource-level permissions) is answered
    // by the IAM5 suppression every traced function has for Resource "*" (app-function.ts); the infra tests list it.
    acceptFinding(
      worker,
      'Serverless-LambdaDLQ',
      "Serverless-LambdaDLQ: an SQS event source mapping invokes this function; a message that keeps failing moves to the queue's own dead-letter queue (after 5 receives, alarmed).",
    );
    acceptFinding(
      worker,
      'Serverless-LambdaEventSourceMappingDestination',
      "Serverless-LambdaEventSourceMappingDestination: for SQS the queue's redrive policy is the failure destination (5 receives, then the alarmed dead-letter queue).",
    );
    acceptFinding(
      producer,
      'Serverless-LambdaDLQ',
      'Serverless-LambdaDLQ: stream event source mappings invoke this function; a batch that fails its retries goes to their on-failure destination (an alarmed SQS queue).',
    );
    this.functions = { webhooks: api, 'webhook-events': producer, 'webhook-delivery': worker };
  }
}
