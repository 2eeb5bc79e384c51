import type { SNSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import { type FeedbackDeps, recordMailFeedback, type SesFeedback } from '../core/list-hygiene/feedback.js';
import { logger } from '../platform/logger.js';

/**
 * An SES notification, as SNS carries it: identity notifications use `notificationType`, configuration-set
 * event publishing uses `eventType`. Only permanent bounces and complaints matter here.
 */
const SesNotification = /* @__PURE__ */ onFirstUse(() => z.looseObject({
  notificationType: z.optional(z.string()),
  eventType: z.optional(z.string()),
  bounce: z.optional(z.object({ bounceType: z.string(), bouncedRecipients: z.array(z.object({ emailAddress: z.string() })) })),
  complaint: z.optional(z.object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })) })),
}));

export const readFeedback = (message: string): SesFeedback | undefined => {
  const notification = parse(SesNotification, JSON.parse(message));
  const type = notification.notificationType ?? notification.eventType;
  if (type === 'Bounce' && notification.bounce?.bounceType === 'Permanent') {
    return { kind: 'bounce', addresses: notification.bounce.bouncedRecipients.map((r) => r.emailAddress) };
  }
  if (type === 'Complaint' && notification.complaint) {
    return { kind: 'complaint', addresses: notification.complaint.complainedRecipients.map((r) => r.emailAddress) };
  }
  return undefined; // transient bounces, deliveries, sends: nothing to do
};

/** SNS → Lambda: marks permanently bounced and complaining addresses. A throw makes Lambda retry the event. */
export const makeHandler = (deps: FeedbackDeps) => async (event: SNSEvent) => {
  for (const record of event.Records) {
    const feedback = readFeedback(record.Sns.Message);
    if (feedback) await recordMailFeedback(deps, feedback);
    logger.info('ses notification', { messageId: record.Sns.MessageId, kind: feedback?.kind ?? 'ignored' });
  }
};
