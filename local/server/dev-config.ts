import type { TableName } from '../../infra/tables.js';
import type { ClientOptions } from '../../functions/platform/clients.js';

// The dev server's configuration: what the deployed stack gives the functions (variables, resource names), here
// built for the local stand-ins. Each function's own schema validates what it reads of it.

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const EXPORT_BUCKET = 'appeal-exports';
/** The key the functions call the Stripe simulator with (the simulator accepts only this one). */
export const STRIPE_TEST_KEY = 'sk_test_appeal_local_simulator';
/** The demo publication (SITE_NAME unless the environment says otherwise; `admin embed` words its snippet with it). */
export const DEMO_SITE_NAME = 'GlobalSecurity.org';

/** How every function's SDK clients reach the stand-ins; s3rver accepts only these credentials. */
export const localClientOptions = (endpoints: { dynamodb: string; aws: string; s3: string }): ClientOptions => ({
  region: REGION,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  endpoints: {
    dynamodb: endpoints.dynamodb,
    sqs: endpoints.aws,
    secretsManager: endpoints.aws,
    lambda: endpoints.aws,
    sesv2: endpoints.aws,
    s3: endpoints.s3,
  },
  s3ForcePathStyle: true,
});

export interface LocalResources {
  url: string;
  tables: Record<TableName, string>;
  queueUrl: string;
  /** The events queue (views and clicks), which the event counter is fed from. */
  eventsQueueUrl?: string | undefined;
  /** The webhook delivery queue, which the delivery worker is fed from. */
  webhookQueueUrl?: string | undefined;
  secretId: string;
  stripeSecretId: string;
  stripeApiUrl: string;
  exportBucket: string;
  /** The demo site's base URL (the article, on its own origin): where the hosted pages and emails link home. */
  siteUrl?: string | undefined;
}

/**
 * One set of variables for all the functions, as one stage's stack gives them: the demo publication's defaults,
 * then the process's environment (read, never written), then the caller's overrides, then the local resources'
 * names, which nothing overrides.
 */
export const localEnvironment = (resources: LocalResources, overrides: Record<string, string> = {}): Readonly<Record<string, string>> => {
  const defaults: Record<string, string> = {
    SITE_NAME: DEMO_SITE_NAME,
    LIST_IDS: 'news',
    DEFAULT_LIST: 'news',
    CONSENT_VERSION: '2026-11-01',
    MAIL_FROM: 'GlobalSecurity.org <news@globalsecurity.example>',
    CHARITY_NAME: 'GlobalSecurity.org Relief Fund',
    CHARITY_REGISTRATION: '1190000 (demo)',
    // The hosted pages and emails link home to the demo article (the demo site's origin); the colours are the functions' defaults (the
    // demo's navy and red) and there is no logo file to fetch: the masthead is the site's name.
    SITE_URL: `${resources.siteUrl ?? resources.url}/`,
    // CAN-SPAM wants a real postal address in every email: a deployment must set its own (the stage's postalAddress).
    POSTAL_ADDRESS: '300 Example Street, Alexandria, VA 22314, USA (demo address)',
    SITE_ORIGINS: new URL(resources.url).origin,
    LOG_LEVEL: 'WARN',
    // The console's session cookie is Secure on every deployed stage (HTTPS); the dev server may be plain HTTP.
    SESSION_COOKIE_SECURE: new URL(resources.url).protocol === 'https:' ? 'true' : 'false',
    // The in-page checkout, with the simulator's Stripe.js and the simulator account's publishable key.
    EMBEDDED_CHECKOUT: 'true',
    STRIPE_PUBLISHABLE_KEY: STRIPE_TEST_KEY.replace(/^sk_/, 'pk_'),
    STRIPE_JS_URL: `${resources.url}/_local/stripe/v3`,
    // The dev server's receivers and the newsletter tools' stand-ins listen on this machine, over plain http.
    OUTBOUND_LOOPBACK_HTTP: 'true',
    // An endpoint added with the CLI gets the next event at once.
    WEBHOOK_ENDPOINTS_CACHE_SECONDS: '0',
  };
  const forced: Record<string, string> = {
    EXPORT_BUCKET_NAME: resources.exportBucket,
    EXPORT_WORKER_FUNCTION_NAME: 'appeal-export-worker',
    PUBLIC_API_URL: resources.url,
    SIGNING_SECRET_ID: resources.secretId,
    SUBSCRIBERS_TABLE_NAME: resources.tables.subscribers,
    SIGNUP_AND_MAIL_QUEUE_URL: resources.queueUrl,
    ...(resources.eventsQueueUrl ? { EVENTS_QUEUE_URL: resources.eventsQueueUrl } : {}),
    ...(resources.webhookQueueUrl ? { WEBHOOK_QUEUE_URL: resources.webhookQueueUrl } : {}),
    DONATIONS_TABLE_NAME: resources.tables.donations,
    AUDIT_TABLE_NAME: resources.tables.audit,
    STRIPE_SECRET_ID: resources.stripeSecretId,
    STRIPE_API_URL: resources.stripeApiUrl,
  };
  const defined = Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...defaults, ...Object.fromEntries(defined), ...overrides, ...forced };
};
