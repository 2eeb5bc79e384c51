import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet, IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SignupAndMailConfig, SubscriptionConfig } from '../../functions/configs.js';
import type { StageConfig } from '../config.js';
import { acceptFinding } from '../nag.js';
import { AppFunction, type Bind } from './app-function.js';
import { FailureQueue } from './failure-queue.js';
import { Feature } from './feature.js';
import type { SiteEnvironment } from './site.js';

/** The most signup-and-mail workers the queue's event source runs at once (its maximum concurrency). */
const MAIL_WORKERS = 5;

export interface MailingListProps {
  config: StageConfig;
  site: SiteEnvironment;
  signingSecret: ISecret;
  subscribersTable: ITable;
  emailIdentity: IEmailIdentity;
  configurationSet: IConfigurationSet;
}

/**
 * The mailing list: signup, confirmation and unsubscribe (the subscriptions function), and the signup-and-mail
 * worker behind its queue, which applies signups and sends every email, so that a slow or throttled SES never
 * fails or slows a signup or a Stripe webhook.
 */
export class MailingList extends Feature {
  readonly functions: { subscriptions: AppFunction; 'signup-and-mail': AppFunction };
  /** The work queue of signups and emails: the mailing list's functions and the Stripe webhook put on it. */
  readonly queue: Queue;
  /** Where a message the worker failed 8 times waits. */
  readonly deadLetters: FailureQueue;

  constructor(scope: Construct, id: string, props: MailingListProps) {
    super(scope, id);
    const { config, site, signingSecret } = props;

    this.deadLetters = new FailureQueue(this, 'SignupAndMailDeadLetterQueue', {
      receives: 'dead letters',
      alarm: { id: 'SignupAndMailDeadLettersAlarm', description: 'Emails failed repeatedly and wait in the dead-letter queue' },
    });
    // In the stack's scope, not the feature's: the SQS event source names its mapping after the queue's path, so
    // the queue keeps the path it had for the mapping to keep its logical id (a new one would be a new mapping).
    this.queue = new Queue(Stack.of(this), 'SignupAndMailQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180), // six times the signup-and-mail worker's timeout, as AWS advises
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 8 },
    });

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
        // Public: reads and writes subscribers and counts them, keeps the rate windows, and deletes only the
        // suppression marker that a confirmation lifts. No Query, no Scan, no other kind of item (admin tokens).
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, {
          items: {
            'dynamodb:GetItem': ['SUB#'],
            'dynamodb:PutItem': ['SUB#', 'REMIND#'],
            'dynamodb:UpdateItem': ['RATE#', 'COUNTS#SUBSCRIBERS#', 'DAY#', 'ATTR#'],
            // A reminders' unsubscribe deletes every reminder of its address (one partition).
            'dynamodb:DeleteItem': ['SUPPRESS#', 'REMIND#'],
            'dynamodb:Query': ['REMIND#'],
          },
        }),
        SIGNUP_AND_MAIL_QUEUE_URL: bind.queueSender(this.queue),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        THANK_YOU_URL: config.thankYouUrl,
        CONFIRMED_URL: config.confirmedUrl,
        SIGNUP_CLIENT_LIMIT_PER_MINUTE: String(config.limits.signupClientPerMinute),
        LINK_CLIENT_LIMIT_PER_MINUTE: String(config.limits.linkClientPerMinute),
        REMINDER_CLIENT_LIMIT_PER_MINUTE: undefined,
        REMINDER_ADDRESS_LIMIT_PER_DAY: undefined,
        SITE_TIME_ZONE: config.timeZone,
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
        // Applies signups (subscribers and their counts), checks suppression markers, keeps the sent-mail ledger, and
        // looks up a console editor before mailing a sign-in link (only an editor's address gets one).
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, {
          items: {
            'dynamodb:GetItem': ['SUB#', 'SUPPRESS#', 'MAIL#', 'EDITOR#'],
            'dynamodb:PutItem': ['SUB#', 'MAIL#', 'SIGNUP#'],
            'dynamodb:UpdateItem': ['COUNTS#SUBSCRIBERS#', 'MAIL#', 'DAY#', 'ATTR#'],
          },
          // The editors' list (the index): a notice for the admins goes to each of them.
          query: ['gsi1'],
        }),
        SIGNING_SECRET_ID: bind.secret(signingSecret),
        ...mailerEnvironment(config, bind, props),
      }),
    });
    this.functions = { subscriptions, 'signup-and-mail': signupAndMail };
    signupAndMail.fn.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: MAIL_WORKERS }),
    );
    const mailReservation = config.reservedConcurrency['signup-and-mail'];
    if (mailReservation !== undefined && mailReservation < MAIL_WORKERS) {
      // Lambda's advice: with fewer than the event source's maximum concurrency, the poller's invocations are throttled,
      // and each throttled batch counts as a receive towards the dead-letter queue.
      throw new Error(`reservedConcurrency.signup-and-mail (${mailReservation}) must be at least the queue's maximum concurrency (${MAIL_WORKERS})`);
    }

    acceptFinding(
      signupAndMail,
      'Serverless-LambdaDLQ',
      "Serverless-LambdaDLQ: an SQS event source mapping invokes this function; a message that keeps failing moves to the queue's own dead-letter queue (after 8 receives, alarmed).",
    );
    acceptFinding(
      signupAndMail,
      'Serverless-LambdaEventSourceMappingDestination',
      "Serverless-LambdaEventSourceMappingDestination: Lambda's on-failure destinations for event source mappings serve streams and Kafka; for SQS the queue's redrive policy is the failure destination (8 receives, then the alarmed dead-letter queue).",
    );
  }
}

/**
 * What a function that sends mail through SES needs besides its tables: the sender and reply-to, the configuration
 * set (with the right to send as the identity through it), and the charity and postal address every email's footer
 * shows.
 */
export const mailerEnvironment = (
  config: Pick<StageConfig, 'mailFrom' | 'replyTo' | 'charityName' | 'charityRegistration' | 'postalAddress' | 'senderName'>,
  bind: Pick<Bind, 'mailSender'>,
  ses: { emailIdentity: IEmailIdentity; configurationSet: IConfigurationSet },
) => ({
  MAIL_FROM: config.mailFrom,
  MAIL_REPLY_TO: config.replyTo,
  SES_CONFIGURATION_SET: bind.mailSender(ses.emailIdentity, ses.configurationSet),
  CHARITY_NAME: config.charityName,
  CHARITY_REGISTRATION: config.charityRegistration,
  POSTAL_ADDRESS: config.postalAddress,
  SENDER_NAME: config.senderName,
});
