import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXPORT_FILE_DAYS } from '../../functions/core/admin/exports/exports.js';
import { LANGUAGES } from '../../functions/core/shared/i18n/index.js';
import { messagesOf } from '../../functions/core/shared/i18n/catalogue.js';
import { App, Aspects, CfnResource } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStage } from '../../infra/app.js';
import { StageConfig } from '../../infra/config.js';
import { Feature } from '../../infra/constructs/feature.js';
import { nagPacks } from '../../infra/nag.js';
import { CDK_CONTEXT, TEST_STAGE } from '../support/stage.js';


const config = StageConfig.parse(TEST_STAGE);

let data: Template;
let api: Template;
let app: App;
let stacks: ReturnType<typeof buildStage>;
let assemblyDir: string;
/** Tracked files whose modification time changed while the stage was synthesized. */
let rewritten: string[];

const ROOT = new URL('../../', import.meta.url).pathname;
const trackedFileTimes = () =>
  new Map(
    execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean)
      .map((file) => [file, statSync(join(ROOT, file), { throwIfNoEntry: false })?.mtimeMs]),
  );

beforeAll(() => {
  const before = trackedFileTimes();
  app = new App({ context: CDK_CONTEXT });
  stacks = buildStage(app, config);
  for (const pack of nagPacks()) Aspects.of(app).add(pack);
  // Runs the aspects (cdk-nag), bundles every function with the local esbuild and validates the templates.
  assemblyDir = app.synth().directory;
  data = Template.fromStack(stacks.data);
  api = Template.fromStack(stacks.api);
  const after = trackedFileTimes();
  rewritten = [...before].filter(([file, time]) => after.get(file) !== time).map(([file]) => file);
}, 120_000);

it('synthesizes without writing any file of the repository (generated code goes into the assembly only)', () => {
  expect(rewritten).toEqual([]);
});

const functionNamed = (description: string) => {
  const found = Object.entries(api.findResources('AWS::Lambda::Function', { Properties: { Description: description } }));
  expect(found).toHaveLength(1);
  return found[0] as [string, { Properties: { Role: { 'Fn::GetAtt': [string, string] }; Environment: { Variables: Record<string, unknown> } } }];
};

const policyOf = (roleLogicalId: string) =>
  JSON.stringify(
    Object.values(api.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(roleLogicalId),
    ),
  );

describe('data stack', () => {
  it('keeps every table safe (subscribers, donations, the audit log): PITR, deletion protection, RETAIN, TTL, encryption', () => {
    expect(Object.keys(data.findResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } }))).toHaveLength(3);
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
      }),
    });
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
      }),
    });
  });

  it('has an SES configuration set and a domain identity', () => {
    data.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    data.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'news.example.org' });
  });
});

describe('api stack', () => {
  it('runs every function on Node 22 arm64, bundled as ESM', () => {
    const functions = api.findResources('AWS::Lambda::Function');
    const ours = Object.values(functions).filter((f) => (f as { Properties: { Description?: string } }).Properties.Description);
    expect(ours.length).toBe(16);
    for (const fn of ours) {
      expect(fn).toMatchObject({ Properties: { Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' } });
    }
  });

  it('passes generated names and the secret ARN, never a secret value', () => {
    const [, subscriptions] = functionNamed('Mailing list: signup, confirm, unsubscribe');
    const env = subscriptions.Properties.Environment.Variables;
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['SUBSCRIBERS_TABLE_NAME', 'SIGNUP_AND_MAIL_QUEUE_URL', 'SIGNING_SECRET_ID', 'PUBLIC_API_URL', 'LIST_IDS']));
    expect(env.SIGNING_SECRET_ID).toEqual({ Ref: expect.stringMatching(/^SigningSecret/) });
    expect(env.LIST_IDS).toBe('news,events');
    expect(JSON.stringify(env)).not.toMatch(/signingKey|password/i);
  });

  it('grants least privilege: only the mailer may send email; both read the secret', () => {
    const [, subscriptions] = functionNamed('Mailing list: signup, confirm, unsubscribe');
    const [, mailer] = functionNamed('Signup and mail worker: applies signups (writes subscribers) and sends email through SES');
    const subscriptionsPolicy = policyOf(subscriptions.Properties.Role['Fn::GetAtt'][0]);
    const mailerPolicy = policyOf(mailer.Properties.Role['Fn::GetAtt'][0]);
    expect(subscriptionsPolicy).not.toContain('ses:SendEmail');
    expect(subscriptionsPolicy).toContain('sqs:SendMessage');
    expect(subscriptionsPolicy).toContain('secretsmanager:GetSecretValue');
    expect(subscriptionsPolicy).not.toContain('dynamodb:DeleteTable');
    expect(mailerPolicy).toContain('ses:SendEmail');
    expect(mailerPolicy).toContain('sqs:ReceiveMessage');
    const [, donations] = functionNamed('Donations: campaign progress, Stripe Checkout, the donate link');
    const [, webhook] = functionNamed('Stripe webhook: the gift ledger, receipts, donor opt-ins');
    const donationsPolicy = policyOf(donations.Properties.Role['Fn::GetAtt'][0]);
    const webhookPolicy = policyOf(webhook.Properties.Role['Fn::GetAtt'][0]);
    expect(donationsPolicy).not.toContain('sqs:SendMessage');
    expect(donationsPolicy).not.toContain('SubscribersTable');
    expect(donationsPolicy).toContain('DonationsTable');
    expect(webhookPolicy).toContain('sqs:SendMessage');
    expect(webhookPolicy).not.toContain('ses:SendEmail');
    expect(webhookPolicy).not.toContain('SubscribersTable');
    expect(webhookPolicy.match(/secretsmanager:GetSecretValue/g)?.length).toBeGreaterThanOrEqual(1);
    expect(webhook.Properties.Environment.Variables.STRIPE_SECRET_ID).toEqual({ Ref: expect.stringMatching(/^StripeSecret/) });
    const [, fallback] = functionNamed('Catch-all route: 404 and 405 in the contract format');
    // The catch-all touches nothing: its only statement is tracing's (X-Ray takes no resource-level permissions).
    const fallbackActions = [...policyOf(fallback.Properties.Role['Fn::GetAtt'][0]).matchAll(/"([a-z0-9-]+:[A-Za-z*]+)"/g)].map((m) => m[1]);
    expect(new Set(fallbackActions)).toEqual(new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
  });

  it('feeds the mailer from an encrypted queue with a dead-letter queue and partial batch failures', () => {
    api.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 8 },
    });
    api.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
    api.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('dead-letter') });
  });

  it('routes every contract route, a catch-all, CORS for the site origins only, and throttling', () => {
    for (const key of ['POST /v1/subscriptions', 'GET /v1/subscriptions/confirm', 'POST /v1/subscriptions/confirm', 'GET /v1/subscriptions/unsubscribe', 'POST /v1/subscriptions/unsubscribe', 'GET /v1/campaigns/{campaignId}', 'POST /v1/donations/checkout', 'GET /v1/donate', 'POST /v1/stripe/webhook', 'ANY /{proxy+}']) {
      api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    }
    api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://news.example.org'], AllowMethods: ['GET', 'POST'] }),
    });
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      RouteSettings: Match.objectLike({
        'POST /v1/subscriptions': { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
        'GET /v1/campaigns/{campaignId}': { ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 },
        'POST /v1/donations/checkout': { ThrottlingRateLimit: 60, ThrottlingBurstLimit: 120 },
        'GET /v1/donate': { ThrottlingRateLimit: 60, ThrottlingBurstLimit: 120 },
        'POST /v1/stripe/webhook': { ThrottlingRateLimit: 250, ThrottlingBurstLimit: 500 },
      }),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('answers HEAD wherever GET works: a HEAD route beside every GET route, on the same function (API Gateway matches methods exactly)', () => {
    const routes = Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string; Target: unknown } }).Properties,
    );
    const targetOf = new Map(routes.map((r) => [r.RouteKey, JSON.stringify(r.Target)]));
    const gets = routes.filter((r) => r.RouteKey.startsWith('GET '));
    expect(gets.map((r) => r.RouteKey)).toEqual(expect.arrayContaining(['GET /v1/embed.js', 'GET /v1/donate', 'GET /v1/subscriptions/confirm', 'GET /v1/admin/stats']));
    for (const get of gets) {
      const head = get.RouteKey.replace(/^GET /, 'HEAD ');
      expect(targetOf.get(head), head).toBe(targetOf.get(get.RouteKey));
    }
    expect(routes.filter((r) => r.RouteKey.startsWith('HEAD '))).toHaveLength(gets.length);
    // The catch-all (the icon, the stylesheet, 404 and 405) takes every method, HEAD included.
    expect(targetOf.has('ANY /{proxy+}')).toBe(true);
  });

  describe('route throttling, sized for a news day', () => {
    type Limit = { ThrottlingRateLimit: number; ThrottlingBurstLimit: number };
    const stageSettings = () => {
      const stages = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'));
      expect(stages).toHaveLength(1);
      const { DefaultRouteSettings, RouteSettings } = (stages[0] as { Properties: { DefaultRouteSettings: Limit; RouteSettings: Record<string, Limit> } }).Properties;
      return { defaults: DefaultRouteSettings, routes: RouteSettings };
    };
    const routeKeys = () => Object.values(api.findResources('AWS::ApiGatewayV2::Route')).map((r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey);
    const publicKeys = () => routeKeys().filter((key) => !key.includes('/v1/admin/') && key !== 'POST /v1/stripe/webhook');

    it('gives the Stripe webhook a route setting of its own, apart from every public route', () => {
      const { defaults, routes } = stageSettings();
      const webhook = routes['POST /v1/stripe/webhook'];
      expect(webhook).toEqual({ ThrottlingRateLimit: config.throttle.webhookRateLimit, ThrottlingBurstLimit: config.throttle.webhookBurstLimit });
      // Its own entry, not the stage default that the unlisted public routes get.
      expect(webhook).not.toEqual({ ThrottlingRateLimit: defaults.ThrottlingRateLimit, ThrottlingBurstLimit: defaults.ThrottlingBurstLimit });
      // 50 gifts/s with up to 3 events each must get through.
      expect(webhook?.ThrottlingRateLimit).toBeGreaterThanOrEqual(150);
      // Every public route has a limit other than the webhook's: its own entry, or the stage default.
      expect(publicKeys()).toContain('POST /v1/subscriptions');
      expect(publicKeys().length).toBeGreaterThanOrEqual(10);
      for (const key of publicKeys()) expect(routes[key] ?? defaults).not.toEqual(webhook);
    });

    it('lets everyone together sign up at 100+ per second, and the Checkout flow and banner keep up with a viral appeal', () => {
      const { routes } = stageSettings();
      expect(routes['POST /v1/subscriptions']?.ThrottlingRateLimit).toBeGreaterThanOrEqual(100);
      expect(routes['POST /v1/subscriptions']?.ThrottlingBurstLimit).toBeGreaterThanOrEqual(routes['POST /v1/subscriptions']?.ThrottlingRateLimit ?? Infinity);
      for (const key of ['POST /v1/donations/checkout', 'GET /v1/donate', 'GET /v1/donate/thanks']) {
        expect(routes[key]?.ThrottlingRateLimit).toBeGreaterThanOrEqual(50);
      }
      expect(routes['GET /v1/campaigns/{campaignId}']?.ThrottlingRateLimit).toBeGreaterThanOrEqual(100);
      for (const key of routeKeys().filter((k) => k.includes('/v1/admin/'))) {
        expect(routes[key]).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
      }
      // The console's pages and forms: a few editors, a page at a time.
      for (const key of routeKeys().filter((k) => /^(GET|POST) \/admin(\/|$)/.test(k))) {
        expect(routes[key], key).toEqual({ ThrottlingRateLimit: 2, ThrottlingBurstLimit: 5 });
      }
    });

    it('gives each HEAD route a small bucket of its own (uptime checkers, link scanners), the admin routes their own', () => {
      const { routes } = stageSettings();
      const heads = routeKeys().filter((key) => key.startsWith('HEAD '));
      expect(heads.length).toBeGreaterThanOrEqual(10);
      for (const key of heads) {
        const expected = key.includes('/v1/admin/')
          ? { ThrottlingRateLimit: config.throttle.adminRateLimit, ThrottlingBurstLimit: config.throttle.adminBurstLimit }
          : { ThrottlingRateLimit: config.throttle.headRateLimit, ThrottlingBurstLimit: config.throttle.headBurstLimit };
        expect(routes[key], key).toEqual(expected);
      }
    });

    it('names only routes that exist, and stays well under the account-level 10,000 rps / 5,000 burst', () => {
      const { defaults, routes } = stageSettings();
      const keys = routeKeys();
      for (const key of Object.keys(routes)) expect(keys).toContain(key);
      const each = keys.map((key) => routes[key] ?? defaults);
      const rate = each.reduce((sum, l) => sum + l.ThrottlingRateLimit, 0);
      const burst = each.reduce((sum, l) => sum + l.ThrottlingBurstLimit, 0);
      // Every route at its limit at once still leaves most of the account's limits to other APIs in the region.
      // (The embed's script loads with the banner, at the campaign route's limits: about 1,700 rps / 3,500 burst;
      // the banner's views and clicks, POST /v1/events, add a news day's 2,500 rps / 700 burst; the console's
      // routes about 180 rps / 325 burst at the console's, admin and HEAD limits (its webhooks and connectors pages
      // among them); the reminders' three routes and a
      // HEAD 35 more; the webhooks API's eight routes 40 rps / 80 burst at the admin limits: under the account's
      // 10,000 rps / 5,000 burst.)
      expect(rate).toBeLessThanOrEqual(4_750);
      expect(burst).toBeLessThanOrEqual(4_990);
    });

    it('keeps every limit a stage setting, within what API Gateway accepts', () => {
      const overridden = StageConfig.parse({ ...config, throttle: { webhookRateLimit: 400, webhookBurstLimit: 800, campaignRateLimit: 50 } });
      expect(overridden.throttle).toMatchObject({ webhookRateLimit: 400, webhookBurstLimit: 800, campaignRateLimit: 50, signupRateLimit: 200 });
      expect(StageConfig.safeParse({ ...config, throttle: { signupBurstLimit: 6_000 } }).success).toBe(false);
      expect(StageConfig.safeParse({ ...config, throttle: { webhookRateLimit: 20_000 } }).success).toBe(false);
      expect(StageConfig.safeParse({ ...config, throttle: { checkoutRateLimit: 0 } }).success).toBe(false);
    });
  });

  it('runs the reminders job every 5 minutes, and sends the giving statements of the year just ended twice in its first month (the second resumes the first)', () => {
    const rules = Object.values(api.findResources('AWS::Events::Rule')).map(
      (rule) => (rule as { Properties: { ScheduleExpression?: string; Targets: { Input?: string }[] } }).Properties,
    );
    const reminders = rules.find((rule) => rule.ScheduleExpression === 'rate(5 minutes)');
    expect(reminders?.Targets[0]?.Input).toBe('{}');
    // The stage's tax year starts on 1 January (the default): the statements go out on 20 and 27 January.
    const statements = rules.find((rule) => rule.ScheduleExpression?.startsWith('cron('));
    expect(statements?.ScheduleExpression).toBe(`cron(0 9 20,27 ${Number(config.taxYearStart.slice(0, 2))} ? *)`);
    expect(JSON.parse(statements?.Targets[0]?.Input ?? '{}')).toEqual({ statements: { year: 'last-ended' } });
  });

  it('pulls listmonk\'s refusals every 15 minutes in the webhook delivery worker, with no function of its own', () => {
    const rules = Object.values(api.findResources('AWS::Events::Rule')).map(
      (rule) => (rule as { Properties: { ScheduleExpression?: string; Targets: { Input?: string; Arn: unknown; RetryPolicy?: unknown; DeadLetterConfig?: unknown }[] } }).Properties,
    );
    const pull = rules.find((rule) => rule.ScheduleExpression === 'rate(15 minutes)');
    expect(JSON.parse(pull?.Targets[0]?.Input ?? '{}')).toEqual({ job: 'listmonk-pull' });
    expect(JSON.stringify(pull?.Targets[0]?.Arn)).toMatch(/WebhookDeliveryFunction/);
    expect(pull?.Targets[0]?.RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
    expect(JSON.stringify(pull?.Targets[0]?.DeadLetterConfig)).toMatch(/WebhookDeliveryDeadLetterQueue/);
  });

  it('generates the signing secret in Secrets Manager', () => {
    api.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'signingKey', PasswordLength: 64 }),
    });
  });
});

describe('admin and list hygiene', () => {
  it('keeps exports private, encrypted, TLS-only and short-lived', () => {
    data.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      // The console offers a file's download for as long as the bucket keeps it.
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: EXPORT_FILE_DAYS, Status: 'Enabled' })]) },
    });
    data.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('sends bounces and complaints from the configuration set through SNS to the ses-events function', () => {
    data.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({ Enabled: true, MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']), SnsDestination: Match.anyValue() }),
    });
    api.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
    api.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    api.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('bounce or complaint') });
  });

  it('watches sender reputation: metrics on, alarms at 2 % bounces and 0.05 % complaints (before SES acts at 5 % and 0.1 %)', () => {
    data.hasResourceProperties('AWS::SES::ConfigurationSet', { ReputationOptions: { ReputationMetricsEnabled: true } });
    for (const [metric, threshold] of [['Reputation.BounceRate', 0.02], ['Reputation.ComplaintRate', 0.0005]] as const) {
      api.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SES',
        MetricName: metric,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'ses:configuration-set', Value: Match.anyValue() }],
        AlarmActions: [Match.anyValue()],
      });
    }
  });

  it('lets the admin function invoke the worker and sign links, and the worker write exports only', () => {
    const [, adminFn] = functionNamed('Admin API: exports, data requests, stats');
    const [, worker] = functionNamed('Export worker: streams subscribers or donations to CSV in S3');
    const adminPolicy = policyOf(adminFn.Properties.Role['Fn::GetAtt'][0]);
    const workerPolicy = policyOf(worker.Properties.Role['Fn::GetAtt'][0]);
    expect(adminPolicy).toContain('lambda:InvokeFunction');
    expect(adminPolicy).toContain('s3:GetObject');
    expect(adminPolicy).not.toContain('s3:PutObject');
    expect(workerPolicy).toContain('s3:PutObject');
    expect(workerPolicy).not.toContain('s3:GetObject');
    expect(workerPolicy).not.toContain('secretsmanager');
    expect(adminFn.Properties.Environment.Variables).toMatchObject({ EXPORT_WORKER_FUNCTION_NAME: expect.anything() });
    for (const key of ['POST /v1/admin/exports', 'GET /v1/admin/exports/{exportId}', 'GET /v1/admin/subscribers/{email}', 'DELETE /v1/admin/subscribers/{email}', 'GET /v1/admin/stats']) {
      api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    }
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: Match.objectLike({ 'GET /v1/admin/stats': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } }),
    });
  });
});

describe('cdk-nag AwsSolutions and Serverless', () => {
  it('reports no unsuppressed error or warning on either stack', () => {
    for (const stack of [stacks.data, stacks.api]) {
      const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('^(AwsSolutions|Serverless)-'));
      expect([...errors, ...warnings].map((e) => `${e.id}: ${String(e.entry.data).slice(0, 160)}`)).toEqual([]);
    }
  });

  it('uses every suppression: each answers a finding on its own resource, so a trimmed grant takes its suppression with it', () => {
    // cdk-nag's reports (one per pack and stack) list every finding it suppressed, with the reason.
    const cells = (row: string) => [...row.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => (m[1] ?? '').replaceAll('""', '"'));
    // The construct a suppression was declared on: the stack's child, or a feature's child (a feature only groups).
    const features = new Set([stacks.data, stacks.api].flatMap((stack) => stack.node.findAll()).filter((c) => c instanceof Feature).map((c) => c.node.path));
    const owner = (path: string) => {
      const parts = path.split('/');
      let end = 2;
      while (end < parts.length && features.has(parts.slice(0, end).join('/'))) end++;
      return parts.slice(0, end).join('/');
    };
    const used = new Set(
      readdirSync(assemblyDir)
        .filter((name) => name.endsWith('-NagReport.csv'))
        .flatMap((name) => readFileSync(join(assemblyDir, name), 'utf8').split('\n').map(cells))
        .filter(([, , compliance]) => compliance === 'Suppressed')
        .map(([rule, path = '', , reason = '']) => `${rule} ${owner(path)} ${reason.replace(/^\[[^\]]*\] /, '')}`),
    );
    expect(used.size).toBeGreaterThan(0);
    const declared = new Set<string>();
    for (const stack of [stacks.data, stacks.api]) {
      for (const construct of stack.node.findAll()) {
        if (!(construct instanceof CfnResource)) continue;
        const rules = (construct.getMetadata('cdk_nag') as { rules_to_suppress?: { id: string; reason: string; is_reason_encoded?: boolean }[] } | undefined)?.rules_to_suppress ?? [];
        for (const { id, reason, is_reason_encoded } of rules) {
          declared.add(`${id} ${owner(construct.node.path)} ${is_reason_encoded ? Buffer.from(reason, 'base64').toString() : reason}`);
        }
      }
    }
    expect([...declared].filter((suppression) => !used.has(suppression))).toEqual([]);
  });

  it('keeps Resource "*" to the X-Ray actions of tracing and the stream listing of a stream\'s event source (neither has resource-level permissions)', () => {
    const wildcardActions = new Set<string>();
    for (const policy of Object.values(api.findResources('AWS::IAM::Policy'))) {
      const statements = (policy as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement;
      for (const statement of statements) {
        const resources = [statement.Resource].flat();
        if (resources.includes('*')) for (const action of [statement.Action].flat()) wildcardActions.add(action);
      }
    }
    expect([...wildcardActions].sort()).toEqual(['dynamodb:ListStreams', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('traces without a tracer library: no bundle carries an X-Ray SDK or a Powertools tracer', () => {
    const bundles = readdirSync(assemblyDir)
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(assemblyDir, name, 'index.mjs'))
      .filter((path) => {
        try {
          return readFileSync(path).length > 0;
        } catch {
          return false;
        }
      });
    expect(bundles.length).toBeGreaterThanOrEqual(8);
    for (const bundle of bundles) expect(readFileSync(bundle, 'utf8')).not.toMatch(/aws-xray-sdk|@aws-lambda-powertools\/tracer|captureAWSv3Client/);
  });

  /** The asset folder (bundle and what lies beside it) of each function of the API stack, by logical id prefix. */
  const functionAssets = () =>
    Object.entries(api.findResources('AWS::Lambda::Function')).flatMap(([id, resource]) => {
      const key = (resource as { Properties: { Code?: { S3Key?: string } } }).Properties.Code?.S3Key;
      return key ? [{ id, dir: join(assemblyDir, `asset.${key.replace(/\.zip$/, '')}`) }] : [];
    });

  it('bundles each function from its own entry: no two functions share an asset', () => {
    const assets = functionAssets();
    expect(assets.length).toBeGreaterThanOrEqual(8);
    expect(new Set(assets.map(({ dir }) => dir)).size).toBe(assets.length);
  });

  it('puts every language catalogue beside every bundle, as the source has it', () => {
    const assets = functionAssets();
    expect(assets.length).toBeGreaterThanOrEqual(8);
    for (const { dir } of assets) {
      expect(readdirSync(join(dir, 'messages')).sort()).toEqual(LANGUAGES.map((lang) => `${lang}.json`).sort());
      for (const lang of LANGUAGES) {
        expect(JSON.parse(readFileSync(join(dir, 'messages', `${lang}.json`), 'utf8'))).toEqual(messagesOf(lang));
      }
    }
  });

  it('code-splits each bundle: a library loaded on first use sits in a chunk that the cold start does not load, and the chunk loads (the passkey library)', async () => {
    const editorConsole = functionAssets().find(({ id }) => id.startsWith('ConsoleFunction'));
    expect(editorConsole).toBeDefined();
    const dir = editorConsole?.dir ?? '';
    // What a cold start loads: index.mjs and the chunks it imports statically, transitively.
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const [, path] of readFileSync(file, 'utf8').matchAll(/(?:^|[;}])import(?:[^'"()]*?from)?\s*["'](\.[^"']+)["']/g)) visit(join(dirname(file), path ?? ''));
    };
    visit(join(dir, 'index.mjs'));
    const chunks = readdirSync(dir).filter((name) => name.endsWith('.mjs') && name !== 'index.mjs').map((name) => join(dir, name));
    const webauthn = chunks.filter((file) => /generateRegistrationOptions|asn1js|AsnParser/.test(readFileSync(file, 'utf8')));
    expect(webauthn.length).toBeGreaterThan(0);
    for (const file of loaded) expect(readFileSync(file, 'utf8')).not.toMatch(/AsnParser|generateRegistrationOptions/);
    // Every chunk loads from the deployed folder as Node finds it (relative imports, no node_modules beside it).
    const probe = join(dir, 'probe-chunks.mjs');
    writeFileSync(probe, `${webauthn.map((file) => `await import(${JSON.stringify(pathToFileURL(file).href)});`).join('\n')}\nprocess.stdout.write('loaded');`);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [probe], { cwd: tmpdir(), env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' } });
      expect(stdout).toBe('loaded');
    } finally {
      rmSync(probe, { force: true });
    }
  });

  it("reads a catalogue from beside its bundle when a reader's language is first needed (the catch-all's 404 in Ukrainian)", () => {
    const fallback = functionAssets().find(({ id }) => id.startsWith('FallbackFunction'));
    expect(fallback).toBeDefined();
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/nowhere',
      rawQueryString: '',
      headers: { accept: 'text/html', 'accept-language': 'uk-UA,uk;q=0.9,en;q=0.5' },
      requestContext: { http: { method: 'GET', path: '/nowhere', sourceIp: '198.51.100.7' }, requestId: 'r1' },
      isBase64Encoded: false,
    };
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(fallback?.dir ?? '', 'index.mjs')).href)});
process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)})));`;
    const answer = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', SITE_NAME: 'Example News', LOG_LEVEL: 'SILENT' },
        encoding: 'utf8',
      }),
    ) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toContain('<html lang="uk">');
    expect(answer.body).toContain(messagesOf('uk').errors.titles['404']);
  });
});

