import { describe, expect, it } from 'vitest';
import { messagesOf } from '../../../../../functions/core/shared/i18n/catalogue.js';
import { fill, formatAmount, formatCount, formatDate } from '../../../../../functions/core/shared/i18n/format.js';
import { type Language, pickLanguage } from '../../../../../functions/core/shared/i18n/index.js';

// The catalogues themselves (keys, placeholders, plural forms) are checked in catalogue.test.ts.

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
    const donors = (language: Language) => (n: number) => formatCount(language, n, messagesOf(language).widget.banner.donors);
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
