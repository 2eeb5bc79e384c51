/**
 * The languages Appeal speaks, how one is chosen, and the shape of their words.
 *
 * Every word is in one JSON catalogue per language, `messages/<lang>.json` (`en.json` is the one every other
 * follows): its `widget` section is the embed's (inlined into the embed function when it is bundled, which serves
 * the script its language's: web/embed/api.ts), the rest the hosted pages' and the emails', read beside the
 * function's bundle when first needed (catalogue.ts). This module
 * holds no catalogue, only the types derived from the English one: importing it (for `pickLanguage`) adds no words
 * to a bundle.
 *
 * Why these four: the seed is a Ukraine appeal on a US site. English for the site's readers, Ukrainian for the
 * appeal's own community, Polish for the largest host country of Ukrainian refugees, Spanish for the US
 * readership's second language.
 */
export const LANGUAGES = ['en', 'uk', 'pl', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** Each language's name in itself, for a language picker or a log line. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', uk: 'Українська', pl: 'Polski', es: 'Español' };

/** The plural categories of CLDR, one of which Intl.PluralRules names for any number in any language. */
export type PluralCategory = Intl.LDMLPluralRule;

/**
 * A message that depends on a number: one form per plural category of its language (Intl.PluralRules: English
 * has one/other, Ukrainian and Polish one/few/many/other, Spanish one/many/other). `{n}` stands for the number.
 * In a catalogue it is an object whose keys are all plural categories, `other` among them; no other object there
 * has a key named for a category (a fallback message is `fallback`), so the two never read as each other.
 */
export type Plural = { readonly [C in Exclude<PluralCategory, 'other'>]?: string } & { readonly other: string };

/** True when `T`, an object of the English catalogue, is plural forms: its keys are categories, `other` among them. */
type IsPlural<T> = [Exclude<keyof T, PluralCategory>] extends [never] ? ('other' extends keyof T ? true : false) : false;

/** The catalogue's shape as every language must fill it: the English keys, any text, each language's plural forms. */
type Shape<T> = {
  readonly [K in keyof T]: T[K] extends string ? string : IsPlural<T[K]> extends true ? Plural : Shape<T[K]>;
};

/** Every word of one language: the widget's, the pages' and the emails' (messages/en.json gives the keys). */
export type Messages = Shape<typeof import('./messages/en.json')>;

/** The embed's words (web/embed/): the banner and the signup form. */
export type WidgetMessages = Messages['widget'];

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** Our language of one tag ("uk-UA" → uk, "ES_419" → es), if any. */
const languageOf = (tag: string): Language | undefined => {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.find((language) => language === primary);
};

/**
 * The language to speak: the one asked for (an embed's `data-lang`, a signup's `lang`) when it is one of ours, else
 * the most wanted of ours among the reader's preferences, else `fallback` (English unless said). The preferences are
 * an Accept-Language header (RFC 9110 §12.5.4: by q-value, the earlier of equal ones, q=0 meaning "not this one",
 * `*` any language: the fallback) or the browser's `navigator.languages` (in order). Tags match by their primary
 * subtag, in any case. A fallback that is not one of ours is English.
 */
export const pickLanguage = (
  requested: string | null | undefined,
  preferences: string | readonly string[] | null | undefined,
  fallback?: string | undefined,
): Language => {
  const otherwise = isLanguage(fallback) ? fallback : DEFAULT_LANGUAGE;
  const asked = requested ? languageOf(requested) : undefined;
  if (asked) return asked;
  let best: Language | undefined;
  let bestWeight = 0;
  for (const part of typeof preferences === 'string' ? preferences.split(',') : (preferences ?? [])) {
    const [tag = '', ...params] = part.split(';');
    const q = params.find((param) => /^\s*q\s*=/i.test(param));
    const weight = q === undefined ? 1 : Number(q.slice(q.indexOf('=') + 1)); // NaN (a bad q) is never more
    const language = tag.trim() === '*' ? otherwise : languageOf(tag);
    if (language && weight > bestWeight) {
      best = language;
      bestWeight = weight;
    }
  }
  return best ?? otherwise;
};

/**
 * A link of ours in a reader's language: `lang=xx` added to its query, which the page it opens reads first (see
 * pickLanguage). Without a language (a reader whose language is not known) the link is left as it is.
 */
export const inLanguage = (url: string, lang: string | undefined): string =>
  isLanguage(lang) ? `${url}${url.includes('?') ? '&' : '?'}lang=${lang}` : url;
