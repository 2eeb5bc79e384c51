import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acceptFinding } from '../nag.js';

export interface FailureQueueProps {
  /**
   * What ends here: the messages a work queue gave up on (it is that queue's dead-letter queue), or a function's
   * failed asynchronous invocations, each with its error (it is the function's on-failure destination).
   */
  receives: 'dead letters' | 'failed invocations';
  /** The alarm on its first message (made by the monitoring): its construct id, and what the message means. */
  alarm: { id: string; description: string };
}

/**
 * A queue where failed work waits for a person, who reads it: nothing redrives it onward. Kept 14 days, the most
 * SQS keeps a message, and alarmed at its first message, so that no failure goes unseen.
 */
export class FailureQueue extends Queue {
  readonly alarm: FailureQueueProps['alarm'];

  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    super(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.alarm = props.alarm;
    acceptFinding(
      this,
      'Serverless-SQSRedrivePolicy',
      'Serverless-SQSRedrivePolicy: this queue is where failed work ends (a dead-letter queue or an on-failure destination, alarmed); a person reads it, nothing redrives it onward.',
    );
    if (props.receives === 'failed invocations') {
      acceptFinding(this, 'AwsSolutions-SQS3', "AwsSolutions-SQS3: this queue is itself a function's failure destination, not a work queue that needs a dead-letter queue.");
    }
  }
}
