import * as z from 'zod';
import { DEFAULT_SHARDS, MAX_SHARDS } from '../core/subscriptions/counting.js';
import { CurrencyCode } from '../core/donations/model.js';
import { ListId } from '../core/subscriptions/model.js';
import type { ClientOptions } from './clients.js';

const csv = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const positiveInt = z.coerce.number().int().positive();
/**
 * How many items a hot counter is spread over: each new campaign's totals, and the subscriber counts. Each item
 * takes 1,000 write units a second, and transactions on one item at the same moment cancel each other.
 */
const COUNTER_SHARDS = z.coerce.number().int().min(1).max(MAX_SHARDS).default(DEFAULT_SHARDS);
const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.url({ protocol: /^https?$/ }).optional());

/** What Lambda itself sets for every function (never the stack): the region the SDK clients call. */
export const RuntimeConfig = z.object({ AWS_REGION: z.string().min(1) });

/**
 * What every function with a public face needs. Tunables have documented defaults; resources and identity never
 * do. Each function's schema below is its whole environment contract: the function parses it at cold start, the
 * CDK stack writes exactly its keys (`envFor`), and the dev server builds its configuration with it.
 */
export const BaseConfig = z.object({
  SITE_NAME: z.string().min(1),
  /** Absolute base URL of the public API, for links in emails and pages. */
  PUBLIC_API_URL: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
  /** Secrets Manager secret (ARN or name) holding `{"signingKey": "…"}`: tokens, IP and address hashes. */
  SIGNING_SECRET_ID: z.string().min(1),
});

/** What every function that writes subscribers or mails them needs: the lists, the consent and the links' terms. */
const SubscriberConfig = BaseConfig.extend({
  SUBSCRIBERS_TABLE_NAME: z.string().min(1),
  LIST_IDS: csv.pipe(z.array(ListId).min(1)),
  DEFAULT_LIST: z.string().min(1),
  CONSENT_VERSION: z.string().min(1),
  CONFIRM_TTL_DAYS: positiveInt.default(7),
  MAIL_INTERVAL_SECONDS: positiveInt.default(300),
  SIGNUP_ADDRESS_LIMIT_PER_HOUR: positiveInt.default(5),
  COUNTER_SHARDS,
});
const defaultListIsAList = [(c: { LIST_IDS: string[]; DEFAULT_LIST: string }) => c.LIST_IDS.includes(c.DEFAULT_LIST), { message: 'DEFAULT_LIST must be one of LIST_IDS' }] as const;

/** The subscriptions function: signup, confirm, unsubscribe; puts signup work and mail on the queue. */
export const SubscriptionConfig = SubscriberConfig.extend({
  /** The queue that carries signup work and mail to the mailer. */
  SIGNUP_AND_MAIL_QUEUE_URL: z.url(),
  THANK_YOU_URL: optionalUrl,
  CONFIRMED_URL: optionalUrl,
  SIGNUP_CLIENT_LIMIT_PER_MINUTE: positiveInt.default(30),
  LINK_CLIENT_LIMIT_PER_MINUTE: positiveInt.default(60),
}).refine(...defaultListIsAList);
export type SubscriptionConfig = z.infer<typeof SubscriptionConfig>;

/** The mailer: applies signup work and sends mail through SES. It consumes the queue and puts nothing on it. */
export const SignupAndMailConfig = SubscriberConfig.extend({
  MAIL_FROM: z.string().min(3),
  MAIL_REPLY_TO: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(3).optional()),
  SES_CONFIGURATION_SET: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  /** Named on every receipt, which the mailer renders from the gift the webhook queued. */
  CHARITY_NAME: z.string().min(1),
  CHARITY_REGISTRATION: z.string().min(1),
}).refine(...defaultListIsAList);
export type SignupAndMailConfig = z.infer<typeof SignupAndMailConfig>;

/** Donations: campaign progress and Stripe Checkout. */
export const DonationConfig = BaseConfig.extend({
  DONATIONS_TABLE_NAME: z.string().min(1),
  /** Secrets Manager secret holding `{"secretKey": "sk_…", "webhookSecret": "whsec_…"}`. */
  STRIPE_SECRET_ID: z.string().min(1),
  /** Only for a stand-in of the Stripe API (the dev server's simulator). */
  STRIPE_API_URL: optionalUrl,
  CURRENCIES: csv.pipe(z.array(CurrencyCode).min(1)).default(['usd', 'eur', 'gbp']),
  DONATION_SUCCESS_URL: optionalUrl,
  DONATION_CANCEL_URL: optionalUrl,
  CHECKOUT_CLIENT_LIMIT_PER_MINUTE: positiveInt.default(10),
  /** How long the donations function keeps a campaign's progress between reads (0: no cache). */
  CAMPAIGN_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
  COUNTER_SHARDS,
});
export type DonationConfig = z.infer<typeof DonationConfig>;

/** The Stripe webhook: the gift ledger, plus receipts and newsletter opt-ins put on the mail queue. */
export const WebhookConfig = BaseConfig.extend({
  DONATIONS_TABLE_NAME: z.string().min(1),
  STRIPE_SECRET_ID: z.string().min(1),
  STRIPE_API_URL: optionalUrl,
  COUNTER_SHARDS,
  SIGNUP_AND_MAIL_QUEUE_URL: z.url(),
  CONSENT_VERSION: z.string().min(1),
  DEFAULT_LIST: z.string().min(1),
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;

const ExportStorage = z.object({
  SUBSCRIBERS_TABLE_NAME: z.string().min(1),
  DONATIONS_TABLE_NAME: z.string().min(1),
  EXPORT_BUCKET_NAME: z.string().min(1),
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
  SUBSCRIBERS_TABLE_NAME: z.string().min(1),
  SIGNING_SECRET_ID: z.string().min(1),
  COUNTER_SHARDS,
});
export type SesEventsConfig = z.infer<typeof SesEventsConfig>;

/** The catch-all route: it only names the site on its error pages. */
export const FallbackConfig = z.object({ SITE_NAME: z.string().min(1) });
export type FallbackConfig = z.infer<typeof FallbackConfig>;

/**
 * A function's environment as the CDK stack writes it: every variable its schema reads, each named (a missing or
 * misspelt one fails `tsc`); `undefined` leaves a variable with a default unset.
 */
export type EnvOf<S extends z.ZodType> = { [K in keyof z.input<S> & string]-?: string | undefined };

/** The environment variables for a function whose configuration is `schema`, without the unset ones. */
export const envFor = <S extends z.ZodType>(_schema: S, values: EnvOf<S>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));

/** Parses the environment once, at cold start: a missing or malformed value fails there, naming the variable. */
export const loadConfig = <T>(schema: z.ZodType<T>, env: Readonly<Record<string, string | undefined>> = process.env): T => {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new Error(`invalid configuration: ${problems}`);
};

/** The SDK client options in Lambda: the region Lambda sets; credentials and endpoints are the SDK's defaults. */
export const lambdaClientOptions = (env: Readonly<Record<string, string | undefined>> = process.env): ClientOptions => ({
  region: loadConfig(RuntimeConfig, env).AWS_REGION,
});
