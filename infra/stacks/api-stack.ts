import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet, IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { NagSuppressions } from 'cdk-nag';
import { type FunctionName, ROUTES, routeKey } from '../../functions/platform/routes.js';
import type { StageConfig } from '../config.js';
import {
  AdminConfig,
  DonationConfig,
  ExportWorkerConfig,
  FallbackConfig,
  SignupAndMailConfig,
  SesEventsConfig,
  SubscriptionConfig,
  WebhookConfig,
} from '../../functions/platform/config.js';
import { AppFunction, type Bind } from '../constructs/app-function.js';

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

    // One key for link tokens and keyed hashes. Not rotated automatically: rotating it would break every
    // unsubscribe link already sent (see README, "Rotating the signing key").
    const signingSecret = new Secret(this, 'SigningSecret', {
      description: 'Appeal: key for link tokens and keyed hashes of IPs and erased addresses',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'signingKey', passwordLength: 64, excludePunctuation: true },
    });

    // Stripe keys are entered by a person after the first deploy (README): generated placeholder until then.
    const stripeSecret = new Secret(this, 'StripeSecret', {
      description: 'Appeal: {"secretKey": "sk_…", "webhookSecret": "whsec_…"} from the Stripe dashboard',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder', excludePunctuation: true },
    });

    const deadLetters = new Queue(this, 'SignupAndMailDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const signupAndMailQueue = new Queue(this, 'SignupAndMailQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180), // six times the signup-and-mail worker's timeout, as AWS advises
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 8 },
    });

    const api = new HttpApi(this, 'HttpApi', {
      description: `Appeal public API (${config.stage})`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: config.siteOrigins,
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ['content-type'],
        maxAge: Duration.minutes(10),
      },
    });
    this.api = api;
    const publicApiUrl = config.publicApiUrl ?? api.apiEndpoint;

    const site = { SITE_NAME: config.siteName, PUBLIC_API_URL: publicApiUrl };
    // What the subscriptions function and the signup-and-mail worker share: the lists, the consent wording, the links' terms.
    const mailingList = {
      LIST_IDS: config.lists.join(','),
      DEFAULT_LIST: config.defaultList,
      CONSENT_VERSION: config.consentVersion,
      CONFIRM_TTL_DAYS: String(config.confirmTtlDays),
      MAIL_INTERVAL_SECONDS: undefined,
      SIGNUP_ADDRESS_LIMIT_PER_HOUR: String(config.limits.signupAddressPerHour),
      COUNTER_SHARDS: undefined,
    };

    const subscriptions = new AppFunction(this, 'SubscriptionsFunction', {
      entry: 'subscriptions',
      secretsExtension: true,
      description: 'Mailing list: signup, confirm, unsubscribe',
      config: SubscriptionConfig,
      environment: (bind) => ({
        ...site,
        ...mailingList,
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, 'readWrite'),
        SIGNUP_AND_MAIL_QUEUE_URL: bind.queueSender(signupAndMailQueue),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        THANK_YOU_URL: config.thankYouUrl,
        CONFIRMED_URL: config.confirmedUrl,
        SIGNUP_CLIENT_LIMIT_PER_MINUTE: String(config.limits.signupClientPerMinute),
        LINK_CLIENT_LIMIT_PER_MINUTE: String(config.limits.linkClientPerMinute),
      }),
    });

    // The signup-and-mail worker consumes the queue (the event source grants that) and puts nothing on it.
    const signupAndMail = new AppFunction(this, 'SignupAndMailFunction', {
      entry: 'signup-and-mail',
      secretsExtension: true,
      description: 'Signup and mail worker: applies signups (writes subscribers) and sends email through SES',
      timeout: Duration.seconds(30),
      config: SignupAndMailConfig,
      environment: (bind) => ({
        ...site,
        ...mailingList,
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, 'readWrite'),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        MAIL_FROM: config.mailFrom,
        MAIL_REPLY_TO: config.replyTo,
        SES_CONFIGURATION_SET: props.configurationSet.configurationSetName,
        CHARITY_NAME: config.charityName,
        CHARITY_REGISTRATION: config.charityRegistration,
      }),
    });
    signupAndMail.fn.addEventSource(
      new SqsEventSource(signupAndMailQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    signupAndMail.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          props.emailIdentity.emailIdentityArn,
          `arn:${this.partition}:ses:${this.region}:${this.account}:configuration-set/${props.configurationSet.configurationSetName}`,
        ],
      }),
    );

    // Both Stripe functions: the donations table, the keys, and the Stripe account's mode.
    const stripe = (bind: Bind) => ({
      DONATIONS_TABLE_NAME: bind.table(props.donationsTable, 'readWrite'),
      SIGNING_SECRET_ID: bind.secret(signingSecret),
      STRIPE_SECRET_ID: bind.secret(stripeSecret),
      STRIPE_API_URL: undefined, // only for the dev server's Stripe simulator
      COUNTER_SHARDS: undefined,
    });
    const donations = new AppFunction(this, 'DonationsFunction', {
      entry: 'donations',
      secretsExtension: true,
      description: 'Donations: campaign progress, Stripe Checkout, the donate link',
      config: DonationConfig,
      environment: (bind) => ({
        ...site,
        ...stripe(bind),
        CURRENCIES: config.currencies.join(','),
        DONATION_SUCCESS_URL: config.donationSuccessUrl,
        DONATION_CANCEL_URL: config.donationCancelUrl,
        CHECKOUT_CLIENT_LIMIT_PER_MINUTE: String(config.limits.checkoutClientPerMinute),
        CAMPAIGN_CACHE_SECONDS: undefined,
      }),
    });

    const stripeWebhook = new AppFunction(this, 'StripeWebhookFunction', {
      entry: 'stripe-webhook',
      secretsExtension: true,
      description: 'Stripe webhook: the gift ledger, receipts, donor opt-ins',
      timeout: Duration.seconds(30),
      config: WebhookConfig,
      environment: (bind) => ({
        ...site,
        ...stripe(bind),
        SIGNUP_AND_MAIL_QUEUE_URL: bind.queueSender(signupAndMailQueue),
        CONSENT_VERSION: config.consentVersion,
        DEFAULT_LIST: config.defaultList,
      }),
    });

    const exportWorker = new AppFunction(this, 'ExportWorkerFunction', {
      entry: 'export-worker',
      description: 'Export worker: streams subscribers or donations to CSV in S3',
      memorySize: 1024,
      timeout: Duration.minutes(15),
      config: ExportWorkerConfig,
      environment: (bind) => ({
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, 'readWrite'),
        DONATIONS_TABLE_NAME: bind.table(props.donationsTable, 'read'),
        EXPORT_BUCKET_NAME: props.exportBucket.bucketName,
      }),
    });
    props.exportBucket.grantPut(exportWorker.fn, 'exports/*');
    // No automatic retry of a failed export: it is marked failed, and the admin starts it again.
    exportWorker.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.hours(1) });

    const admin = new AppFunction(this, 'AdminFunction', {
      entry: 'admin',
      secretsExtension: true,
      description: 'Admin API: exports, data requests, stats',
      config: AdminConfig,
      environment: (bind) => ({
        ...site,
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, 'readWrite'),
        DONATIONS_TABLE_NAME: bind.table(props.donationsTable, 'read'),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        EXPORT_BUCKET_NAME: props.exportBucket.bucketName,
        EXPORT_WORKER_FUNCTION_NAME: exportWorker.fn.functionName,
        COUNTER_SHARDS: undefined,
      }),
    });
    props.exportBucket.grantRead(admin.fn, 'exports/*'); // to sign download links
    exportWorker.fn.grantInvoke(admin.fn);

    const sesEvents = new AppFunction(this, 'SesEventsFunction', {
      entry: 'ses-events',
      secretsExtension: true,
      description: 'SES bounces and complaints: suppress the address',
      config: SesEventsConfig,
      environment: (bind) => ({
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, 'readWrite'),
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
    NagSuppressions.addResourceSuppressions(sesEventFailures, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter destination of the ses-events function.' },
    ]);
    props.sesEventsTopic.addSubscription(new LambdaSubscription(sesEvents.fn));

    const fallback = new AppFunction(this, 'FallbackFunction', {
      entry: 'fallback',
      description: 'Catch-all route: 404 and 405 in the contract format',
      memorySize: 256,
      config: FallbackConfig,
      environment: () => ({ SITE_NAME: config.siteName }),
    });

    const groups: Record<FunctionName, AppFunction> = { subscriptions, donations, 'stripe-webhook': stripeWebhook, admin };
    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${route.fn}Integration`, groups[route.fn].fn);
        integrations.set(route.fn, integration);
      }
      api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    api.addRoutes({ path: '/{proxy+}', methods: [HttpMethod.ANY], integration: new HttpLambdaIntegration('FallbackIntegration', fallback.fn) });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.THREE_MONTHS });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttle.rateLimit, burstLimit: config.throttle.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    // Route throttling (the limits and their reasons are in infra/config.ts). Every route has a bucket of its own;
    // one listed here overrides the stage default above. The Stripe webhook's is separate from every public route's.
    const throttle = config.throttle;
    const limit = (rate: number, burst: number) => ({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });
    const signupLimit = limit(throttle.signupRateLimit, throttle.signupBurstLimit);
    const checkoutLimit = limit(throttle.checkoutRateLimit, throttle.checkoutBurstLimit);
    const routeSettings: Record<string, ReturnType<typeof limit>> = {
      'POST /v1/subscriptions': signupLimit,
      'GET /v1/subscriptions/thanks': signupLimit, // a form signup without JavaScript lands here
      'GET /v1/campaigns/{campaignId}': limit(throttle.campaignRateLimit, throttle.campaignBurstLimit),
      'POST /v1/donations/checkout': checkoutLimit,
      'GET /v1/donate': checkoutLimit,
      'GET /v1/donate/thanks': checkoutLimit,
      'POST /v1/stripe/webhook': limit(throttle.webhookRateLimit, throttle.webhookBurstLimit),
      ...Object.fromEntries(
        ROUTES.filter((route) => route.fn === 'admin').map((route) => [routeKey(route), limit(throttle.adminRateLimit, throttle.adminBurstLimit)]),
      ),
    };
    const known = new Set(ROUTES.map(routeKey));
    const unknown = Object.keys(routeSettings).filter((key) => !known.has(key));
    if (unknown.length > 0) throw new Error(`route throttling names routes that do not exist: ${unknown.join(', ')}`);
    (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', routeSettings);

    const alarmTopic = new Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (config.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
    const alarm = (id: string, metric: IMetric, description: string) =>
      new Alarm(this, id, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new SnsAction(alarmTopic));
    // SES reviews an account at a 5 % bounce rate or a 0.1 % complaint rate (and may pause sending at 10 % and
    // 0.5 %): warn at 2 % and 0.05 %, while there is time to look at the list. The rates are fractions.
    const reputation = (id: string, metricName: string, threshold: number, description: string) =>
      new Alarm(this, id, {
        metric: new Metric({
          namespace: 'AWS/SES',
          metricName,
          dimensionsMap: { 'ses:configuration-set': props.configurationSet.configurationSetName },
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new SnsAction(alarmTopic));
    reputation('SesBounceRateAlarm', 'Reputation.BounceRate', 0.02, 'Bounce rate at 2 % or more (SES reviews the account at 5 %)');
    reputation('SesComplaintRateAlarm', 'Reputation.ComplaintRate', 0.0005, 'Complaint rate at 0.05 % or more (SES reviews the account at 0.1 %)');
    alarm('SignupAndMailDeadLettersAlarm', deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 'Emails failed repeatedly and wait in the dead-letter queue');
    alarm('SesEventFailuresAlarm', sesEventFailures.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }), 'SES bounce or complaint notifications could not be recorded');
    alarm('Api5xxAlarm', api.metricServerError({ period: Duration.minutes(5) }), 'The API answered 5xx');
    for (const [name, fn] of Object.entries({ subscriptions, signupAndMail, donations, stripeWebhook, admin, exportWorker, sesEvents })) {
      alarm(`${name[0]?.toUpperCase()}${name.slice(1)}ErrorsAlarm`, fn.fn.metricErrors({ period: Duration.minutes(5) }), `The ${name} function failed`);
    }

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'PublicApiUrl', { value: publicApiUrl });
    new CfnOutput(this, 'SignupAndMailQueueUrl', { value: signupAndMailQueue.queueUrl });
    new CfnOutput(this, 'StripeSecretArn', { value: stripeSecret.secretArn });
    new CfnOutput(this, 'StripeWebhookUrl', { value: `${publicApiUrl}/v1/stripe/webhook` });
  }
}
