import { describe, expect, it } from 'vitest';
import * as en from '../../functions/core/shared/i18n/en.js';
import * as es from '../../functions/core/shared/i18n/es.js';
import { fill, formatAmount, formatCount, formatDate } from '../../functions/core/shared/i18n/format.js';
import { LANGUAGES, type Language, pickLanguage, type Plural, type WidgetMessages } from '../../functions/core/shared/i18n/index.js';
import * as pl from '../../functions/core/shared/i18n/pl.js';
import * as uk from '../../functions/core/shared/i18n/uk.js';

const CATALOGUES: Record<Language, Record<string, unknown>> = { en, uk, pl, es };
const WIDGETS: Record<Language, WidgetMessages> = { en: en.widget, uk: uk.widget, pl: pl.widget, es: es.widget };
const PLURAL_KEYS = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);

const isPlural = (value: unknown): value is Plural =>
  typeof value === 'object' && value !== null && 'other' in value && Object.keys(value).every((k) => PLURAL_KEYS.has(k));

interface Entry {
  path: string;
  value: string | Plural;
}

/** Every message of a catalogue module, by its path (`widget.banner.ask`); plural forms are one entry. */
const entries = (node: unknown, path = ''): Entry[] => {
  if (typeof node === 'string' || isPlural(node)) return [{ path, value: node }];
  if (typeof node !== 'object' || node === null) return [{ path, value: `<${typeof node}>` }];
  return Object.entries(node).flatMap(([key, child]) => entries(child, path ? `${path}.${key}` : key));
};
const placeholders = (text: string) => [...new Set(text.match(/\{\w+\}/g) ?? [])].sort();
const textsOf = (value: string | Plural) => (typeof value === 'string' ? [value] : Object.values(value).filter((v): v is string => typeof v === 'string'));

/** What is wrong with one language's catalogue, measured against English: one line per problem. */
const problems = (language: Language, catalogue: Record<string, unknown>): string[] => {
  const english = new Map(entries(en).map((e) => [e.path, e.value]));
  const own = new Map(entries(catalogue).map((e) => [e.path, e.value]));
  const found: string[] = [];
  for (const path of english.keys()) if (!own.has(path)) found.push(`missing ${path}`);
  for (const path of own.keys()) if (!english.has(path)) found.push(`extra ${path}`);
  const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
  for (const [path, value] of own) {
    const reference = english.get(path);
    if (reference === undefined) continue;
    if (isPlural(reference) !== isPlural(value)) {
      found.push(`${path}: ${isPlural(reference) ? 'needs plural forms' : 'is plural in no other language'}`);
      continue;
    }
    if (isPlural(value)) {
      const forms = Object.keys(value);
      for (const category of categories) if (!forms.includes(category)) found.push(`${path}: no "${category}" form (${language} has ${categories.join(', ')})`);
      for (const form of forms) if (!categories.includes(form as Intl.LDMLPluralRule)) found.push(`${path}: "${form}" is no plural form of ${language}`);
    }
    const expected = placeholders(textsOf(reference).join(' '));
    for (const text of textsOf(value)) {
      if (text.trim() === '') found.push(`${path}: empty`);
      else if (placeholders(text).join() !== expected.join()) found.push(`${path}: placeholders ${placeholders(text).join(' ') || 'none'}, English has ${expected.join(' ') || 'none'}`);
    }
  }
  return found;
};

describe('the message catalogues', () => {
  it('exist for every language, one module each, with the sections English has', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual([...LANGUAGES].sort());
    for (const language of LANGUAGES) expect(Object.keys(CATALOGUES[language]).sort(), language).toEqual(Object.keys(en).sort());
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s has every key English has, no other, the same placeholders, and its own plural forms', (language) => {
    expect(problems(language, CATALOGUES[language])).toEqual([]);
  });

  it("English has its own plural forms too, and a translator's slip is caught", () => {
    expect(problems('en', en)).toEqual([]);
    const { banner, signup } = uk.widget;
    const { ask: _dropped, ...bannerWithoutAsk } = banner;
    const slipped = {
      widget: {
        banner: { ...bannerWithoutAsk, donors: { one: '{n} донор', other: '{n} донора' }, optIn: 'Розсилка {сайт}', extra: 'зайве' },
        signup,
      },
    };
    expect(problems('uk', slipped)).toEqual([
      'missing widget.banner.ask',
      'extra widget.banner.extra',
      'widget.banner.optIn: placeholders none, English has {site}',
      'widget.banner.donors: no "few" form (uk has few, many, one, other)',
      'widget.banner.donors: no "many" form (uk has few, many, one, other)',
    ]);
  });
});

describe('pickLanguage', () => {
  it('takes the language asked for, by its primary subtag, in any case', () => {
    expect(pickLanguage('uk', 'en-US,en;q=0.9')).toBe('uk');
    expect(pickLanguage('pl-PL', ['en-US'])).toBe('pl');
    expect(pickLanguage('ES_419', undefined)).toBe('es');
    expect(pickLanguage(' UK ', null)).toBe('uk');
  });

  it("falls back to the reader's preferences when the language asked for is missing or unsupported", () => {
    expect(pickLanguage(undefined, ['de-DE', 'uk-UA', 'en'])).toBe('uk');
    expect(pickLanguage('de', ['pl', 'en'])).toBe('pl');
    expect(pickLanguage('', 'es-MX,es;q=0.9')).toBe('es');
  });

  it('reads an Accept-Language header by its weights: highest first, q=0 never, ties in order', () => {
    expect(pickLanguage(undefined, 'en;q=0.5, uk;q=0.8, pl;q=0.8')).toBe('uk');
    expect(pickLanguage(undefined, 'uk;q=0, pl;q=0.1')).toBe('pl');
    expect(pickLanguage(undefined, 'fr-FR, fr;q=0.9, es;q=0.7, *;q=0.5')).toBe('es');
    expect(pickLanguage(undefined, 'fr, *;q=0.5')).toBe('en');
    expect(pickLanguage(undefined, 'uk;q=abc, es')).toBe('es');
  });

  it('says English, or the fallback given, when nothing matches', () => {
    expect(pickLanguage(undefined, undefined)).toBe('en');
    expect(pickLanguage('ru', 'ru-RU, de')).toBe('en');
    expect(pickLanguage(undefined, [], 'uk')).toBe('uk');
    expect(pickLanguage('fr', 'de, *;q=0.1', 'pl')).toBe('pl');
    expect(pickLanguage(undefined, 'de, es;q=0.2, *;q=0.5', 'uk')).toBe('uk');
  });
});

describe('formatting in a language', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(fill('Join the {site} list, {site}!', { site: 'GS' })).toBe('Join the GS list, GS!');
    expect(fill('{raised} of {goal}', { raised: '$1' })).toBe('$1 of {goal}');
  });

  it("counts with each language's plural forms and digits", () => {
    const donors = (language: Language) => (n: number) => formatCount(language, n, WIDGETS[language].banner.donors);
    expect([1, 2, 5].map(donors('en'))).toEqual(['1\u00a0donor', '2\u00a0donors', '5\u00a0donors']);
    expect([1, 3, 5, 21, 1500].map(donors('uk'))).toEqual(['1\u00a0донор', '3\u00a0донори', '5\u00a0донорів', '21\u00a0донор', '1\u00a0500\u00a0донорів']);
    expect([1, 2, 5, 22].map(donors('pl'))).toEqual(['1\u00a0darczyńca', '2\u00a0darczyńcy', '5\u00a0darczyńców', '22\u00a0darczyńcy']);
    expect([1, 2, 1_000_000].map(donors('es'))).toEqual(['1\u00a0donante', '2\u00a0donantes', '1.000.000\u00a0donantes']);
  });

  it('writes money exactly, in the minor units of its currency, the way each language writes it', () => {
    expect(formatAmount('en', 4750, 'usd')).toBe('$47.50');
    expect(formatAmount('en', 5_000_000, 'usd')).toBe('$50,000');
    expect(formatAmount('en', 4750, 'jpy')).toBe('¥4,750');
    expect(formatAmount('uk', 4750, 'usd').replace(/\s/g, ' ')).toBe('47,50 USD');
    expect(formatAmount('pl', 5_000_000, 'usd').replace(/\s/g, ' ')).toBe('50 000 USD');
    expect(formatAmount('es', 4750, 'eur').replace(/\s/g, ' ')).toBe('47,50 €');
  });

  it('writes dates in the language, in UTC unless told', () => {
    expect(formatDate('en', '2016-12-09T23:30:00.000Z')).toBe('December 9, 2016');
    expect(formatDate('uk', new Date('2016-12-09T12:00:00Z'))).toBe('9 грудня 2016 р.');
    expect(formatDate('es', '2016-12-09T23:30:00.000Z', { dateStyle: 'long', timeZone: 'Europe/Madrid' })).toBe('10 de diciembre de 2016');
  });
});
