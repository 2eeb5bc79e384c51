import * as z from 'zod/mini';
import { blankAsAbsent, nonEmpty, type Schema } from '../core/shared/schema.js';
import { DEFAULT_SHARDS, MAX_SHARDS } from '../core/subscriptions/counting.js';
import { CurrencyCode } from '../core/donations/model.js';
import { ListId } from '../core/subscriptions/model.js';
import type { ClientOptions } from './clients.js';

const csv = z.pipe(
  z.string(),
  z.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
);
const positiveInt = z.pipe(z.coerce.number(), z.int().check(z.positive()));
/**
 * How many items a hot counter is spread over: each new campaign's totals, and the subscriber counts. Each item
 * takes 1,000 write units a second, and transactions on one item at the same moment cancel each other.
 */
const COUNTER_SHARDS = z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(MAX_SHARDS))), DEFAULT_SHARDS);
const optionalUrl = blankAsAbsent(z.url({ protocol: /^https?$/ }));

/** What Lambda itself sets for every function (never the stack): the region the SDK clients call. */
export const RuntimeConfig = z.object({ AWS_REGION: nonEmpty() });

/**
 * What every function with a public face needs. Tunables have documented defaults; resources and identity never
 * do. Each function's schema below is its whole environment contract: the function parses it at cold start, the
 * CDK stack writes exactly its keys (`envFor`), and the dev server builds its configuration with it.
 */
export const BaseConfig = z.object({
  SITE_NAME: nonEmpty(),
  /** Absolute base URL of the public API, for links in emails and pages. */
  PUBLIC_API_URL: z.pipe(
    z.url({ protocol: /^https?$/ }),
    z.transform((u) => u.replace(/\/+$/, '')),
  ),
  /** Secrets Manager secret (ARN or name) holding `{"signingKey": "…"}`: tokens, IP and address hashes. */
  SIGNING_SECRET_ID: nonEmpty(),
});

/** What every function that writes subscribers or mails them needs: the lists, the consent and the links' terms. */
const SubscriberConfig = z.extend(BaseConfig, {
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  LIST_IDS: z.pipe(csv, z.array(ListId).check(z.minLength(1))),
  DEFAULT_LIST: nonEmpty(),
  CONSENT_VERSION: nonEmpty(),
  CONFIRM_TTL_DAYS: z._default(positiveInt, 7),
  MAIL_INTERVAL_SECONDS: z._default(positiveInt, 300),
  SIGNUP_ADDRESS_LIMIT_PER_HOUR: z._default(positiveInt, 5),
  COUNTER_SHARDS,
});
const defaultListIsAList = [(c: { LIST_IDS: string[]; DEFAULT_LIST: string }) => c.LIST_IDS.includes(c.DEFAULT_LIST), { message: 'DEFAULT_LIST must be one of LIST_IDS' }] as const;

/** The subscriptions function: signup, confirm, unsubscribe; puts signup work and mail on the queue. */
export const SubscriptionConfig = z.extend(SubscriberConfig, {
  /** The queue that carries signup work and mail to the mailer. */
  SIGNUP_AND_MAIL_QUEUE_URL: z.url(),
  THANK_YOU_URL: optionalUrl,
  CONFIRMED_URL: optionalUrl,
  SIGNUP_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 30),
  LINK_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 60),
}).check(z.refine(...defaultListIsAList));
export type SubscriptionConfig = z.infer<typeof SubscriptionConfig>;

/** The mailer: applies signup work and sends mail through SES. It consumes the queue and puts nothing on it. */
export const SignupAndMailConfig = z.extend(SubscriberConfig, {
  MAIL_FROM: z.string().check(z.minLength(3)),
  MAIL_REPLY_TO: blankAsAbsent(z.string().check(z.minLength(3))),
  SES_CONFIGURATION_SET: blankAsAbsent(z.string()),
  /** Named on every receipt, which the mailer renders from the gift the webhook queued. */
  CHARITY_NAME: nonEmpty(),
  CHARITY_REGISTRATION: nonEmpty(),
}).check(z.refine(...defaultListIsAList));
export type SignupAndMailConfig = z.infer<typeof SignupAndMailConfig>;

/** Donations: campaign progress and Stripe Checkout. */
export const DonationConfig = z.extend(BaseConfig, {
  DONATIONS_TABLE_NAME: nonEmpty(),
  /** Secrets Manager secret holding `{"secretKey": "sk_…", "webhookSecret": "whsec_…"}`. */
  STRIPE_SECRET_ID: nonEmpty(),
  /** Only for a stand-in of the Stripe API (the dev server's simulator). */
  STRIPE_API_URL: optionalUrl,
  CURRENCIES: z._default(z.pipe(csv, z.array(CurrencyCode).check(z.minLength(1))), ['usd', 'eur', 'gbp']),
  DONATION_SUCCESS_URL: optionalUrl,
  DONATION_CANCEL_URL: optionalUrl,
  CHECKOUT_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 10),
  /** How long the donations function keeps a campaign's progress between reads (0: no cache). */
  CAMPAIGN_CACHE_SECONDS: z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(0), z.lte(60))), 5),
  COUNTER_SHARDS,
});
export type DonationConfig = z.infer<typeof DonationConfig>;

/** The Stripe webhook: the gift ledger, plus receipts and newsletter opt-ins put on the mail queue. */
export const WebhookConfig = z.extend(BaseConfig, {
  DONATIONS_TABLE_NAME: nonEmpty(),
  STRIPE_SECRET_ID: nonEmpty(),
  STRIPE_API_URL: optionalUrl,
  COUNTER_SHARDS,
  SIGNUP_AND_MAIL_QUEUE_URL: z.url(),
  CONSENT_VERSION: nonEmpty(),
  DEFAULT_LIST: nonEmpty(),
});
export type WebhookConfig = z.infer<typeof WebhookConfig>;

const ExportStorage = z.object({
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  DONATIONS_TABLE_NAME: nonEmpty(),
  EXPORT_BUCKET_NAME: nonEmpty(),
});

/** The export worker: reads the tables, writes the bucket. */
export const ExportWorkerConfig = ExportStorage;
export type ExportWorkerConfig = z.infer<typeof ExportWorkerConfig>;

/** The admin API. */
export const AdminConfig = z.extend(z.extend(BaseConfig, ExportStorage.shape), {
  EXPORT_WORKER_FUNCTION_NAME: nonEmpty(),
  COUNTER_SHARDS,
});
export type AdminConfig = z.infer<typeof AdminConfig>;

/** SES bounce and complaint notifications. */
export const SesEventsConfig = z.object({
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  SIGNING_SECRET_ID: nonEmpty(),
  COUNTER_SHARDS,
});
export type SesEventsConfig = z.infer<typeof SesEventsConfig>;

/** The catch-all route: it only names the site on its error pages. */
export const FallbackConfig = z.object({ SITE_NAME: nonEmpty() });
export type FallbackConfig = z.infer<typeof FallbackConfig>;

/**
 * A function's environment as the CDK stack writes it: every variable its schema reads, each named (a missing or
 * misspelt one fails `tsc`); `undefined` leaves a variable with a default unset.
 */
export type EnvOf<S extends Schema> = { [K in keyof z.input<S> & string]-?: string | undefined };

/** The environment variables for a function whose configuration is `schema`, without the unset ones. */
export const envFor = <S extends Schema>(_schema: S, values: EnvOf<S>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));

/** Parses the environment once, at cold start: a missing or malformed value fails there, naming the variable. */
export const loadConfig = <T>(schema: Schema<T>, env: Readonly<Record<string, string | undefined>> = process.env): T => {
  const result = z.safeParse(schema, env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new Error(`invalid configuration: ${problems}`);
};

/** The SDK client options in Lambda: the region Lambda sets; credentials and endpoints are the SDK's defaults. */
export const lambdaClientOptions = (env: Readonly<Record<string, string | undefined>> = process.env): ClientOptions => ({
  region: loadConfig(RuntimeConfig, env).AWS_REGION,
});
