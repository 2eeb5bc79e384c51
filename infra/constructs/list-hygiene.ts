import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { SesEventsConfig } from '../../functions/configs.js';
import { acceptFinding } from '../nag.js';
import { AppFunction } from './app-function.js';
import { FailureQueue } from './failure-queue.js';
import { Feature } from './feature.js';

export interface ListHygieneProps {
  signingSecret: ISecret;
  subscribersTable: ITable;
  /** Where SES publishes the configuration set's bounces and complaints (the data stack's topic). */
  sesEventsTopic: ITopic;
}

/**
 * List hygiene: every bounce and complaint SES reports suppresses the address, so that the list stops mailing it
 * and the account's bounce and complaint rates stay below the levels at which SES reviews or pauses it.
 */
export class ListHygiene extends Feature {
  readonly functions: { 'ses-events': AppFunction };
  /** Where a notification that could not be recorded waits. */
  readonly failures: FailureQueue;

  constructor(scope: Construct, id: string, props: ListHygieneProps) {
    super(scope, id);
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
            'dynamodb:UpdateItem': ['COUNTS#SUBSCRIBERS#', 'DAY#'],
          },
        }),
        SIGNING_SECRET_ID: bind.secret(props.signingSecret),
        COUNTER_SHARDS: undefined,
      }),
    });
    this.functions = { 'ses-events': sesEvents };
    // A notification the function could not record (after Lambda's own retries) waits here, behind an alarm:
    // a lost bounce would mean mailing a dead address again.
    this.failures = new FailureQueue(this, 'SesEventsDeadLetterQueue', {
      receives: 'failed invocations',
      alarm: { id: 'SesEventFailuresAlarm', description: 'SES bounce or complaint notifications could not be recorded' },
    });
    sesEvents.fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.failures) });
    // SNS's own delivery to the function, when Lambda refuses it (throttled, unavailable) past SNS's retries, too.
    props.sesEventsTopic.addSubscription(new LambdaSubscription(sesEvents.fn, { deadLetterQueue: this.failures }));

    acceptFinding(
      sesEvents,
      'Serverless-LambdaDLQ',
      'Serverless-LambdaDLQ: a failed asynchronous invocation goes to an on-failure destination (an alarmed SQS queue), which keeps the error with the request where a dead-letter queue keeps only the event.',
    );
  }
}
