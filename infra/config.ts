import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { LANGUAGES } from '../functions/core/shared/i18n/index.js';
import { CurrencyCode } from '../functions/core/donations/model.js';
import { FeeRates } from '../functions/core/donations/fees.js';
import { ListId } from '../functions/core/subscriptions/model.js';
import { safeParse } from '../functions/core/shared/schema.js';
import { isTimeZone } from '../functions/platform/config.js';

/** Every function, by its entry (functions/<name>/): the names stage settings use. */
export const FUNCTION_ENTRIES = [
  'subscriptions',
  'signup-and-mail',
  'donations',
  'stripe-webhook',
  'admin',
  'export-worker',
  'ses-events',
  'fallback',
  'embed',
  'events',
  'event-counter',
  'console',
  'reminders',
  'webhooks',
  'webhook-events',
  'webhook-delivery',
] as const;
export type FunctionEntry = (typeof FUNCTION_ENTRIES)[number];

/** A DNS host name, lower case, without a scheme or a trailing dot: `appeal.example.org`. */
const HostName = z.string().regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a lower-case host name such as appeal.example.org');

/** One deployment (stage) of Appeal. Checked when the CDK app starts, so a bad value fails `cdk synth`. */
export const StageConfig = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/),
  account: z.string().regex(/^\d{12}$/).optional(),
  region: z.string().default('us-east-1'),
  siteName: z.string().min(1),
  /** Origins allowed by CORS: the news site's pages that embed the widget. */
  siteOrigins: z.array(z.url()).min(1),
  /** The site's home page, linked from every hosted page and email; default: the first of `siteOrigins`. */
  siteUrl: z.url().optional(),
  /** The site's logo on the hosted pages and emails (an https image on the site's server); default: the name alone. */
  siteLogoUrl: z.url({ protocol: /^https$/ }).optional(),
  /** The hosted pages' and emails' colours, `#rrggbb`: masthead and accent; default the demo's navy and red. */
  brandColor: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/).optional(),
  /**
   * The site's language (en, uk, pl, es): the hosted pages' and emails' when a reader's is not known (no `lang`
   * asked for, no Accept-Language we speak); default English.
   */
  language: z.enum(LANGUAGES).optional(),
  /**
   * The API's own host name (`appeal.example.org`): the stack makes an ACM certificate for it, validated by DNS, and
   * an API Gateway custom domain mapped to the API, and every link Appeal builds uses `https://<domainName>`.
   */
  domainName: HostName.optional(),
  /**
   * A Route 53 public hosted zone the stack writes DNS records into (with `hostedZoneName`, its domain): the
   * certificate's validation record and the alias for `domainName`, which must be in the zone, and the email
   * records when `senderDomain` is in it too. Without it, the deploy prints the records to create.
   */
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,32}$/).optional(),
  /** The domain of `hostedZoneId` (`example.org`): which names the zone may hold. */
  hostedZoneName: HostName.optional(),
  /** Base of the links in pages and emails; default: `https://<domainName>`, else the API's own endpoint. */
  publicApiUrl: z.url().optional(),
  /** The domain SES sends from (verified with DKIM records the stack outputs). */
  senderDomain: z.string().min(3),
  /**
   * The custom MAIL FROM domain's first label: bounces come back to `<mailFromSubdomain>.<senderDomain>` (its MX
   * record), so that SPF passes for the sender's own domain and DMARC aligns.
   */
  mailFromSubdomain: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/).default('bounce'),
  mailFrom: z.string().min(3),
  replyTo: z.string().optional(),
  lists: z.array(ListId).min(1),
  defaultList: z.string(),
  consentVersion: z.string().min(1),
  confirmTtlDays: z.number().int().positive().default(7),
  /** How long the audit log keeps an entry (the console's sign-ins, exports, data requests, changes), in days. */
  auditRetentionDays: z.number().int().min(1).max(3650).default(400),
  thankYouUrl: z.url().optional(),
  confirmedUrl: z.url().optional(),
  /** The sender's physical postal address, at the foot of every email (CAN-SPAM). */
  postalAddress: z.string().min(5).max(300),
  /** The organisation named as the sender beside it; default: `siteName`. */
  senderName: z.string().min(1).max(200).optional(),
  /** The charity named on receipts. */
  charityName: z.string().min(1),
  charityRegistration: z.string().min(1),
  currencies: z.array(CurrencyCode).min(1).default(['usd', 'eur', 'gbp']),
  donationSuccessUrl: z.url().optional(),
  donationCancelUrl: z.url().optional(),
  /** The site's time zone (IANA): a reminder goes out from 09:00 there on the day the reader chose. */
  timeZone: z.string().default('UTC').refine(isTimeZone, 'An IANA time zone that Intl knows, such as Europe/London.'),
  /** `false` leaves the emails about failed monthly payments (and a gift ended for them) to Stripe's own settings. */
  failedPaymentEmails: z.boolean().default(true),
  /** When the giving statements' tax year begins: `01-01` (a calendar year) or `04-06` (the UK's, from 6 April). */
  taxYearStart: z.enum(['01-01', '04-06']).default('01-01'),
  /**
   * The Stripe account's fee per currency, for donors who cover it, as FEE_RATES writes it (`usd:0.029+30,eur:0.015+25`);
   * default: Stripe's standard card pricing in USD, EUR and GBP. Checked with the function's own schema.
   */
  feeRates: z
    .string()
    .refine((text) => safeParse(FeeRates, text).success, 'currency:rate+fixed entries, comma-separated, such as usd:0.029+30,eur:0.015+25')
    .optional(),
  /** Offer Stripe's embedded Checkout inside the site's pages (a placeholder's data-checkout="embedded"); needs `stripePublishableKey`. */
  embeddedCheckout: z.boolean().default(false),
  /** The Stripe account's publishable key (`pk_live_…`; public, not a secret), which Stripe.js needs on the page. */
  stripePublishableKey: z.string().regex(/^pk_(test|live)_[A-Za-z0-9_]+$/, 'a Stripe publishable key, pk_test_… or pk_live_…').optional(),
  /** A UK charity claiming Gift Aid: GBP campaigns offer HMRC's declaration and the `gift-aid` export lists the claim. */
  giftAid: z.boolean().default(false),
  /** Who hears about alarms (dead letters, errors, 5xx); a stage without one must say `alarms: "none"`. */
  alarmEmail: z.email().optional(),
  /** `"none"`: deploy without `alarmEmail`, knowing that the alarms reach no one (the dashboard still shows them). */
  alarms: z.literal('none').optional(),
  limits: z
    .object({
      signupClientPerMinute: z.number().int().positive().default(30),
      signupAddressPerHour: z.number().int().positive().default(5),
      linkClientPerMinute: z.number().int().positive().default(60),
      checkoutClientPerMinute: z.number().int().positive().default(10),
    })
    .prefault({}),
  /**
   * API Gateway throttling, in requests per second (rate) and token-bucket size (burst). These limits count every
   * client together: they protect the functions, the tables and Stripe from a flood, and keep any one route from
   * starving the others. Per-client limits are the application's (`limits` above). Each route has its own bucket:
   * a route without a setting of its own gets the stage default. Sized for a news day (a newsletter plug: 100+
   * signups/s; a viral appeal: 50 gifts/s) while the sum over all routes stays well under AWS's account-level
   * 10,000 rps / 5,000 burst per region (about 1,800 rps / 3,600 burst with these defaults), and every route at its
   * limit keeps under 300 functions busy: well within a Lambda account's usual 1,000 concurrent executions.
   */
  throttle: z
    .object({
      /**
       * Stage default, for each route without its own setting: confirm and unsubscribe (GET and POST) and the
       * catch-all. Confirm and unsubscribe follow the mail we send, so they never outrun the SES send rate
       * (14/s on a new production account): 50/s is over three times that; unknown paths need no more.
       */
      rateLimit: z.number().positive().max(10_000).default(50),
      burstLimit: z.number().int().positive().max(5_000).default(100),
      /**
       * POST /v1/subscriptions and its no-JavaScript thank-you page. A newsletter plug brings thousands of
       * signups in minutes (10,000 in 2 minutes is 83/s on average, twice that at the peak): 200/s, burst 400
       * for the first seconds after the mail lands. A signup is a few small writes and one queue message
       * (~0.1 s, ~20 functions at 200/s); the queue absorbs the mail that follows at SES's pace.
       */
      signupRateLimit: z.number().positive().max(10_000).default(200),
      signupBurstLimit: z.number().int().positive().max(5_000).default(400),
      /**
       * GET /v1/campaigns/{campaignId}: the banner reads it on every page load (browsers cache it for 30 s, so
       * each reader counts once). 300/s is about a million page views an hour with the banner; one small read
       * (~0.05 s, ~15 functions at 300/s). A throttled banner only misses its progress bar.
       */
      campaignRateLimit: z.number().positive().max(10_000).default(300),
      campaignBurstLimit: z.number().int().positive().max(5_000).default(600),
      /**
       * The Checkout flow: POST /v1/donations/checkout, the donate link GET /v1/donate and its thank-you page,
       * each this much. A viral appeal brings 50 gifts/s, each one Checkout Session created at Stripe (plus
       * donors who open Checkout and leave): 60/s. Kept close to that because every request may be a Stripe
       * call (~1 s; a stalled Stripe would tie up functions) and the route-wide limit bounds a card-testing run
       * spread over many IPs. Stripe's own limits are the ceiling: 100 requests/s per live account and, by
       * default, 25/s per endpoint; ask Stripe to raise them (weeks ahead) before an appeal needs more than 25
       * checkouts a second.
       */
      checkoutRateLimit: z.number().positive().max(10_000).default(60),
      checkoutBurstLimit: z.number().int().positive().max(5_000).default(120),
      /**
       * POST /v1/stripe/webhook, on its own so that no public flood delays payments. 50 gifts/s bring up to 3
       * events each at once (checkout.session.completed, then async_payment_succeeded or invoice.paid): 150/s,
       * plus room for Stripe redelivering a backlog after a failure (it retries for up to 3 days): 250/s, burst
       * 500. A throttled event is not lost, only delayed: Stripe retries it.
       */
      webhookRateLimit: z.number().positive().max(10_000).default(250),
      webhookBurstLimit: z.number().int().positive().max(5_000).default(500),
      /** Admin routes, each: a person or the CLI polling an export; a stolen token cannot hammer the tables. */
      adminRateLimit: z.number().positive().max(10_000).default(5),
      adminBurstLimit: z.number().int().positive().max(5_000).default(10),
      /**
       * "Remind me later" (POST /v1/reminders) and the reminders' unsubscribe, each: a reader who is not giving yet
       * asks for a date, a few a second on a busy appeal; the one-click unsubscribe follows the reminders we send.
       * Also the Gift Aid cancellation (GET and POST) and the giving statement's link: rare, and from mail.
       */
      reminderRateLimit: z.number().positive().max(10_000).default(10),
      reminderBurstLimit: z.number().int().positive().max(5_000).default(10),
      /**
       * The console's routes, each (its pages' HEAD routes keep the HEAD limits): a newsroom's few editors, a page at
       * a time. Lower than the admin API's, since the console has a route per page and form and their sum counts
       * against the account's burst like every other route's.
       */
      consoleRateLimit: z.number().positive().max(10_000).default(2),
      consoleBurstLimit: z.number().int().positive().max(5_000).default(5),
      /**
       * The HEAD route beside each public GET route, each (the admin ones take the admin limits): uptime checkers
       * and link scanners ask what a page would answer. A reader's browser never sends HEAD, so a few a second is
       * plenty; the stage default (50/s each) would take the sum over all routes past the bound above.
       */
      headRateLimit: z.number().positive().max(10_000).default(5),
      headBurstLimit: z.number().int().positive().max(5_000).default(5),
      /**
       * POST /v1/events: a view for each page view that shows the banner, and the clicks on its amounts. A news day
       * brings 2,000 views a second across the site's campaigns (bench/events.ts prices it): 2,500/s steady, and a
       * bucket of 700 for a spike above it (the views arrive spread over readers, not all at once). Each is a short
       * check and one queue message (~10 ms, ~25 functions at 2,500/s). With it the sum over all routes is about
       * 4,700 rps / 4,930 burst, under the account's 10,000 rps / 5,000 burst; a throttled view is one not counted.
       */
      eventsRateLimit: z.number().positive().max(10_000).default(2_500),
      eventsBurstLimit: z.number().int().positive().max(5_000).default(700),
      /**
       * POST /v1/connectors/{id}/mailchimp: Mailchimp's list webhooks, one per unsubscribe or cleaned address there
       * (a cleaned campaign sends a few dozen at once). Each is a key look-up and a write or two. 2/s with a bucket
       * of 20 keeps the sum over all routes at 4,700 rps and under the account's 5,000 burst.
       */
      connectorWebhookRateLimit: z.number().positive().max(10_000).default(2),
      connectorWebhookBurstLimit: z.number().int().positive().max(5_000).default(20),
    })
    .prefault({}),
  /**
   * Reserved concurrency per function, by entry name (`{"stripe-webhook": 50}`); off for every function not listed,
   * and the default is none. A reservation is both a floor (a flood on the public routes cannot take the webhook's
   * capacity, nor the account's from other functions) and a ceiling (the function never runs more at once). Lambda
   * keeps 100 of the account's concurrency unreserved, so a reservation fails the deploy on an account whose quota
   * is below 100 plus all reservations: a new account's quota can be as low as 10. Check *Concurrent executions* in
   * Service Quotas (1,000 is usual) before listing any.
   */
  reservedConcurrency: z.partialRecord(z.enum(FUNCTION_ENTRIES), z.number().int().min(1).max(1_000)).default({}),
})
  .refine((c) => c.lists.includes(c.defaultList), { message: 'defaultList must be one of lists', path: ['defaultList'] })
  .refine((c) => (c.hostedZoneId === undefined) === (c.hostedZoneName === undefined), {
    message: 'hostedZoneId and hostedZoneName go together: the zone\'s id and its domain (such as example.org)',
    path: ['hostedZoneName'],
  })
  .refine((c) => !c.hostedZoneName || !c.domainName || isInZone(c.domainName, c.hostedZoneName), {
    message: 'domainName must be in the hosted zone (hostedZoneName or a name under it)',
    path: ['domainName'],
  })
  .refine((c) => !c.embeddedCheckout || c.stripePublishableKey !== undefined, {
    message: 'embeddedCheckout needs stripePublishableKey: Stripe.js cannot start without it',
    path: ['stripePublishableKey'],
  })
  .refine((c) => !(c.alarms === 'none' && c.alarmEmail), {
    message: 'alarms is "none" but alarmEmail is set: remove one of them',
    path: ['alarms'],
  });
export type StageConfig = z.infer<typeof StageConfig>;

/** Whether `name` belongs in the DNS zone `zone`: the zone's own name or one under it. */
export const isInZone = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/**
 * Why this stage's alarms would reach no one, or nothing when they reach someone: `cdk synth` fails with it, so that
 * no stage goes live with alarms unseen unless its file says so. (Checked at synth, not by the schema: the admin CLI
 * reads stage files too, and needs no alarm target.)
 */
export const alarmTargetProblem = (config: StageConfig): string | undefined =>
  config.alarmEmail || config.alarms === 'none'
    ? undefined
    : `stage ${config.stage} has no alarm target: set alarmEmail in infra/stages/${config.stage}.json, or set "alarms": "none" to deploy with alarms that go nowhere`;

export const loadStageConfig = (path: string): StageConfig => {
  const result = safeParse(StageConfig, JSON.parse(readFileSync(path, 'utf8')));
  if (!result.success) {
    throw new Error(`invalid stage config ${path}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
};
