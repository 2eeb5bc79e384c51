/**
 * Writes docs/reference/configuration.md from the configuration schemas themselves: `npm run docs:config`
 * (`npm run docs:config -- --check` only says whether the file is current). tests/unit/docs.test.ts fails when the
 * file is stale or when a variable has no description below.
 *
 * The schemas are zod/mini and carry no descriptions (they would cost bundle bytes in every function), so the words
 * live here, keyed by variable name; what is required, optional or defaulted (and the default) is read from the
 * schemas, so it cannot drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Where each function's configuration schema lives: the one list to re-point when the schemas move. `file` is
 * relative to the repository root; `schema` is the exported name.
 */
export const FUNCTION_SCHEMAS = [
  { fn: 'subscriptions', file: 'functions/subscriptions/config.ts', schema: 'SubscriptionConfig' },
  { fn: 'signup-and-mail', file: 'functions/signup-and-mail/config.ts', schema: 'SignupAndMailConfig' },
  { fn: 'donations', file: 'functions/donations/config.ts', schema: 'DonationConfig' },
  { fn: 'stripe-webhook', file: 'functions/stripe-webhook/config.ts', schema: 'WebhookConfig' },
  { fn: 'admin', file: 'functions/admin/config.ts', schema: 'AdminConfig' },
  { fn: 'export-worker', file: 'functions/export-worker/config.ts', schema: 'ExportWorkerConfig' },
  { fn: 'ses-events', file: 'functions/ses-events/config.ts', schema: 'SesEventsConfig' },
  { fn: 'fallback', file: 'functions/fallback/config.ts', schema: 'FallbackConfig' },
  { fn: 'embed', file: 'functions/embed/config.ts', schema: 'EmbedConfig' },
  { fn: 'events', file: 'functions/events/config.ts', schema: 'EventsConfig' },
  { fn: 'event-counter', file: 'functions/event-counter/config.ts', schema: 'EventCounterConfig' },
  { fn: 'console', file: 'functions/console/config.ts', schema: 'ConsoleConfig' },
  { fn: 'webhooks', file: 'functions/webhooks/config.ts', schema: 'WebhooksConfig' },
  { fn: 'webhook-events', file: 'functions/webhook-events/config.ts', schema: 'WebhookEventsConfig' },
  { fn: 'webhook-delivery', file: 'functions/webhook-delivery/config.ts', schema: 'WebhookDeliveryConfig' },
] as const;
/** What Lambda itself sets for every function that builds an SDK client. */
export const RUNTIME_SCHEMA = { file: 'functions/platform/config.ts', schema: 'RuntimeConfig' } as const;
/** A deployment's stage file (infra/stages/<stage>.json). */
export const STAGE_SCHEMA = { file: 'infra/config.ts', schema: 'StageConfig' } as const;

export const OUTPUT = 'docs/reference/configuration.md';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** A function variable's meaning, and where a deployment's value comes from (the feature constructs in infra/constructs/). */
interface VariableDoc {
  text: string;
  deployed: string;
}

const NOT_SET = 'not set: the default';

export const VARIABLES: Record<string, VariableDoc> = {
  SITE_NAME: { text: "The publication's name, in emails and pages.", deployed: '`siteName`' },
  PUBLIC_API_URL: {
    text: 'Absolute base URL of the API, for the links in emails and pages (a trailing slash is dropped).',
    deployed: "`publicApiUrl`, else `https://<domainName>`, else the API's own endpoint",
  },
  SIGNING_SECRET_ID: {
    text: 'Secrets Manager secret (ARN or name) holding `{"signingKey": "…"}`: link tokens and keyed hashes of IPs and addresses.',
    deployed: "the stack's signing secret",
  },
  SITE_URL: {
    text: "The site's home page: every hosted page and email links back to it. Unset: no link home.",
    deployed: '`siteUrl`, else the first of `siteOrigins`',
  },
  SITE_LOGO_URL: {
    text: "The site's logo on pages and emails (an image on the site's own server; each page's CSP allows its origin). Unset: the site's name is the masthead.",
    deployed: '`siteLogoUrl`',
  },
  SITE_BRAND_COLOR: {
    text: 'The masthead colour, `#rrggbb` (the demo\'s navy by default); text on it is white or near-black, whichever reads better.',
    deployed: '`brandColor`',
  },
  SITE_ACCENT_COLOR: { text: 'Buttons and highlights, `#rrggbb` (the demo\'s red by default).', deployed: '`accentColor`' },
  SITE_LANGUAGE: {
    text: "The site's language (`en`, `uk`, `pl`, `es`): pages and emails speak it when a reader's is not known (no `lang` asked for, no language of ours in Accept-Language).",
    deployed: '`language`',
  },
  SUBSCRIBERS_TABLE_NAME: { text: 'The subscribers table.', deployed: "the data stack's table" },
  DONATIONS_TABLE_NAME: { text: 'The donations table (the gift ledger and the campaigns).', deployed: "the data stack's table" },
  LIST_IDS: { text: 'The mailing lists: comma-separated list ids.', deployed: '`lists`' },
  DEFAULT_LIST: { text: 'The list a signup without `lists` joins; must be one of `LIST_IDS`.', deployed: '`defaultList`' },
  CONSENT_VERSION: {
    text: 'Version of the consent wording shown next to the form, kept with every consent record.',
    deployed: '`consentVersion`',
  },
  CONFIRM_TTL_DAYS: { text: 'Lifetime of a confirmation link, in days.', deployed: '`confirmTtlDays`' },
  MAIL_INTERVAL_SECONDS: {
    text: 'At most one confirmation (or already-subscribed note) per address in this time, counted from when a mail has gone out.',
    deployed: NOT_SET,
  },
  SIGNUP_ADDRESS_LIMIT_PER_HOUR: { text: 'Signup requests per address per hour.', deployed: '`limits.signupAddressPerHour`' },
  COUNTER_SHARDS: {
    text: 'Items a hot counter is spread over: each new campaign\'s totals (kept by the campaign for life) and the subscriber counts; 1 to 99. See [sizing the counters](../architecture.md#sizing-the-counters).',
    deployed: NOT_SET,
  },
  SIGNUP_AND_MAIL_QUEUE_URL: { text: 'The SQS queue that carries signup work and mail to the signup-and-mail worker.', deployed: "the stack's queue" },
  THANK_YOU_URL: { text: 'Where a browser goes after a form signup. Unset: the built-in page, `/v1/subscriptions/thanks`.', deployed: '`thankYouUrl`' },
  CONFIRMED_URL: { text: 'Where a browser goes after confirming. Unset: the built-in confirmation page.', deployed: '`confirmedUrl`' },
  SIGNUP_CLIENT_LIMIT_PER_MINUTE: {
    text: 'Signup requests per client IP per minute (every request counts, valid or not).',
    deployed: '`limits.signupClientPerMinute`',
  },
  LINK_CLIENT_LIMIT_PER_MINUTE: {
    text: 'Confirm and unsubscribe-page requests per client IP per minute (the one-click unsubscribe POST is never limited).',
    deployed: '`limits.linkClientPerMinute`',
  },
  REMINDER_CLIENT_LIMIT_PER_MINUTE: { text: '`POST /v1/reminders` requests per client IP per minute (every request counts, valid or not).', deployed: NOT_SET },
  REMINDER_ADDRESS_LIMIT_PER_DAY: { text: 'Reminders asked for one address per day.', deployed: NOT_SET },
  SITE_TIME_ZONE: {
    text: "The site's time zone (IANA, such as `Europe/London`): a reminder goes out from 09:00 there on the day the reader chose.",
    deployed: '`timeZone`',
  },
  FAILED_PAYMENT_EMAILS: {
    text: '`false` leaves the emails about a failed monthly payment, and about a monthly gift ended for non-payment, to Stripe.',
    deployed: '`failedPaymentEmails`',
  },
  TAX_YEAR_START: {
    text: 'When the giving statements\' tax year begins: `01-01` (a calendar year) or `04-06` (the UK\'s, 6 April to 5 April). Year Y is the one that begins in Y.',
    deployed: '`taxYearStart`',
  },
  GIFT_AID: {
    text: '`true`: donors to a GBP campaign may add Gift Aid (HMRC\'s declaration, with the name and home address Checkout collects), and the `gift-aid` export lists the claim.',
    deployed: '`giftAid`',
  },
  MAIL_FROM: { text: 'The sender, such as `Site <news@example.org>`, on the verified sender domain.', deployed: '`mailFrom`' },
  MAIL_REPLY_TO: { text: 'The Reply-To address.', deployed: '`replyTo`' },
  SES_CONFIGURATION_SET: {
    text: 'The SES configuration set mail is sent through (bounce and complaint events, reputation metrics).',
    deployed: "the data stack's configuration set",
  },
  CHARITY_NAME: { text: 'The charity named on every receipt.', deployed: '`charityName`' },
  CHARITY_REGISTRATION: { text: "The charity's registration, on every receipt.", deployed: '`charityRegistration`' },
  POSTAL_ADDRESS: {
    text: "The sender's physical postal address, at the foot of every email (CAN-SPAM); 5 to 300 characters. The dev server uses a demo address.",
    deployed: '`postalAddress`',
  },
  SENDER_NAME: { text: 'The organisation named with the postal address as the sender. Unset: `SITE_NAME`.', deployed: '`senderName`' },
  STRIPE_SECRET_ID: {
    text: 'Secrets Manager secret holding `{"secretKey": "sk_…", "webhookSecret": "whsec_…"}`. Live or test mode comes from the key (`sk_live_`/`rk_live_`: live); events of the other mode are acknowledged, logged and counted as ignored.',
    deployed: "the stack's Stripe secret",
  },
  STRIPE_API_URL: { text: "Only for a stand-in of Stripe's API (the dev server's simulator).", deployed: 'never set' },
  CURRENCIES: {
    text: 'Currencies accepted at all: comma-separated lowercase ISO 4217 codes. Each campaign takes its own currency only.',
    deployed: '`currencies`',
  },
  DONATION_SUCCESS_URL: {
    text: 'Where Checkout returns a donor who paid (configuration only: no open redirect). Unset: the built-in `/v1/donate/thanks`.',
    deployed: '`donationSuccessUrl`',
  },
  DONATION_CANCEL_URL: {
    text: 'Where Checkout returns a donor who cancelled. Unset: the chooser, saying that nothing was charged.',
    deployed: '`donationCancelUrl`',
  },
  CHECKOUT_CLIENT_LIMIT_PER_MINUTE: {
    text: 'Checkout creations per client IP per minute (a card-testing defence).',
    deployed: '`limits.checkoutClientPerMinute`',
  },
  EVENTS_QUEUE_URL: { text: 'The queue of views and clicks, which the event counter takes in batches.', deployed: "the events feature's queue" },
  EVENTS_CLIENT_LIMIT_PER_MINUTE: {
    text: 'Views and clicks per client IP per minute, counted in each running instance of the events function (a count in DynamoDB would be a write per view).',
    deployed: NOT_SET,
  },
  EXPERIMENT_CACHE_SECONDS: {
    text: "How long a warm events function keeps a campaign's variants between reads, 0 to 300: a changed variant is known within it.",
    deployed: NOT_SET,
  },
  EVENT_COUNTER_SHARDS: {
    text: 'Counter items per campaign and day for views and clicks, 1 to 32: each batch is written to one at random, so no item takes every write.',
    deployed: NOT_SET,
  },
  CAMPAIGN_CACHE_SECONDS: {
    text: "How long a warm donations function keeps a campaign's progress between reads, 0 to 60 (0: no cache; browsers keep it 30 s anyway), so a flood of banner views reads its shard items once every few seconds.",
    deployed: NOT_SET,
  },
  FEE_RATES: {
    text: "Each currency's payment fee, for donors who choose to cover it: `currency:rate+fixed`, comma-separated, the rate below 1 and the fixed part in the currency's minor units (`usd:0.029+30`; `jpy:0.036+0` in whole yen). A donor covering it pays `ceil((amount + fixed) / (1 − rate))`. Covering is refused in a currency without an entry.",
    deployed: '`feeRates`, else the default',
  },
  EMBEDDED_CHECKOUT: {
    text: 'Whether the site offers Stripe\'s embedded Checkout inside its pages (`mode: "embedded"`); otherwise such a request is refused and donors go to Stripe\'s page.',
    deployed: '`embeddedCheckout`',
  },
  STRIPE_PUBLISHABLE_KEY: {
    text: "The Stripe account's publishable key (`pk_…`, public), which Stripe.js needs on the page; required with `EMBEDDED_CHECKOUT`.",
    deployed: '`stripePublishableKey`',
  },
  SITE_ORIGINS: {
    text: "The origins of the site's pages (comma-separated URLs), besides `SITE_URL`'s: the only pages embedded Checkout brings a donor back to (no open redirect).",
    deployed: '`siteOrigins`',
  },
  STRIPE_JS_URL: { text: 'Only for a stand-in of Stripe.js (the dev server\'s simulator); Stripe\'s own script otherwise.', deployed: 'never set' },
  EXPORT_BUCKET_NAME: { text: 'The S3 bucket exports are written to (under `exports/`).', deployed: "the data stack's bucket" },
  EXPORT_WORKER_FUNCTION_NAME: { text: 'The export worker the admin API starts (an asynchronous invocation).', deployed: "the stack's export worker" },
  AWS_REGION: { text: 'The region the SDK clients call.', deployed: 'set by Lambda' },
  AUDIT_TABLE_NAME: { text: 'The audit log\'s own table (functions may only put and query its items).', deployed: "the data stack's table" },
  AUDIT_RETENTION_DAYS: { text: 'How long an audit entry is kept, in days (the table\'s time to live).', deployed: '`auditRetentionDays`' },
  SESSION_COOKIE_SECURE: {
    text: "Whether the console's session cookie is `Secure` (`true` or `false`). The dev server sets `false` when it serves plain HTTP.",
    deployed: '`true`',
  },
  CONSOLE_SIGNIN_CLIENT_LIMIT_PER_HOUR: { text: 'Console sign-in requests (links asked for and used, passkeys) per client IP per hour.', deployed: NOT_SET },
  CONSOLE_SIGNIN_ADDRESS_LIMIT_PER_HOUR: { text: 'Console sign-in links asked for one address per hour.', deployed: NOT_SET },
  WEBHOOK_QUEUE_URL: {
    text: 'The webhook delivery queue: one message per attempt (a delivery id, never the event), delayed by the retry schedule.',
    deployed: "the outbound events feature's queue",
  },
  OUTBOUND_LOOPBACK_HTTP: {
    text: '`true` lets webhook endpoints (and the newsletter tools) be plain `http://` on loopback addresses: the dev server only. Unset (`false`): `https://` to public addresses only.',
    deployed: NOT_SET,
  },
  WEBHOOK_ENDPOINTS_CACHE_SECONDS: {
    text: 'How long the webhook events producer keeps the list of endpoints between reads, 0 to 300: an endpoint added gets events from at most this later (the dev server: 0).',
    deployed: NOT_SET,
  },
};

/** A stage file's keys, dotted for nested objects (`limits.signupClientPerMinute`). */
export const STAGE_KEYS: Record<string, string> = {
  stage: 'The stage name: lowercase letters, digits and dashes (2 to 21 characters). Stacks are `Appeal-<stage>-Data` and `Appeal-<stage>-Api`.',
  account: 'The AWS account id (12 digits). Unset: the account of your credentials.',
  region: 'The AWS region of both stacks.',
  siteName: "The publication's name (`SITE_NAME`).",
  siteOrigins: 'Origins allowed by CORS: the news site\'s pages that embed the widget (at least one).',
  siteUrl: "The site's home page, linked from every hosted page and email. Unset: the first of `siteOrigins`.",
  siteLogoUrl: "The site's logo on hosted pages and emails: an https image on the site's server. Unset: the name alone.",
  brandColor: 'The masthead colour, `#rrggbb`. Unset: the demo\'s navy.',
  accentColor: 'Buttons and highlights, `#rrggbb`. Unset: the demo\'s red.',
  language: "The site's language (`en`, `uk`, `pl`, `es`) for readers whose own is not known. Unset: English.",
  domainName: "The API's own host name (`appeal.example.org`): the stack makes a DNS-validated ACM certificate, an API Gateway custom domain and its mapping, and every link uses `https://<domainName>` (see [deploying](../deploying.md#deploy)).",
  hostedZoneId: 'A Route 53 public hosted zone the stack writes records into: the certificate\'s validation and the alias for `domainName` (which must be in the zone), and the email records when `senderDomain` is in it. Unset: the deploy prints the records to create.',
  hostedZoneName: 'The domain of `hostedZoneId` (`example.org`); required with it.',
  publicApiUrl: "Base of the links in pages and emails. Unset: `https://<domainName>`, else the API's own endpoint.",
  senderDomain: 'The domain SES sends from, verified with the DKIM records the data stack outputs.',
  mailFromSubdomain: 'The custom MAIL FROM domain is `<mailFromSubdomain>.<senderDomain>`: bounces return there, and SPF passes for the sender\'s own domain.',
  mailFrom: 'The sender (`MAIL_FROM`), on `senderDomain`.',
  replyTo: 'The Reply-To address.',
  lists: 'The mailing lists (ids: lowercase letters, digits, dashes).',
  defaultList: 'The list a signup joins when it names none; one of `lists`.',
  consentVersion: 'Version of the consent wording next to the form.',
  confirmTtlDays: 'Lifetime of a confirmation link, in days.',
  auditRetentionDays: 'How long the audit log keeps an entry, in days (1 to 3650). Unset: 400.',
  thankYouUrl: 'Where a browser goes after a form signup. Unset: the built-in page.',
  confirmedUrl: 'Where a browser goes after confirming. Unset: the built-in page.',
  postalAddress: "The sender's physical postal address at the foot of every email (CAN-SPAM): `cdk synth` fails without it.",
  senderName: 'The organisation named as the sender. Unset: `siteName`.',
  charityName: 'The charity named on receipts.',
  charityRegistration: "The charity's registration, on receipts.",
  currencies: 'Currencies checkout accepts at all; a campaign is created in one of them.',
  donationSuccessUrl: 'Where Checkout returns a donor who paid. Unset: the built-in thank-you page.',
  donationCancelUrl: 'Where Checkout returns a donor who cancelled. Unset: the chooser.',
  alarmEmail: 'Who hears about alarms (through the `AlarmTopic` SNS topic; confirm its subscription once). `cdk synth` fails without it unless `alarms` is `"none"`.',
  alarms: '`"none"`: deploy without `alarmEmail`, the alarms reaching no one (the dashboard still shows them).',
  limits: 'Per-client limits, enforced by the functions.',
  'limits.signupClientPerMinute': 'Signup requests per client IP per minute.',
  'limits.signupAddressPerHour': 'Signup requests per address per hour.',
  'limits.linkClientPerMinute': 'Confirm and unsubscribe-page requests per client IP per minute.',
  'limits.checkoutClientPerMinute': 'Checkout creations per client IP per minute.',
  throttle: 'API Gateway throttling per route, all clients together (see [route throttling](../deploying.md#route-throttling)). Rates up to 10,000/s, bursts up to 5,000.',
  'throttle.rateLimit': 'Stage default rate (requests/s) for each route without its own: confirm, unsubscribe and the catch-all.',
  'throttle.burstLimit': 'Stage default burst.',
  'throttle.signupRateLimit': '`POST /v1/subscriptions` and `GET /v1/subscriptions/thanks`, each.',
  'throttle.signupBurstLimit': 'Their burst.',
  'throttle.campaignRateLimit': '`GET /v1/campaigns/{campaignId}` and `GET /v1/embed.js`, each.',
  'throttle.campaignBurstLimit': 'Their burst.',
  'throttle.checkoutRateLimit': '`POST /v1/donations/checkout`, `GET /v1/donate` and `GET /v1/donate/thanks`, each.',
  'throttle.checkoutBurstLimit': 'Their burst.',
  'throttle.webhookRateLimit': '`POST /v1/stripe/webhook`, on its own.',
  'throttle.webhookBurstLimit': 'Its burst.',
  'throttle.headRateLimit': 'Each `HEAD` route (one per `GET` route, for uptime checks; admin `HEAD` routes take the admin limits).',
  'throttle.headBurstLimit': 'Their burst.',
  'throttle.eventsRateLimit': '`POST /v1/events`: the banner\'s views and clicks, a news day\'s 2,000 a second with room.',
  'throttle.eventsBurstLimit': 'Its burst.',
  'throttle.connectorWebhookRateLimit': '`POST /v1/connectors/{id}/mailchimp`: Mailchimp\'s list webhooks (its unsubscribes and cleaned addresses).',
  'throttle.connectorWebhookBurstLimit': 'Its burst.',
  'throttle.adminRateLimit': 'Each admin route.',
  'throttle.adminBurstLimit': 'Their burst.',
  'throttle.reminderRateLimit': '`POST /v1/reminders` and the reminders\' unsubscribe (GET and POST), each.',
  'throttle.reminderBurstLimit': 'Their burst.',
  timeZone: "The site's time zone (IANA): a reminder goes out from 09:00 there on its day.",
  failedPaymentEmails: '`false`: Stripe, not Appeal, tells donors of failed monthly payments and of a gift ended for them.',
  'throttle.consoleRateLimit': 'Each of the console\'s page and form routes (a few editors, a page at a time).',
  'throttle.consoleBurstLimit': 'Their burst.',
  taxYearStart: "When the giving statements' tax year begins: `01-01` or `04-06` (the UK's).",
  feeRates: "The Stripe account's fee per currency, for donors who cover it, written as `FEE_RATES` (`usd:0.029+30,eur:0.015+25`); default Stripe's standard card pricing in USD, EUR and GBP.",
  embeddedCheckout: "`true`: offer Stripe's embedded Checkout inside the site's pages (a placeholder's `data-checkout=\"embedded\"`); needs `stripePublishableKey`.",
  stripePublishableKey: "The Stripe account's publishable key (`pk_live_…`: public, not a secret), which Stripe.js needs on the page.",
  giftAid: "`true` for a UK charity claiming Gift Aid on GBP gifts (see the README's Gift Aid section).",
  reservedConcurrency: 'Reserved concurrency by function name (`{"stripe-webhook": 50}`); off for every function not listed. See [reserved concurrency](../operating.md#reserved-concurrency).',
};

/** The dev server's own variables (local/main.ts and local/server/dev-config.ts): not a function's schema. */
const DEV_SERVER_ROWS: [string, string, string][] = [
  ['`PORT`', '`3000`', 'Port of the API.'],
  ['`SITE_PORT`', '`PORT + 1` (a free port if that one is taken)', 'Port of the demo site: the article embedding Appeal, on an origin of its own.'],
  ['`APPEAL_DATA_DIR`', '`.appeal/`', 'DynamoDB Local\'s data, the outbox and mail-queue journals, the Stripe simulator\'s state and the local signing key.'],
  ['`PUBLIC_URL`', '`http://localhost:$PORT`', 'Base of every link the product builds.'],
  ['`SITE_ORIGINS`', '(none)', "More origins (comma-separated) allowed to embed Appeal and call the API from a browser; the API's own and the demo site's are always allowed."],
  ['`LOG_LEVEL`', '`WARN` on the dev server, `INFO` in Lambda', "The functions' log level: `DEBUG`, `INFO`, `WARN`, `ERROR` or `SILENT` (in Lambda, the function's own log level wins when set)."],
];

// ---- reading a schema ------------------------------------------------------------------------------------------

/** The little of zod's internals (both builds share them) that says what a field accepts. */
interface FieldInternals {
  _zod: { optin?: 'optional'; def: { type: string; defaultValue?: unknown; innerType?: FieldInternals; shape?: Record<string, FieldInternals> } };
}

export interface Row {
  name: string;
  /** `required`, `optional`, or the default as written in the file or the environment. */
  need: string;
}

/** A field's need: `required`, `optional`, or its default in the notation of `format`. */
const needOf = (field: FieldInternals, format: (value: unknown) => string) => {
  const { def, optin } = field._zod;
  if (def.type === 'default' || def.type === 'prefault') return `default ${format(def.defaultValue)}`;
  return optin === 'optional' ? 'optional' : 'required';
};

const shapeOf = (schema: unknown): Record<string, FieldInternals> => {
  const shape = (schema as FieldInternals)._zod.def.shape;
  if (!shape) throw new Error('not an object schema');
  return shape;
};

/** An environment variable's default, as its text would be (a list is comma-separated). */
const envText = (value: unknown) => `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
const jsonText = (value: unknown) => `\`${JSON.stringify(value)}\``;

const load = async (file: string, name: string): Promise<unknown> => {
  const module = (await import(pathToFileURL(resolve(ROOT, file)).href)) as Record<string, unknown>;
  if (!(name in module)) throw new Error(`${file} exports no ${name}`);
  return module[name];
};

/** The variables of one function's schema, in the schema's order. */
export const variablesOf = (schema: unknown): Row[] =>
  Object.entries(shapeOf(schema)).map(([name, field]) => ({ name, need: needOf(field, envText) }));

/** The stage file's keys, nested objects flattened (`limits.signupClientPerMinute`). */
export const stageKeysOf = (schema: unknown): Row[] =>
  Object.entries(shapeOf(schema)).flatMap(([name, field]) => {
    const inner = field._zod.def.type === 'prefault' || field._zod.def.type === 'default' ? field._zod.def.innerType : undefined;
    const nested = inner?._zod.def.type === 'object' ? inner._zod.def.shape : undefined;
    const row = { name, need: nested ? 'optional' : needOf(field, jsonText) };
    if (!nested) return [row];
    return [row, ...Object.entries(nested).map(([key, child]) => ({ name: `${name}.${key}`, need: needOf(child, jsonText) }))];
  });

// ---- the page --------------------------------------------------------------------------------------------------

const cell = (text: string) => text.replace(/\|/g, '\\|');

export interface Reference {
  markdown: string;
  /** Variables and stage keys that no description above covers. */
  undocumented: string[];
}

export const renderConfigurationReference = async (): Promise<Reference> => {
  const undocumented = new Set<string>();
  const describe = (name: string) => {
    const doc = VARIABLES[name];
    if (!doc) undocumented.add(name);
    return doc ?? { text: '(no description)', deployed: '' };
  };

  const out: string[] = [];
  out.push(
    '# Configuration reference',
    '',
    '<!-- Generated by `npm run docs:config` (scripts/config-docs.ts) from the configuration schemas. Do not edit by hand. -->',
    '',
    'Every function reads its configuration from environment variables, parsed with its own zod schema once, at cold',
    'start: a missing or malformed value fails there, naming the variable. The CDK stack writes exactly the variables',
    "a function's schema reads (a missing or misspelt one fails `tsc`), taking the values from the stage file; the dev",
    'server builds the same variables for its local stand-ins. What is required, optional or defaulted below is read',
    'from the schemas themselves.',
    '',
    '- [The dev server](#the-dev-server)',
    '- [A deployment: the stage file](#a-deployment-the-stage-file)',
    '- [The functions](#the-functions)',
    '',
    '## The dev server',
    '',
    '`npm start` reads these from its environment. Any function variable below can be given to it the same way',
    '(`SIGNUP_CLIENT_LIMIT_PER_MINUTE=100 npm start`), except the names of resources, which it makes itself.',
    '',
    '| variable | default | meaning |',
    '|---|---|---|',
    ...DEV_SERVER_ROWS.map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
    '## A deployment: the stage file',
    '',
    `\`infra/stages/<stage>.json\`, checked by \`${STAGE_SCHEMA.schema}\` in [${STAGE_SCHEMA.file}](../../${STAGE_SCHEMA.file}) when the CDK app starts, so a bad value fails`,
    '`cdk synth`. [infra/stages/dev.json](../../infra/stages/dev.json) is an example.',
    '',
    '| key | required / default | meaning |',
    '|---|---|---|',
  );
  for (const row of stageKeysOf(await load(STAGE_SCHEMA.file, STAGE_SCHEMA.schema))) {
    const text = STAGE_KEYS[row.name];
    if (!text) undocumented.add(`stage: ${row.name}`);
    out.push(`| \`${row.name}\` | ${cell(row.need)} | ${cell(text ?? '(no description)')} |`);
  }
  out.push(
    '',
    '## The functions',
    '',
    'One table per function, in the order of its schema. *In a deployment* says where the stack takes the value from:',
    'a stage key (`limits.signupClientPerMinute`), a resource the stacks make, or nothing, when the default applies (change',
    "it in the function's feature construct under `infra/constructs/`, such as `infra/constructs/mailing-list.ts`).",
    '',
  );
  const runtime = variablesOf(await load(RUNTIME_SCHEMA.file, RUNTIME_SCHEMA.schema));
  for (const entry of FUNCTION_SCHEMAS) {
    const rows = variablesOf(await load(entry.file, entry.schema));
    out.push(`### ${entry.fn}`, '', `\`${entry.schema}\` in [${entry.file}](../../${entry.file}).`, '');
    if (rows.length === 0) {
      out.push('It reads no configuration.', '');
      continue;
    }
    out.push('| variable | required / default | meaning | in a deployment |', '|---|---|---|---|');
    for (const row of rows) {
      const doc = describe(row.name);
      out.push(`| \`${row.name}\` | ${cell(row.need)} | ${cell(doc.text)} | ${cell(doc.deployed)} |`);
    }
    out.push('');
  }
  out.push(
    '### Every function with an AWS client',
    '',
    `\`${RUNTIME_SCHEMA.schema}\` in [${RUNTIME_SCHEMA.file}](../../${RUNTIME_SCHEMA.file}), read when a function builds its clients.`,
    '',
    '| variable | required / default | meaning | in a deployment |',
    '|---|---|---|---|',
  );
  for (const row of runtime) {
    const doc = describe(row.name);
    out.push(`| \`${row.name}\` | ${cell(row.need)} | ${cell(doc.text)} | ${cell(doc.deployed)} |`);
  }
  out.push('');
  return { markdown: out.join('\n'), undocumented: [...undocumented] };
};

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { markdown, undocumented } = await renderConfigurationReference();
  if (undocumented.length > 0) {
    console.error(`no description in scripts/config-docs.ts for: ${undocumented.join(', ')}`);
    process.exit(1);
  }
  const path = resolve(ROOT, OUTPUT);
  if (process.argv.includes('--check')) {
    const current = readFileSync(path, 'utf8');
    if (current !== markdown) {
      console.error(`${OUTPUT} is stale: run npm run docs:config`);
      process.exit(1);
    }
    console.log(`${OUTPUT} is current`);
  } else {
    writeFileSync(path, markdown);
    console.log(`wrote ${OUTPUT}`);
  }
}
