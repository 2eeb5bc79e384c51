import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import Stripe from 'stripe';
import * as z from 'zod';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StripePaymentEvents } from '../../functions/adapters/stripe-payment-events.js';
import { makeHandler as makeMailer } from '../../functions/signup-and-mail/handler.js';
import { makeHandler as makeWebhook } from '../../functions/stripe-webhook/routes.js';
import { makeHandler as makeSubscriptions } from '../../functions/subscriptions/routes.js';
import { logger } from '../../functions/platform/logger.js';
import { sqsBatchHandler } from '../../functions/platform/sqs.js';
import { buildStage } from '../../infra/app.js';
import { FUNCTION_ENTRIES, StageConfig } from '../../infra/config.js';
import { filterPatternOf, LOG_METRICS, type LogMetric } from '../../infra/log-metrics.js';
import { API_ACCESS_LOG_FIELDS, API_THROTTLED_PATTERN, MAIL_QUEUE_AGE_ALARM_SECONDS } from '../../infra/constructs/monitoring.js';
import { makeGiftDeps } from '../support/donation-fakes.js';
import { makeSubscriptionDeps } from '../support/fakes.js';
import { httpEvent, sqsEvent } from '../support/events.js';
import { CDK_CONTEXT, TEST_STAGE } from '../support/stage.js';


const stage = TEST_STAGE;

const synthApi = (overrides: Record<string, unknown> = {}) => {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  return Template.fromStack(buildStage(app, StageConfig.parse({ ...stage, ...overrides })).api);
};

type Resource = { Properties: Record<string, unknown> };
const NAMESPACE = 'Appeal/test';

let api: Template;
beforeAll(() => {
  api = synthApi();
}, 60_000);

const resources = (type: string, props: Record<string, unknown> = {}) =>
  Object.entries(api.findResources(type, { Properties: props })) as [string, Resource][];
const functionIds = () => resources('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.Description).map(([id]) => id);
/** The logical id of the function whose entry is `entry`, by its log group (each AppFunction has its own). */
const logGroupOf = (entry: string) => {
  const pascal = entry.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
  const found = resources('AWS::Logs::LogGroup').filter(([id]) => id.startsWith(`${pascal}FunctionLogs`));
  expect(found).toHaveLength(1);
  return found[0]?.[0];
};
const alarmsOn = (metricName: string, namespace?: string) =>
  resources('AWS::CloudWatch::Alarm', { MetricName: metricName, ...(namespace ? { Namespace: namespace } : {}) }).map(([, alarm]) => alarm.Properties);

describe('failure is visible', () => {
  it("sends the export worker's failed asynchronous invocations to an alarmed SQS queue", () => {
    const worker = functionIds().find((id) => id.startsWith('ExportWorkerFunction'));
    const configs = resources('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: worker } });
    expect(configs).toHaveLength(1);
    const [[, config]] = configs as [[string, Resource]];
    expect(config.Properties).toMatchObject({ MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^ExportWorkerFailureQueue/), 'Arn'] } } } });
    const queue = (config.Properties.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': [string] } } }).OnFailure.Destination['Fn::GetAtt'][0];
    api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [Match.anyValue()],
    });
  });

  it("gives the ses-events subscription a dead-letter queue for SNS's own failed deliveries", () => {
    api.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SesEventsDeadLetterQueue'), 'Arn'] } },
    });
  });

  it("traces every function with Lambda's own X-Ray setting, but the one called per page view", () => {
    const functions = resources('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.Description);
    expect(functions).toHaveLength(FUNCTION_ENTRIES.length);
    // The events function runs for every banner view: a trace and the platform's lines per request would be a
    // quarter of a view's cost (infra/constructs/events.ts). It keeps its own warnings and errors.
    const perView = (fn: (typeof functions)[number][1]) => String(fn.Properties.Description).startsWith('Events:');
    expect(functions.filter(([, fn]) => perView(fn))).toHaveLength(1);
    for (const [, fn] of functions) {
      if (perView(fn)) {
        // No TracingConfig: Lambda's default, PassThrough (no trace: HTTP APIs send no sampled trace header).
        expect(fn.Properties.TracingConfig).toBeUndefined();
        expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO' });
      } else expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('writes the API access log as JSON: route keys, never paths (which can hold an address) or query strings', () => {
    const [[, stageResource] = []] = resources('AWS::ApiGatewayV2::Stage');
    const settings = stageResource?.Properties.AccessLogSettings as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toEqual(API_ACCESS_LOG_FIELDS);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', routeKey: '$context.routeKey', integrationStatus: '$context.integrationStatus' });
    expect(settings.Format).not.toMatch(/\$context\.(path|resourcePath)\b/);
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApiAccessLogs/), 'Arn'] });
  });
});

describe('reserved concurrency, a stage setting', () => {
  const reservations = (template: Template) =>
    Object.fromEntries(
      Object.entries(template.findResources('AWS::Lambda::Function'))
        .filter(([, fn]) => (fn as Resource).Properties.ReservedConcurrentExecutions !== undefined)
        .map(([id, fn]) => [id.replace(/[0-9A-F]{8}$/, ''), (fn as Resource).Properties.ReservedConcurrentExecutions]),
    );

  it('reserves nothing by default: on a new account (quota 10) any reservation would fail the deploy', () => {
    expect(StageConfig.parse(stage).reservedConcurrency).toEqual({});
    expect(reservations(api)).toEqual({});
  });

  it('reserves for exactly the functions the stage lists', () => {
    const template = synthApi({ reservedConcurrency: { 'stripe-webhook': 50, 'signup-and-mail': 5 } });
    expect(reservations(template)).toEqual({ StripeWebhookFunction: 50, SignupAndMailFunction: 5 });
  });

  it('refuses unknown functions, zero, and a mail worker reservation below the queue poller', () => {
    expect(StageConfig.safeParse({ ...stage, reservedConcurrency: { webhook: 10 } }).success).toBe(false);
    expect(StageConfig.safeParse({ ...stage, reservedConcurrency: { admin: 0 } }).success).toBe(false);
    expect(() => synthApi({ reservedConcurrency: { 'signup-and-mail': 2 } })).toThrow(/maximum concurrency/);
  });
});

describe('alarms', () => {
  it('alarms on signed webhook deliveries whose signature is refused, from the metric filter on the webhook log', () => {
    const [alarm] = alarmsOn(LOG_METRICS.signatureRejected.metricName, NAMESPACE);
    expect(alarm).toMatchObject({ Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [expect.anything()] });
  });

  it("alarms when the signup-and-mail queue's oldest message is 15 minutes old", () => {
    const queue = resources('AWS::SQS::Queue').find(([id]) => id.startsWith('SignupAndMailQueue'))?.[0];
    const alarm = alarmsOn('ApproximateAgeOfOldestMessage', 'AWS/SQS').find((a) => JSON.stringify(a.Dimensions).includes(String(queue)));
    expect(alarm).toMatchObject({
      Statistic: 'Maximum',
      Threshold: MAIL_QUEUE_AGE_ALARM_SECONDS,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
    });
    expect(MAIL_QUEUE_AGE_ALARM_SECONDS).toBe(900);
  });

  it("alarms when the events queue's oldest view waits 10 minutes: the counter is failing or behind", () => {
    const queue = resources('AWS::SQS::Queue').find(([id]) => id.startsWith('EventsQueue'))?.[0];
    const alarm = alarmsOn('ApproximateAgeOfOldestMessage', 'AWS/SQS').find((a) => JSON.stringify(a.Dimensions).includes(String(queue)));
    expect(alarm).toMatchObject({ Statistic: 'Maximum', Threshold: 600, AlarmActions: [expect.anything()] });
  });

  it('alarms on throttles of every function and on the API throttling requests (429s it answered itself)', () => {
    const throttled = alarmsOn('Throttles', 'AWS/Lambda').map((alarm) => (alarm.Dimensions as [{ Value: { Ref: string } }])[0].Value.Ref);
    expect(throttled.sort()).toEqual(functionIds().sort());
    const [apiAlarm] = alarmsOn('ApiThrottled', NAMESPACE);
    expect(apiAlarm).toMatchObject({ Statistic: 'Sum', Threshold: 1 });
    api.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^ApiAccessLogs') },
      FilterPattern: API_THROTTLED_PATTERN.logPatternString,
      MetricTransformations: [{ MetricNamespace: NAMESPACE, MetricName: 'ApiThrottled', MetricValue: '1' }],
    });
  });

  it("alarms on SES reputation: this stage's configuration set and the whole account", () => {
    for (const metric of ['Reputation.BounceRate', 'Reputation.ComplaintRate']) {
      const alarms = alarmsOn(metric, 'AWS/SES');
      expect(alarms.map((alarm) => (alarm.Dimensions ? 'configuration set' : 'account')).sort()).toEqual(['account', 'configuration set']);
    }
  });

  it('sends every alarm to the alarm topic, which mails the stage\'s alarm email', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(2 * FUNCTION_ENTRIES.length + 8);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmTopic/) }]);
    api.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
  });
});

describe('the dashboard', () => {
  it('shows signups, confirmations, gifts and mail sent, and the alarms', () => {
    const [[, dashboard] = []] = resources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const metric of [LOG_METRICS.signups, LOG_METRICS.confirmations, LOG_METRICS.gifts, LOG_METRICS.mailSent]) {
      expect(body).toContain(`[\\"${NAMESPACE}\\",\\"${metric.metricName}\\"`);
    }
    expect(body).toContain('\\"type\\":\\"alarm\\"');
    expect(body).toContain('ApproximateAgeOfOldestMessage');
  });

  it('counts each log metric with a filter on its own function\'s log group', () => {
    for (const metric of Object.values(LOG_METRICS) as LogMetric[]) {
      api.hasResourceProperties('AWS::Logs::MetricFilter', {
        LogGroupName: { Ref: logGroupOf(metric.fn) },
        FilterPattern: filterPatternOf(metric).logPatternString,
        MetricTransformations: [Match.objectLike({ MetricNamespace: NAMESPACE, MetricName: metric.metricName, MetricValue: '1' })],
      });
    }
  });
});

/**
 * CloudWatch Logs' JSON filter patterns, the part of the syntax our patterns use: `{ $.a = "x" }`, `!=`, `IS TRUE`
 * / `IS FALSE` / `IS NULL`, `NOT EXISTS`, `&&`, `||` and parentheses; `*` in a quoted value matches any characters.
 */
const matchesFilter = (pattern: string, line: string): boolean => {
  const event = JSON.parse(line) as Record<string, unknown>;
  const tokens = pattern.match(/"(?:[^"\\]|\\.)*"|\$\.[\w.]+|&&|\|\||!=|[=(){}]|[A-Za-z0-9_.-]+/g) ?? [];
  let at = 0;
  const next = () => tokens[at++];
  const peek = () => tokens[at];
  const valueAt = (path: string) => path.slice(2).split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), event);
  const condition = (): boolean => {
    if (peek() === '(') {
      next();
      const inner = or();
      expect(next()).toBe(')');
      return inner;
    }
    const selector = next() ?? '';
    expect(selector).toMatch(/^\$\./);
    const value = valueAt(selector);
    const op = next();
    if (op === 'IS') {
      const word = next();
      return word === 'NULL' ? value === null : value === (word === 'TRUE');
    }
    if (op === 'NOT') return next() === 'EXISTS' && value === undefined;
    const raw = next() ?? '';
    const wanted = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    if (value === undefined) return false;
    const glob = new RegExp(`^${wanted.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const equal = raw.startsWith('"') ? typeof value === 'string' && glob.test(value) : String(value) === wanted;
    if (op === '=') return equal;
    if (op === '!=') return !equal;
    throw new Error(`unsupported operator ${op}`);
  };
  const and = (): boolean => {
    let result = condition();
    while (peek() === '&&') {
      next();
      result = condition() && result;
    }
    return result;
  };
  const or = (): boolean => {
    let result = and();
    while (peek() === '||') {
      next();
      result = and() || result;
    }
    return result;
  };
  expect(next()).toBe('{');
  const result = or();
  expect(next()).toBe('}');
  return result;
};

describe('the metric filters match the lines the functions write', () => {
  /** Every line the real logger writes to stdout and stderr while `run` runs (Lambda puts both in the log group). */
  const linesOf = async (run: () => Promise<unknown>) => {
    const lines: string[] = [];
    logger.setLogLevel('INFO');
    const writes = (['stdout', 'stderr'] as const).map((stream) =>
      vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        return true;
      }),
    );
    try {
      await run();
    } finally {
      for (const write of writes) write.mockRestore();
      logger.setLogLevel('SILENT');
    }
    return lines;
  };
  const counted = (metric: LogMetric, lines: string[]) => lines.filter((line) => matchesFilter(filterPatternOf(metric).logPatternString, line)).length;

  afterEach(() => vi.restoreAllMocks());

  it('counts a signup, the mail it sends, its confirmation and the welcome, once each', async () => {
    const fakes = makeSubscriptionDeps();
    const limits = { signupClient: { name: 'signup-client', limit: 30, windowSeconds: 60 }, linkClient: { name: 'link-client', limit: 60, windowSeconds: 60 } };
    const subscriptions = makeSubscriptions(fakes.deps, { limits });
    const mailer = makeMailer(fakes.mailDeps);
    const lines = await linesOf(async () => {
      await subscriptions(httpEvent({ method: 'POST', path: '/v1/subscriptions', body: { email: 'reader@example.org' } }));
      await mailer(sqsEvent(fakes.queue.take()));
      const link = /https:\/\/api\.example\.org\/v1\/subscriptions\/confirm\?(token=[^\s"<]+)/.exec(fakes.mailer.sent[0]?.text ?? '');
      expect(link).not.toBeNull();
      const confirmed = await subscriptions(httpEvent({ method: 'POST', path: '/v1/subscriptions/confirm', query: link?.[1] ?? '' }));
      expect(confirmed.statusCode).toBe(200);
      await mailer(sqsEvent(fakes.queue.take()));
    });
    expect(fakes.mailer.sent).toHaveLength(2); // the confirmation link and the welcome
    expect(counted(LOG_METRICS.signups, lines)).toBe(1);
    expect(counted(LOG_METRICS.mailSent, lines)).toBe(2);
    expect(counted(LOG_METRICS.confirmations, lines)).toBe(1);
    expect(counted(LOG_METRICS.gifts, lines)).toBe(0);
  });

  it('counts as mail sent exactly the outcomes of a job that sent an email', async () => {
    const outcomes = ['sent', 'duplicate', 'suppressed', 'confirmation', 'already_subscribed', 'none'];
    const lines = await linesOf(() => sqsBatchHandler(z.string(), async (outcome) => outcome)(sqsEvent(outcomes.map((outcome) => JSON.stringify(outcome)))));
    const matching = (metric: LogMetric) => lines.filter((line) => matchesFilter(filterPatternOf(metric).logPatternString, line)).map((line) => (JSON.parse(line) as { outcome: string }).outcome);
    expect(matching(LOG_METRICS.mailSent)).toEqual(['sent', 'confirmation', 'already_subscribed']);
    expect(matching(LOG_METRICS.signups)).toEqual(['confirmation', 'already_subscribed', 'none']);
  });

  it('counts a paid gift, a signed delivery refused (a wrong secret) but not an unsigned post, and ignored events (another mode, a malformed object)', async () => {
    const secret = 'whsec_infra';
    const stripe = new Stripe('sk_test_infra');
    const fakes = await makeGiftDeps();
    const webhook = makeWebhook({ gifts: fakes.deps, events: StripePaymentEvents.forKey(stripe, secret, 'sk_test_infra') }, { siteName: 'Example News' });
    const event = (livemode: boolean, amount: unknown = 2500) =>
      JSON.stringify({
        id: `evt_${livemode}_${amount}`,
        object: 'event',
        type: 'checkout.session.completed',
        livemode,
        created: 1_764_064_800,
        data: { object: { id: 'cs_1', object: 'checkout.session', mode: 'payment', payment_intent: 'pi_1', payment_status: 'paid', amount_total: amount, currency: 'usd', metadata: { campaign: 'ukraine' }, livemode } },
      });
    const deliver = (payload: string, signature?: string) =>
      webhook(httpEvent({ method: 'POST', path: '/v1/stripe/webhook', body: payload, headers: signature ? { 'stripe-signature': signature } : {} }));
    const statuses: number[] = [];
    const lines = await linesOf(async () => {
      statuses.push((await deliver(event(false), stripe.webhooks.generateTestHeaderString({ payload: event(false), secret }))).statusCode);
      statuses.push((await deliver(event(false), stripe.webhooks.generateTestHeaderString({ payload: event(false), secret: 'whsec_wrong' }))).statusCode);
      statuses.push((await deliver(event(false))).statusCode);
      statuses.push((await deliver(event(true), stripe.webhooks.generateTestHeaderString({ payload: event(true), secret }))).statusCode);
      statuses.push((await deliver(event(false, '2500'), stripe.webhooks.generateTestHeaderString({ payload: event(false, '2500'), secret }))).statusCode);
    });
    expect(statuses).toEqual([200, 400, 400, 200, 200]);
    expect(counted(LOG_METRICS.gifts, lines)).toBe(1);
    expect(counted(LOG_METRICS.signatureRejected, lines)).toBe(1);
    expect(lines.filter((line) => line.includes('stripe signature rejected'))).toHaveLength(2);
    expect(counted(LOG_METRICS.ignoredStripeEvents, lines)).toBe(2);
    const ignored = lines.filter((line) => matchesFilter(filterPatternOf(LOG_METRICS.ignoredStripeEvents).logPatternString, line));
    expect(ignored.map((line) => (JSON.parse(line) as { reason: string }).reason)).toEqual(['other mode', 'malformed object']);
  });

  it("counts API Gateway's own 429s in the access log, not a function's per-client 429", () => {
    const line = (values: Record<string, string>) =>
      JSON.stringify(Object.fromEntries(Object.entries(API_ACCESS_LOG_FIELDS).map(([field, variable]) => [field, values[variable.slice('$context.'.length)] ?? '-'])));
    const pattern = API_THROTTLED_PATTERN.logPatternString;
    expect(matchesFilter(pattern, line({ status: '429', integrationStatus: '-', 'error.message': 'Too Many Requests' }))).toBe(true);
    expect(matchesFilter(pattern, line({ status: '429', integrationStatus: '200' }))).toBe(false);
    expect(matchesFilter(pattern, line({ status: '202', integrationStatus: '200' }))).toBe(false);
  });
});
