import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FUNCTION_ENTRIES, type FunctionEntry, type StageConfig } from '../config.js';
import { filterPatternOf, LOG_METRICS, type LogMetric } from '../log-metrics.js';
import { acceptFinding } from '../nag.js';
import type { AppFunction } from './app-function.js';
import type { FailureQueue } from './failure-queue.js';
import { Feature } from './feature.js';

/**
 * The API's access log: one JSON object per request, every value a string. The route key, not the path: a path can
 * hold an address (`/v1/admin/subscribers/{email}`), and query strings (link tokens) are never logged. The client IP
 * stays, for looking into a flood or a card-testing run.
 */
export const API_ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;

/**
 * API Gateway's own throttling in the access log, apart from the functions' per-client 429s: a throttled request
 * never reaches the integration, while a function's answer comes back through Lambda's Invoke, whose status is 200.
 */
export const API_THROTTLED_PATTERN = FilterPattern.all(
  FilterPattern.stringValue('$.status', '=', '429'),
  FilterPattern.stringValue('$.integrationStatus', '!=', '200'),
);

/** SES reviews an account at a 5 % bounce rate or a 0.1 % complaint rate (and may pause it at 10 % and 0.5 %). */
export const SES_REPUTATION_ALARMS = { bounceRate: 0.02, complaintRate: 0.0005 } as const;

/** The signup-and-mail queue's oldest message, in seconds, that calls for a look: a confirmation link 15 minutes late. */
export const MAIL_QUEUE_AGE_ALARM_SECONDS = 15 * 60;

export interface MonitoringProps {
  config: StageConfig;
  api: HttpApi;
  /** The API's JSON access log group. */
  accessLogs: ILogGroup;
  functions: Record<FunctionEntry, AppFunction>;
  mailQueue: IQueue;
  /** Queues where work that failed waits for a person: each alarms at its first message. */
  failureQueues: FailureQueue[];
  configurationSetName: string;
}

const pascal = (entry: string) => entry.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());

/**
 * Alarms (to the stage's alarm email), the metrics counted from the functions' log lines and the API's access log,
 * and a dashboard: what readers did (signups, confirmations, gifts, mail) above how the system is doing, so that a
 * failure reaches a person and the newsroom sees what an appeal brings in.
 */
export class Monitoring extends Feature {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { config, api, functions } = props;
    const period = Duration.minutes(5);
    const namespace = `Appeal/${config.stage}`;

    const alarmTopic = new Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (config.alarmEmail) {
      alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
      acceptFinding(
        alarmTopic,
        'Serverless-SNSRedrivePolicy',
        "Serverless-SNSRedrivePolicy: an alarm email SNS could not deliver would wait in a queue whose own alarm could only notify this same topic; the alarm's state stays on the dashboard and in the CloudWatch console.",
      );
    }
    const alarms: Alarm[] = [];
    const alarm = (id: string, metric: IMetric, description: string, threshold = 1) => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(alarmTopic));
      alarms.push(created);
      return created;
    };

    // Metrics from log lines (infra/log-metrics.ts) and from the access log.
    const logMetric = (metric: LogMetric) => {
      new MetricFilter(this, `${metric.metricName}MetricFilter`, {
        logGroup: functions[metric.fn].logGroup,
        filterPattern: filterPatternOf(metric),
        metricNamespace: namespace,
        metricName: metric.metricName,
        metricValue: '1',
        ...(metric.dimension ? { dimensions: { [metric.dimension]: `$.${metric.dimension}` } } : {}),
      });
      return new Metric({ namespace, metricName: metric.metricName, statistic: 'Sum', period });
    };
    const readers = {
      signups: logMetric(LOG_METRICS.signups),
      confirmations: logMetric(LOG_METRICS.confirmations),
      gifts: logMetric(LOG_METRICS.gifts),
      mailSent: logMetric(LOG_METRICS.mailSent),
    };
    const signatureRejected = logMetric(LOG_METRICS.signatureRejected);
    const unassignedGifts = logMetric(LOG_METRICS.unassignedGifts);
    const stripeSecretNotSet = new MathExpression({
      expression: 'FILL(donations, 0) + FILL(webhook, 0)',
      usingMetrics: { donations: logMetric(LOG_METRICS.donationsStripeSecretNotSet), webhook: logMetric(LOG_METRICS.webhookStripeSecretNotSet) },
      label: 'Stripe secret not set (cold starts)',
      period,
    });
    logMetric(LOG_METRICS.ignoredStripeEvents);
    const ignoredStripeEvents = new MathExpression({
      expression: `SEARCH('{${namespace},reason} MetricName="${LOG_METRICS.ignoredStripeEvents.metricName}"', 'Sum', ${period.toSeconds()})`,
      label: 'ignored',
      period,
    });
    new MetricFilter(this, 'ApiThrottledMetricFilter', {
      logGroup: props.accessLogs,
      filterPattern: API_THROTTLED_PATTERN,
      metricNamespace: namespace,
      metricName: 'ApiThrottled',
      metricValue: '1',
    });
    const apiThrottled = new Metric({ namespace, metricName: 'ApiThrottled', statistic: 'Sum', period });

    // SES: the configuration set's rates (this stage's mail) and the account's (what SES acts on). Rates are fractions.
    const sesRate = (metricName: string, configurationSet: boolean) =>
      new Metric({
        namespace: 'AWS/SES',
        metricName,
        ...(configurationSet ? { dimensionsMap: { 'ses:configuration-set': props.configurationSetName } } : {}),
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    const { bounceRate, complaintRate } = SES_REPUTATION_ALARMS;
    alarm('SesBounceRateAlarm', sesRate('Reputation.BounceRate', true), 'Bounce rate at 2 % or more (SES reviews the account at 5 %)', bounceRate);
    alarm('SesComplaintRateAlarm', sesRate('Reputation.ComplaintRate', true), 'Complaint rate at 0.05 % or more (SES reviews the account at 0.1 %)', complaintRate);
    alarm('SesAccountBounceRateAlarm', sesRate('Reputation.BounceRate', false), "The SES account's bounce rate (all its mail) at 2 % or more: SES reviews the account at 5 %", bounceRate);
    alarm('SesAccountComplaintRateAlarm', sesRate('Reputation.ComplaintRate', false), "The SES account's complaint rate (all its mail) at 0.05 % or more: SES reviews it at 0.1 %", complaintRate);

    for (const queue of props.failureQueues) {
      alarm(queue.alarm.id, queue.metricApproximateNumberOfMessagesVisible({ period }), queue.alarm.description);
    }
    const queueAge = props.mailQueue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' });
    alarm(
      'SignupAndMailQueueAgeAlarm',
      queueAge,
      'The oldest message on the signup-and-mail queue waited 15 minutes or more: mail is not flowing (SES throttling, a failing send retried, or the worker throttled)',
      MAIL_QUEUE_AGE_ALARM_SECONDS,
    );
    alarm('StripeSignatureRejectedAlarm', signatureRejected, 'A signed Stripe webhook delivery was refused: check the webhookSecret in the Stripe secret (every event is answered 400 until it is right)');
    alarm('UnassignedGiftsAlarm', unassignedGifts, 'A paid gift is counted by no campaign (its campaign is unknown, or takes another currency): refund it or reassign it (runbook: UnassignedGiftsAlarm)');
    alarm('StripeSecretNotSetAlarm', stripeSecretNotSet, 'The Stripe secret is not set: the donation routes and the Stripe webhook answer 503 until it is (npm run admin -- stripe setup)');
    alarm('Api5xxAlarm', api.metricServerError({ period }), 'The API answered 5xx');
    alarm('ApiThrottledAlarm', apiThrottled, "API Gateway throttled requests (429): a route reached its stage limit (infra/config.ts `throttle`)");

    const errors: IMetric[] = [];
    const throttles: IMetric[] = [];
    for (const entry of FUNCTION_ENTRIES) {
      const { fn } = functions[entry];
      const name = pascal(entry);
      const fnErrors = fn.metricErrors({ period });
      const fnThrottles = fn.metricThrottles({ period, statistic: 'Sum' });
      errors.push(fnErrors.with({ label: entry }));
      throttles.push(fnThrottles.with({ label: entry }));
      alarm(`${name}ErrorsAlarm`, fnErrors, `The ${entry} function failed`);
      alarm(`${name}ThrottlesAlarm`, fnThrottles, `The ${entry} function was throttled: the account's concurrency, or its reservation, is used up`);
    }

    const dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    const graph = (title: string, left: IMetric[], right: IMetric[] = [], width = 8) => new GraphWidget({ title, left, right, width, height: 6 });
    dashboard.addWidgets(new TextWidget({ markdown: `## ${config.siteName} (${config.stage}): what readers did`, width: 24, height: 1 }));
    dashboard.addWidgets(
      new SingleValueWidget({
        title: 'In the selected time range',
        metrics: Object.values(readers),
        setPeriodToTimeRange: true,
        width: 24,
        height: 3,
      }),
    );
    dashboard.addWidgets(
      graph('Signups', [readers.signups], [], 6),
      graph('Confirmations', [readers.confirmations], [], 6),
      graph('Gifts paid', [readers.gifts], [], 6),
      graph('Mail sent', [readers.mailSent], [], 6),
    );
    dashboard.addWidgets(new TextWidget({ markdown: '## How the system is doing', width: 24, height: 1 }));
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 4 }));
    dashboard.addWidgets(
      graph('Mail queue: oldest message (s)', [queueAge], props.failureQueues.map((queue) => queue.metricApproximateNumberOfMessagesVisible({ period }))),
      graph('API: requests, 4xx, 5xx, throttled', [api.metricCount({ period, statistic: 'Sum' })], [api.metricClientError({ period }), api.metricServerError({ period }), apiThrottled.with({ label: 'throttled (429)' })]),
      graph('Stripe webhook: refused signatures, ignored events, unassigned gifts', [signatureRejected.with({ label: 'signed, refused' }), ignoredStripeEvents, unassignedGifts.with({ label: 'unassigned gifts' }), stripeSecretNotSet]),
    );
    dashboard.addWidgets(
      graph('Function errors', errors),
      graph('Function throttles', throttles),
      graph('SES reputation (fraction)', ['BounceRate', 'ComplaintRate'].map((rate) => sesRate(`Reputation.${rate}`, true))),
    );
    this.alarmTopic = alarmTopic;
    this.alarms = alarms;
    this.dashboard = dashboard;
  }
}
