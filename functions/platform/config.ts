import * as z from 'zod/mini';
import { DEFAULT_SHARDS, MAX_SHARDS } from '../core/shared/shards.js';
import { blankAsAbsent, fromText, httpUrl, nonEmpty, Refusal, safeParse, type Schema, onFirstUse, wholeNumber } from '../core/shared/schema.js';
import type { ClientOptions } from './clients.js';
import { type Brand, DEFAULT_COLORS, FAVICON_PATH } from '../core/shared/brand.js';
import { DEFAULT_LANGUAGE, LANGUAGES } from '../core/shared/i18n/index.js';

// The pieces every function's configuration is made of. Each function's schema has its own module beside this
// one, and its entry imports only that: a function parses (and bundles) no other function's schema.
//
// A function parses its configuration at every cold start, before anything else there uses zod, and zod pays for
// each kind of schema or check the first time a process builds and runs one (V8 compiling its code): 0.1 to 0.5 ms a
// kind, over a millisecond for a number read from text (coerce, int, and two bounds). So the configuration's numbers,
// switches, choices and lists are each read from their text by one kind, `fromText` (core/shared/schema.ts: a string,
// then a transform that refuses what it cannot read), which takes about 2 ms off each cold start
// (docs/development.md); text, URLs and patterns keep zod's own checks.

/** `true` or `false`. */
export const flag = (expected = 'true or false.') => {
  const refusal = new Refusal(expected);
  return fromText((text) => (text === 'true' ? true : text === 'false' ? false : refusal));
};

/** One of `values`. */
export const oneOf = <const T extends string>(values: readonly T[], expected = `One of: ${values.join(', ')}.`) => {
  const refusal = new Refusal(expected);
  return fromText((text) => ((values as readonly string[]).includes(text) ? (text as T) : refusal));
};

/** A comma-separated list, at least one entry, each a valid `item` (blanks and spaces around entries ignored). */
export const listOf = <T>(item: Schema<T>) =>
  fromText((text) => {
    const entries: T[] = [];
    for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
      const result = safeParse(item, entry);
      if (!result.success) return new Refusal(`${JSON.stringify(entry)}: ${result.error.issues[0]?.message ?? 'Invalid.'}`);
      entries.push(result.data as T);
    }
    return entries.length > 0 ? entries : new Refusal('At least one entry, comma-separated.');
  });

/** A whole number above 0, from an environment variable's text. */
export const positiveInt = /* @__PURE__ */ onFirstUse(() => wholeNumber(1));
/**
 * How many items a hot counter is spread over: each new campaign's totals, and the subscriber counts. Each item
 * takes 1,000 write units a second, and transactions on one item at the same moment cancel each other.
 */
export const COUNTER_SHARDS = /* @__PURE__ */ onFirstUse(() => z._default(wholeNumber(1, MAX_SHARDS), DEFAULT_SHARDS));
export const optionalUrl = /* @__PURE__ */ onFirstUse(() => blankAsAbsent(httpUrl()));

/** What Lambda itself sets for every function (never the stack): the region the SDK clients call. */
export const RuntimeConfig = /* @__PURE__ */ onFirstUse(() => z.object({ AWS_REGION: nonEmpty() }));

const hexColor = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, 'A colour as #rrggbb.')));

/**
 * The publication's look on the pages and emails we host: its home page (every page and email links
 * back to it), its logo and its colours. Every function with a face has it, the catch-all's 404 page included.
 * Without a logo the site's name is the masthead; the colours default to the demo's (dark navy, red).
 */
export const BrandConfig = /* @__PURE__ */ onFirstUse(() => z.object({
  /** The site's home page. Every stage sets it (its first site origin by default); unset, pages offer no link home. */
  SITE_URL: optionalUrl,
  /** The site's logo (an image on the site's own server, allowed by each page's CSP); unset, the name alone. */
  SITE_LOGO_URL: optionalUrl,
  SITE_BRAND_COLOR: z._default(hexColor, DEFAULT_COLORS.color),
  SITE_ACCENT_COLOR: z._default(hexColor, DEFAULT_COLORS.accent),
  /** The language of pages and emails when the reader's is not known (i18n's LANGUAGES); default English. */
  SITE_LANGUAGE: z._default(oneOf(LANGUAGES), DEFAULT_LANGUAGE),
}));
type BrandSettings = z.infer<typeof BrandConfig> & { SITE_NAME: string; PUBLIC_API_URL?: string };

/** The brand of a function's pages, from its configuration; its icon is the API's own /favicon.ico. */
export const brandOf = (config: BrandSettings): Brand => ({
  siteName: config.SITE_NAME,
  siteUrl: config.SITE_URL,
  logoUrl: config.SITE_LOGO_URL,
  color: config.SITE_BRAND_COLOR,
  accent: config.SITE_ACCENT_COLOR,
  lang: config.SITE_LANGUAGE,
  iconUrl: config.PUBLIC_API_URL ? `${config.PUBLIC_API_URL}${FAVICON_PATH}` : undefined,
});

/**
 * What every function with a public face needs. Tunables have documented defaults; resources and identity never
 * do. Each function's schema (its module beside this one) is its whole environment contract: the function parses it at cold start, the
 * CDK stack writes exactly its keys (`envFor`), and the dev server builds its configuration with it.
 */
export const BaseConfig = /* @__PURE__ */ onFirstUse(() => z.object({
  SITE_NAME: nonEmpty(),
  /** Absolute base URL of the public API, for links in emails and pages. */
  PUBLIC_API_URL: z.pipe(
    httpUrl(),
    z.transform((u) => u.replace(/\/+$/, '')),
  ),
  /** Secrets Manager secret (ARN or name) holding `{"signingKey": "…"}`: tokens, IP and address hashes. */
  SIGNING_SECRET_ID: nonEmpty(),
  ...BrandConfig.shape,
}));

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
  const result = safeParse(schema, env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new Error(`invalid configuration: ${problems}`);
};

/** The SDK client options in Lambda: the region Lambda sets; credentials and endpoints are the SDK's defaults. */
export const lambdaClientOptions = (env: Readonly<Record<string, string | undefined>> = process.env): ClientOptions => ({
  region: loadConfig(RuntimeConfig, env).AWS_REGION,
});

/** Whether Intl knows `zone` as a time zone (IANA's names and their aliases). */
export const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * The site's time zone (IANA, e.g. `Europe/London`): what a reader's "remind me on this day" and 09:00 mean; default
 * UTC. At cold start only its form is checked: a process's first Intl.DateTimeFormat loads ICU's calendar data, 12 to
 * 30 ms that a signup or a checkout never needs (`npm run bench:bundles`). Whether Intl knows the zone (isTimeZone) is
 * checked where a stage is made (infra/config.ts, at synth), so a deployed function never has one it does not.
 */
export const SITE_TIME_ZONE = /* @__PURE__ */ onFirstUse(() => z._default(
  z.string().check(z.regex(/^(?=.{1,64}$)[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/, 'An IANA time zone, such as Europe/London (at most 64 characters).')),
  'UTC',
));

/**
 * When the tax year of the giving statements begins: `01-01` (a calendar year, the default) or `04-06` (the UK's,
 * 6 April to 5 April). A statement for year Y covers the tax year that begins in Y.
 */
export const TAX_YEAR_START = /* @__PURE__ */ onFirstUse(() => z._default(oneOf(['01-01', '04-06'], 'A tax year starts 01-01 or 04-06.'), '01-01'));

/**
 * Whether the site claims Gift Aid (a UK charity): donors to a GBP campaign may tick HMRC's declaration, Checkout then
 * collects their name and home address, and the declaration is kept with the gift. Off unless set.
 */
export const GIFT_AID = /* @__PURE__ */ onFirstUse(() => z._default(flag('GIFT_AID is true or false.'), false));
