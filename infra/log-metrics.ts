import { FilterPattern, type IFilterPattern } from 'aws-cdk-lib/aws-logs';
import type { Delivery } from '../functions/core/mail/mail.js';
import { SignupMail } from '../functions/core/subscriptions/model.js';
import type { FunctionEntry } from './config.js';

/**
 * A CloudWatch metric counted from one constant line of a function's log. Our logger writes one JSON object per
 * line (`level`, `message`, then the fields: functions/platform/logger.ts), so a JSON metric filter reads the line
 * by its fields. The infra tests run the real handlers and match what they write against these patterns.
 */
export interface LogMetric {
  metricName: string;
  /** The function whose log group has the line. */
  fn: FunctionEntry;
  /** The line's constant `message`. */
  message: string;
  /** The line's `level`, when the metric must not count the same message at another level. */
  level?: 'INFO' | 'WARN' | 'ERROR';
  /** Fields the line must have: one of these strings, or this boolean. */
  where?: Record<string, readonly string[] | boolean>;
  /** Count by the value of this field (a metric per value), e.g. the reason an event was ignored. */
  dimension?: string;
  description: string;
}

/** What a mail-queue job that sent an email reports as its outcome (`message processed`, functions/platform/sqs.ts). */
const SENT: readonly string[] = ['sent' satisfies Delivery, ...SignupMail.options.filter((mail) => mail !== 'none')];

export const LOG_METRICS = {
  signups: {
    metricName: 'Signups',
    fn: 'signup-and-mail',
    message: 'message processed',
    where: { outcome: SignupMail.options },
    description: 'Signups the worker applied (from the form and from donors): a confirmation link, an "already subscribed" note, or a repeat within the mail interval',
  },
  confirmations: {
    metricName: 'Confirmations',
    fn: 'subscriptions',
    message: 'subscription confirmed',
    description: 'Confirmation links followed (POST): a second click on the same link counts again',
  },
  gifts: {
    metricName: 'GiftsPaid',
    fn: 'stripe-webhook',
    message: 'gift paid',
    description: 'Paid gifts recorded from Stripe events: a one-time gift once, a monthly gift each month (a redelivered event counts again)',
  },
  mailSent: {
    metricName: 'MailSent',
    fn: 'signup-and-mail',
    message: 'message processed',
    where: { outcome: SENT },
    description: 'Emails handed to SES: confirmation links, "already subscribed" notes, welcomes, receipts',
  },
  signatureRejected: {
    metricName: 'StripeSignatureRejected',
    fn: 'stripe-webhook',
    level: 'WARN',
    message: 'stripe signature rejected',
    // Stripe signs every delivery: a signed one refused means a wrong webhook secret (or a forger). Unsigned posts
    // (scanners, the smoke test's check) are logged but not counted.
    where: { signed: true },
    description: 'Signed webhook deliveries refused: a wrong webhook secret answers every Stripe event 400',
  },
  ignoredStripeEvents: {
    metricName: 'IgnoredStripeEvents',
    fn: 'stripe-webhook',
    message: 'ignored stripe event',
    dimension: 'reason',
    description: 'Stripe events acknowledged and ignored, by reason (another mode\'s event means a misconfigured endpoint or key)',
  },
  unassignedGifts: {
    metricName: 'UnassignedGifts',
    fn: 'stripe-webhook',
    level: 'WARN',
    message: 'gift unassigned',
    description: 'Paid gifts no campaign counts (their campaign is unknown, or takes another currency), once each: refund or reassign them (docs/operating.md)',
  },
  // Said once per cold start (and when a set secret goes back), by each of the two functions that use Stripe.
  donationsStripeSecretNotSet: {
    metricName: 'DonationsStripeSecretNotSet',
    fn: 'donations',
    level: 'WARN',
    message: 'stripe secret not set',
    description: 'Cold starts of the donations function whose Stripe secret is not set: the donation routes answer 503 until it is (stripe setup)',
  },
  webhookStripeSecretNotSet: {
    metricName: 'WebhookStripeSecretNotSet',
    fn: 'stripe-webhook',
    level: 'WARN',
    message: 'stripe secret not set',
    description: 'Cold starts of the stripe-webhook function whose Stripe secret is not set: Stripe\'s deliveries are answered 503 until it is',
  },
} as const satisfies Record<string, LogMetric>;

/** The JSON filter pattern that matches exactly the metric's log lines. */
export const filterPatternOf = (metric: LogMetric): IFilterPattern =>
  FilterPattern.all(
    FilterPattern.stringValue('$.message', '=', metric.message),
    ...(metric.level ? [FilterPattern.stringValue('$.level', '=', metric.level)] : []),
    ...Object.entries(metric.where ?? {}).map(([field, wanted]) =>
      typeof wanted === 'boolean'
        ? FilterPattern.booleanValue(`$.${field}`, wanted)
        : FilterPattern.any(...wanted.map((value) => FilterPattern.stringValue(`$.${field}`, '=', value))),
    ),
  );
