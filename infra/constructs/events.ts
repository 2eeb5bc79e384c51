import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { EventCounterConfig, EventsConfig } from '../../functions/configs.js';
import { acceptFinding } from '../nag.js';
import { AppFunction } from './app-function.js';
import { FailureQueue } from './failure-queue.js';
import { Feature } from './feature.js';

/** The event counter's batches: up to this many events an invocation, gathered for up to this long. */
export const EVENT_BATCH = { size: 2_000, windowSeconds: 5 } as const;
/** The events queue's oldest message, in seconds, that calls for a look: the counter is not keeping up. */
export const EVENTS_QUEUE_AGE_ALARM_SECONDS = 10 * 60;

export interface EventsProps {
  donationsTable: ITable;
}

/**
 * Views and clicks (POST /v1/events), priced for a news day (bench/events.ts): the events function checks each
 * event (the campaign and variant exist, the client is within its limit) and puts it on a queue, so a 204 means it
 * is kept; the event counter takes the queue in batches of thousands and adds each batch to sharded counters in
 * one write per campaign and day. Neither writes per view: a DynamoDB write per view would cost more than all the
 * rest of a view together.
 */
export class Events extends Feature {
  readonly functions: { events: AppFunction; 'event-counter': AppFunction };
  readonly queue: Queue;
  readonly deadLetters: FailureQueue;
  /** The queue's oldest event is older than EVENTS_QUEUE_AGE_ALARM_SECONDS: its action is the stack's alarm topic. */
  readonly backlogAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    this.deadLetters = new FailureQueue(this, 'EventsDeadLetterQueue', {
      receives: 'dead letters',
      alarm: { id: 'EventsDeadLettersAlarm', description: 'Batches of views and clicks failed repeatedly and wait in the dead-letter queue' },
    });
    const counterTimeout = Duration.seconds(30);
    // In the stack's scope, as the mail queue is: the SQS event source names its mapping after the queue's path.
    this.queue = new Queue(Stack.of(this), 'EventsQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the counter's timeout plus its batching window, as AWS advises for an event source mapping.
      visibilityTimeout: Duration.seconds(6 * counterTimeout.toSeconds() + EVENT_BATCH.windowSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });

    // Per request, the logs and traces are a large part of a view's cost: no X-Ray trace (5 % of requests sampled
    // would be $0.25 a million views) and no START/END/REPORT lines (about $0.2 a million); the function's own
    // lines (warnings and errors) are kept, and Lambda's metrics count invocations, errors and durations.
    const events = new AppFunction(this, 'EventsFunction', {
      entry: 'events',
      description: 'Events: the embed’s views and clicks (POST /v1/events), checked and queued for the counter',
      memorySize: 256,
      timeout: Duration.seconds(5),
      config: EventsConfig,
      tracing: Tracing.DISABLED,
      systemLogLevel: SystemLogLevel.WARN,
      environment: (bind) => ({
        // Read only: a campaign's existence and its variants, nothing else.
        DONATIONS_TABLE_NAME: bind.table(props.donationsTable, { items: { 'dynamodb:GetItem': ['CAMPAIGN#', 'VARIANTS#'] } }),
        EVENTS_QUEUE_URL: bind.queueSender(this.queue),
        EVENTS_CLIENT_LIMIT_PER_MINUTE: undefined,
        EXPERIMENT_CACHE_SECONDS: undefined,
      }),
    });

    const counter = new AppFunction(this, 'EventCounterFunction', {
      entry: 'event-counter',
      description: 'Event counter: adds batches of views and clicks to the sharded counters',
      memorySize: 256,
      timeout: counterTimeout,
      config: EventCounterConfig,
      environment: (bind) => ({
        // The counters and each batch's marker, in one transaction (TransactWriteItems: Update and Put); reads the
        // counters for nothing.
        DONATIONS_TABLE_NAME: bind.table(props.donationsTable, {
          items: { 'dynamodb:UpdateItem': ['EVENTS#'], 'dynamodb:PutItem': ['EVENTBATCH#'] },
        }),
        EVENT_COUNTER_SHARDS: undefined,
      }),
    });
    counter.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: EVENT_BATCH.size,
        maxBatchingWindow: Duration.seconds(EVENT_BATCH.windowSeconds),
        // Two at once (the least SQS allows) is thousands of events a second; fewer writers, fewer collisions.
        maxConcurrency: 2,
      }),
    );

    acceptFinding(
      events,
      'Serverless-LambdaTracing',
      'Serverless-LambdaTracing: this function runs for every banner view; X-Ray would record 5 % of a news day\'s 2,000 views a second ($0.25 a million views, an eighth of the budget), and the route\'s work is one read and one queue message, which Lambda\'s metrics already time.',
    );
    acceptFinding(
      counter,
      'Serverless-LambdaDLQ',
      "Serverless-LambdaDLQ: an SQS event source mapping invokes this function; a batch that keeps failing moves to the queue's own dead-letter queue (after 5 receives, alarmed).",
    );
    acceptFinding(
      counter,
      'Serverless-LambdaEventSourceMappingDestination',
      "Serverless-LambdaEventSourceMappingDestination: Lambda's on-failure destinations for event source mappings serve streams and Kafka; for SQS the queue's redrive policy is the failure destination (5 receives, then the alarmed dead-letter queue).",
    );

    this.backlogAlarm = new Alarm(this, 'EventsBacklogAlarm', {
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: EVENTS_QUEUE_AGE_ALARM_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'Views and clicks wait in the events queue for over 10 minutes: the event counter is failing or behind',
    });
    this.functions = { events, 'event-counter': counter };
  }
}
