import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { hasControlCharacters } from '../shared/email-address.js';

/**
 * Where a signup or a gift came from: the page (`source`: its origin and path), the referrer's origin, the five UTM
 * fields, the part of the appeal the reader used (`component`) and the variant of the appeal they saw. Nothing that
 * names the reader: a page's query string and fragment, and the referrer's path, are dropped, because they may hold a
 * reader's address or a session token (a newsletter link, a search).
 */

/** A variant's id: what an event, a checkout and a signup name it by. */
export const VariantId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'Lowercase letters, digits and dashes, at most 40.')));
export type VariantId = z.infer<typeof VariantId>;

export const COMPONENTS = ['banner', 'form', 'chooser', 'link', 'email', 'upsell', 'reminder'] as const;
export const Component = /* @__PURE__ */ onFirstUse(() => z.enum(COMPONENTS));
export type Component = z.infer<typeof Component>;

export const UTM_MAX_LENGTH = 100;
/** A page's address as kept (its origin and path): longer ones are refused where they come in. */
export const SOURCE_MAX_LENGTH = 2000;
/** The referrer's origin (scheme, host, port): a host name is at most 253 characters. */
const ORIGIN_MAX_LENGTH = 300;

/** What a signup or gift keeps of its origin. Every field optional: a hand-made link carries none. */
export const Attribution = /* @__PURE__ */ onFirstUse(() => z.object({
  source: z.optional(z.string().check(z.maxLength(SOURCE_MAX_LENGTH))),
  referrer: z.optional(z.string().check(z.maxLength(ORIGIN_MAX_LENGTH))),
  utmSource: z.optional(z.string().check(z.maxLength(UTM_MAX_LENGTH))),
  utmMedium: z.optional(z.string().check(z.maxLength(UTM_MAX_LENGTH))),
  utmCampaign: z.optional(z.string().check(z.maxLength(UTM_MAX_LENGTH))),
  utmContent: z.optional(z.string().check(z.maxLength(UTM_MAX_LENGTH))),
  utmTerm: z.optional(z.string().check(z.maxLength(UTM_MAX_LENGTH))),
  component: z.optional(Component),
  variant: z.optional(VariantId),
}));
export type Attribution = z.infer<typeof Attribution>;

const isHttpUrl = (text: string) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);

/** A page's address without its query string and fragment: its origin and path (undefined for no http(s) URL). */
export const pageOf = (url: string): string | undefined => {
  if (!isHttpUrl(url)) return undefined;
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`.slice(0, SOURCE_MAX_LENGTH);
};

/** An http(s) URL's origin; undefined for anything else (`about:blank`, an `android-app:` referrer). */
export const originOf = (url: string): string | undefined => (isHttpUrl(url) ? new URL(url).origin : undefined);

/** Blank is absent: a site's own form with an empty field. */
const blank = (s: string) => s.trim() === '';

/** One UTM field: one line, at most 100 characters, blank as absent. */
const utm = /* @__PURE__ */ onFirstUse(() => z.optional(
  z.pipe(
    z.string().check(
      z.maxLength(UTM_MAX_LENGTH, `At most ${UTM_MAX_LENGTH} characters.`),
      z.refine((s) => !hasControlCharacters(s), 'Control characters are not allowed.'),
    ),
    z.transform((s) => (blank(s) ? undefined : s.trim())),
  ),
));

/** `source`: an http(s) URL, kept as its origin and path. */
export const SourceField = /* @__PURE__ */ onFirstUse(() => z.optional(
  z.pipe(
    z.string().check(
      z.maxLength(2048, 'At most 2048 characters.'),
      z.refine((s) => blank(s) || isHttpUrl(s.trim()), 'Must be an http(s) URL.'),
    ),
    z.transform((s) => (blank(s) ? undefined : pageOf(s.trim()))),
  ),
));

/**
 * The attribution fields a request may carry (API.md), as sent: snake_case, each optional. Only the referrer's
 * origin is kept. Built by the request schemas that hold them, when those are first built (schema.ts: onFirstUse).
 */
export const attributionFieldSchemas = () => ({
  referrer: z.optional(
    z.pipe(
      z.string().check(
        z.maxLength(2048, 'At most 2048 characters.'),
        z.refine((s) => blank(s) || (isHttpUrl(s.trim()) && new URL(s.trim()).origin.length <= ORIGIN_MAX_LENGTH), 'Must be an http(s) URL.'),
      ),
      z.transform((s) => (blank(s) ? undefined : originOf(s.trim()))),
    ),
  ),
  utm_source: utm,
  utm_medium: utm,
  utm_campaign: utm,
  utm_content: utm,
  utm_term: utm,
  component: z.optional(Component),
  variant: z.optional(VariantId),
});

/** The attribution fields as a request schema gives them. */
export interface AttributionInput {
  source?: string | undefined;
  referrer?: string | undefined;
  utm_source?: string | undefined;
  utm_medium?: string | undefined;
  utm_campaign?: string | undefined;
  utm_content?: string | undefined;
  utm_term?: string | undefined;
  component?: Component | undefined;
  variant?: string | undefined;
}

/** The attribution to keep from a request's fields; undefined when it carries none. */
export const attributionOf = (input: AttributionInput): Attribution | undefined => {
  const attribution: Attribution = {
    ...(input.source ? { source: input.source } : {}),
    ...(input.referrer ? { referrer: input.referrer } : {}),
    ...(input.utm_source ? { utmSource: input.utm_source } : {}),
    ...(input.utm_medium ? { utmMedium: input.utm_medium } : {}),
    ...(input.utm_campaign ? { utmCampaign: input.utm_campaign } : {}),
    ...(input.utm_content ? { utmContent: input.utm_content } : {}),
    ...(input.utm_term ? { utmTerm: input.utm_term } : {}),
    ...(input.component ? { component: input.component } : {}),
    ...(input.variant ? { variant: input.variant } : {}),
  };
  return Object.keys(attribution).length > 0 ? attribution : undefined;
};

/** The request fields again, for a link or a form that carries them on (the chooser's form to checkout). */
export const attributionFields = (attribution: Attribution | undefined): Record<string, string> => {
  if (!attribution) return {};
  const fields: Record<string, string | undefined> = {
    source: attribution.source,
    referrer: attribution.referrer,
    utm_source: attribution.utmSource,
    utm_medium: attribution.utmMedium,
    utm_campaign: attribution.utmCampaign,
    utm_content: attribution.utmContent,
    utm_term: attribution.utmTerm,
    component: attribution.component,
    variant: attribution.variant,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
};
