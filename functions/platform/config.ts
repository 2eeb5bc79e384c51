import * as z from 'zod';
import { MAX_SHARDS } from '../core/subscriptions/counting.js';
import { CurrencyCode } from '../core/donations/model.js';
import { ListId } from '../core/subscriptions/model.js';

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const positiveInt = z.coerce.number().int().positive();
/**
 * How many items a hot counter is spread over: each new campaign's totals, and the subscriber counts. Each item
 * takes 1,000 write units a second, and transactions on one item at the same moment cancel each other.
 */
const COUNTER_SHARDS = z.coerce.number().int().min(1).max(MAX_SHARDS).default(20);
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional());

/** What every function needs. Tunables have documented defaults; resources and identity never do. */
export const BaseConfig = z.object({
  AWS_REGION: z.string().min(1),
  SITE_NAME: z.string().min(1),
  /** Absolute base URL of the public API, for links in emails and pages. */
  PUBLIC_API_URL: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
  /** Secrets Manager secret (ARN or name) holding `{"signingKey": "…"}`: tokens, IP and address hashes. */
  SIGNING_SECRET_ID: z.string().min(1),
});

/** What every function that puts work on the mail queue, or signs readers up, needs. */
const MailingConfig = z.object({
  MAIL_QUEUE_URL: z.url(),
  CONSENT_VERSION: z.string().min(1),
  DEFAULT_LIST: z.string().min(1),
});

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

export const SubscriptionConfig = BaseConfig.extend(MailingConfig.shape).extend({
  SUBSCRIBERS_TABLE_NAME: z.string().min(1),
  LIST_IDS: csv.pipe(z.array(ListId).min(1)),
  CONFIRM_TTL_DAYS: positiveInt.default(7),
  MAIL_INTERVAL_SECONDS: positiveInt.default(300),
  THANK_YOU_URL: optionalUrl,
  CONFIRMED_URL: optionalUrl,
  SIGNUP_CLIENT_LIMIT_PER_MINUTE: positiveInt.default(30),
  SIGNUP_ADDRESS_LIMIT_PER_HOUR: positiveInt.default(5),
  LINK_CLIENT_LIMIT_PER_MINUTE: positiveInt.default(60),
  COUNTER_SHARDS,
}).refine((c) => c.LIST_IDS.includes(c.DEFAULT_LIST), { message: 'DEFAULT_LIST must be one of LIST_IDS' });
export type SubscriptionConfig = z.infer<typeof SubscriptionConfig>;

export const MailerConfig = SubscriptionConfig.and(
  z.object({
    MAIL_FROM: z.string().min(3),
    MAIL_REPLY_TO: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(3).optional()),
    SES_CONFIGURATION_SET: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  }),
);
export type MailerConfig = z.infer<typeof MailerConfig>;

/** Donations and the Stripe webhook. */
export const DonationConfig = BaseConfig.extend({
  DONATIONS_TABLE_NAME: z.string().min(1),
  /** Secrets Manager secret holding `{"secretKey": "sk_…", "webhookSecret": "whsec_…"}`. */
  STRIPE_SECRET_ID: z.string().min(1),
  /** Only for a stand-in of the Stripe API (the dev server's simulator). */
  STRIPE_API_URL: optionalUrl,
  STRIPE_LIVEMODE: bool.default(false),
  CURRENCIES: csv.pipe(z.array(CurrencyCode).min(1)).default(['usd', 'eur', 'gbp']),
  DONATION_SUCCESS_URL: optionalUrl,
  DONATION_CANCEL_URL: optionalUrl,
  CHECKOUT_CLIENT_LIMIT_PER_MINUTE: positiveInt.default(10),
  /** How long the donations function keeps a campaign's progress between reads (0: no cache). */
  CAMPAIGN_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
  COUNTER_SHARDS,
});
export type DonationConfig = z.infer<typeof DonationConfig>;

/** The Stripe webhook: donations, plus receipts and newsletter opt-ins through the mail queue. */
export const WebhookConfig = DonationConfig.extend(MailingConfig.shape).extend({
  CHARITY_NAME: z.string().min(1),
  CHARITY_REGISTRATION: z.string().min(1),
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;

const ExportStorage = z.object({
  AWS_REGION: z.string().min(1),
  SUBSCRIBERS_TABLE_NAME: z.string().min(1),
  DONATIONS_TABLE_NAME: z.string().min(1),
  EXPORT_BUCKET_NAME: z.string().min(1),
  /** Path-style S3 URLs: for an S3 stand-in (s3rver) that has no virtual-host names. */
  S3_FORCE_PATH_STYLE: bool.default(false),
});

/** The export worker: reads the tables, writes the bucket. */
export const ExportWorkerConfig = ExportStorage;
export type ExportWorkerConfig = z.infer<typeof ExportWorkerConfig>;

/** The admin API. */
export const AdminConfig = BaseConfig.extend(ExportStorage.shape).extend({
  EXPORT_WORKER_FUNCTION_NAME: z.string().min(1),
  COUNTER_SHARDS,
});
export type AdminConfig = z.infer<typeof AdminConfig>;

/** SES bounce and complaint notifications. */
export const SesEventsConfig = z.object({
  AWS_REGION: z.string().min(1),
  SUBSCRIBERS_TABLE_NAME: z.string().min(1),
  SIGNING_SECRET_ID: z.string().min(1),
  COUNTER_SHARDS,
});
export type SesEventsConfig = z.infer<typeof SesEventsConfig>;

/** Parses the environment once, at cold start: a missing or malformed value fails there, naming the variable. */
export const loadConfig = <T>(schema: z.ZodType<T>, env: NodeJS.ProcessEnv = process.env): T => {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new Error(`invalid configuration: ${problems}`);
};
