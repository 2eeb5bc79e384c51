/**
 * Messages and figures in a reader's language, with Intl only (no library): the catalogues' `{name}` placeholders,
 * plural forms, exact money and dates. Used by the embed in the browser and by the functions alike.
 */
import type { Plural } from './index.js';

/** A catalogue message with its `{name}` placeholders filled; an unknown placeholder is left as it is. */
export const fill = (template: string, values: Readonly<Record<string, string | number>>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));

/** The form of `forms` for `n` in `locale` (its plural category, else `other`). */
export const pluralOf = (locale: string, n: number, forms: Plural): string => forms[new Intl.PluralRules(locale).select(n)] ?? forms.other;

/** "1 donor", "3 донори": the number in the locale's digits and grouping, in the form its plural category takes. */
export const formatCount = (locale: string, n: number, forms: Plural): string =>
  fill(pluralOf(locale, n, forms), { n: new Intl.NumberFormat(locale).format(n) });

/**
 * Money held in minor units, exactly (4750 USD is $47.50, 4750 JPY is ¥4,750: never rounded), without a needless
 * ".00" ($50,000), in the locale's own way ("47,50 USD" in Ukrainian).
 */
export const formatAmount = (locale: string, minor: number, currency: string): string => {
  const options = { style: 'currency', currency: currency.toUpperCase() } as const;
  const digits = new Intl.NumberFormat(locale, options).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { ...options, trailingZeroDisplay: 'stripIfInteger' }).format(minor / 10 ** digits);
};

/** A date (or an ISO 8601 instant) in the locale's words, in UTC unless a time zone is given: "9 грудня 2016 р.". */
export const formatDate = (locale: string, date: Date | string, options: Intl.DateTimeFormatOptions = { dateStyle: 'long' }): string =>
  new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options }).format(typeof date === 'string' ? new Date(date) : date);
