import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet, IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Construct } from 'constructs';
import { RemindersConfig } from '../../functions/configs.js';
import type { StageConfig } from '../config.js';
import { acceptFinding } from '../nag.js';
import { AppFunction } from './app-function.js';
import { FailureQueue } from './failure-queue.js';
import { Feature } from './feature.js';
import { mailerEnvironment } from './mailing-list.js';
import type { SiteEnvironment } from './site.js';

export interface RemindersProps {
  config: StageConfig;
  site: SiteEnvironment;
  signingSecret: ISecret;
  subscribersTable: ITable;
  donationsTable: ITable;
  emailIdentity: IEmailIdentity;
  configurationSet: IConfigurationSet;
}

/** How often the schedule runs the job: a reminder leaves within this much of 09:00 on its day. */
export const REMINDERS_EVERY = Duration.minutes(5);

/**
 * "Remind me later": the job that sends the reminders that are due, run by an EventBridge rule every few minutes.
 * It finds them through the due-time index (a Query per index partition of each day), sends each through the
 * mailer's one path (suppressions, the sent-mail ledger) and deletes it.
 */
export class Reminders extends Feature {
  readonly functions: { reminders: AppFunction };
  readonly failures: FailureQueue;

  constructor(scope: Construct, id: string, props: RemindersProps) {
    super(scope, id);
    const { config } = props;
    const reminders = new AppFunction(this, 'RemindersFunction', {
      entry: 'reminders',
      secretsExtension: true,
      description: 'Donor jobs: the reminders that are due (once each, then deleted), and a tax year\'s giving statements',
      // A year's giving statements are one run that mails every donor of the year, one after another: Lambda's
      // longest. A run cut short is resumed by running it again (each statement is claimed in the ledger).
      timeout: Duration.minutes(15),
      config: RemindersConfig,
      environment: (bind) => ({
        ...props.site,
        LIST_IDS: config.lists.join(','),
        DEFAULT_LIST: config.defaultList,
        CONSENT_VERSION: config.consentVersion,
        CONFIRM_TTL_DAYS: String(config.confirmTtlDays),
        MAIL_INTERVAL_SECONDS: undefined,
        SIGNUP_ADDRESS_LIMIT_PER_HOUR: undefined,
        COUNTER_SHARDS: undefined,
        // The reminders (their due-time index, then each one deleted), the suppression check and the sent-mail ledger.
        SUBSCRIBERS_TABLE_NAME: bind.table(props.subscribersTable, {
          items: {
            'dynamodb:GetItem': ['SUB#', 'SUPPRESS#', 'MAIL#'],
            'dynamodb:PutItem': ['MAIL#'],
            'dynamodb:UpdateItem': ['MAIL#'],
            'dynamodb:DeleteItem': ['REMIND#'],
          },
          query: ['gsi1'],
        }),
        // A campaign's title, and whether it still takes gifts; the statements read the campaigns and a year's gifts on the index.
        DONATIONS_TABLE_NAME: bind.table(props.donationsTable, { items: { 'dynamodb:GetItem': ['CAMPAIGN#'] }, query: ['gsi1'] }),
        SIGNING_SECRET_ID: bind.secret(props.signingSecret),
        ...mailerEnvironment(config, bind, props),
        SITE_TIME_ZONE: config.timeZone,
        TAX_YEAR_START: config.taxYearStart,
      }),
    });
    this.functions = { reminders };
    // One run at a time is enough, and a run that fails is simply the next one's work: no retry of a stale run.
    this.failures = new FailureQueue(this, 'RemindersFailureQueue', {
      receives: 'failed invocations',
      alarm: { id: 'RemindersFailuresAlarm', description: 'Runs of the reminders job failed' },
    });
    reminders.fn.configureAsyncInvoke({ retryAttempts: 0, onFailure: new SqsDestination(this.failures) });
    new Rule(this, 'RemindersSchedule', {
      description: 'Runs the reminders job',
      schedule: Schedule.rate(REMINDERS_EVERY),
      // An invocation EventBridge could not make waits in the same alarmed queue.
      targets: [new LambdaFunction(reminders.fn, { event: RuleTargetInput.fromObject({}), retryAttempts: 0, deadLetterQueue: this.failures })],
    });
    // The giving statements of the tax year just ended, two weeks after it ends (late bank debits and refunds have
    // settled), and again a week later: a run cut short by the 15-minute limit or a failure is resumed then, and a
    // donor already sent a statement is sent nothing (the sent-mail ledger). `statements send --year` does the same.
    const month = Number(config.taxYearStart.slice(0, 2));
    new Rule(this, 'StatementsSchedule', {
      description: 'Sends the giving statements of the tax year that ended',
      schedule: Schedule.expression(`cron(0 9 20,27 ${month} ? *)`),
      targets: [
        new LambdaFunction(reminders.fn, {
          event: RuleTargetInput.fromObject({ statements: { year: 'last-ended' } }),
          retryAttempts: 0,
          deadLetterQueue: this.failures,
        }),
      ],
    });
    acceptFinding(
      reminders,
      'Serverless-LambdaDLQ',
      'Serverless-LambdaDLQ: a failed scheduled run goes to an on-failure destination (an alarmed SQS queue); the next run, minutes later, does its work.',
    );
  }
}
