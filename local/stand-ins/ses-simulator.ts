import { randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';

/** SES's mailbox simulator addresses and what real SES answers for them. */
const SIMULATOR: Record<string, 'Bounce' | 'Complaint'> = {
  'bounce@simulator.amazonses.com': 'Bounce',
  'complaint@simulator.amazonses.com': 'Complaint',
};

export const simulatorFeedback = (recipients: string[]) =>
  recipients.flatMap((address) => {
    const kind = SIMULATOR[address.toLowerCase()];
    return kind ? [{ kind, address }] : [];
  });

/** The SNS event that SES's configuration-set event publishing delivers for a bounce or a complaint. */
export const snsNotification = (feedback: { kind: 'Bounce' | 'Complaint'; address: string }, messageId: string): SNSEvent => {
  const timestamp = new Date().toISOString();
  const recipients = [{ emailAddress: feedback.address }];
  const message = {
    eventType: feedback.kind,
    mail: { timestamp, messageId, source: 'local@appeal', destination: [feedback.address] },
    ...(feedback.kind === 'Bounce'
      ? {
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: recipients.map((r) => ({ ...r, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' })),
            timestamp,
            feedbackId: randomUUID(),
          },
        }
      : { complaint: { complainedRecipients: recipients, timestamp, feedbackId: randomUUID(), complaintFeedbackType: 'abuse' } }),
  };
  const topic = 'arn:aws:sns:us-east-1:000000000000:appeal-ses-events';
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topic}:${randomUUID()}`,
        Sns: {
          Type: 'Notification',
          MessageId: randomUUID(),
          TopicArn: topic,
          Subject: '',
          Message: JSON.stringify(message),
          Timestamp: timestamp,
          SignatureVersion: '1',
          Signature: 'local',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: {},
        },
      },
    ],
  };
};
