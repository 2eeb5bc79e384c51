import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueUrl, messagesOf } from '../../../../../functions/core/shared/i18n/catalogue.js';
import { LANGUAGES, type Language } from '../../../../../functions/core/shared/i18n/index.js';

// The JSON catalogues (functions/core/shared/i18n/messages/), the widget's section and the pages' and emails' alike:
// every language has English's keys and no other, the same placeholders in each message, its own plural forms, and no
// English left over.

const PLURAL_CATEGORIES: ReadonlySet<string> = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);

/**
 * Messages that may read the same as in English, by language and path, each for a reason. A message with no letter
 * outside its placeholders ("2500", "{amount}") never counts as untranslated and needs no entry here.
 */
const SAME_AS_ENGLISH: Readonly<Record<Language, ReadonlySet<string>>> = {
  en: new Set(),
  uk: new Set(),
  // "Status" is the Polish word too (a subscriber's or a gift's status in the console's export form).
  pl: new Set(['console.exports.status']),
  // "Error:" is the Spanish word too (el error), and the usual title prefix of a Spanish page that reports one.
  // "Total" is the Spanish word too (a giving statement's total).
  // "Webhooks" is the word Spanish-speaking developers use too (the console's page of them), as Stripe's Spanish docs do.
  es: new Set(['page.errorPrefix', 'statements.page.total', 'console.nav.webhooks']),
};

/** A catalogue as plain data, to doctor a copy of one. */
type Node = string | { [key: string]: Node };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A message with one form per plural category: an object whose keys are all plural category names (each language's
 * own, `other` among them, which `problems` checks). Any other object is a section, and names no key for a category,
 * so that a section can never read as plural forms, nor plural forms as a section.
 */
const isPlural = (value: unknown): value is Record<string, unknown> =>
  isObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((key) => PLURAL_CATEGORIES.has(key));

const placeholders = (text: string) => [...new Set(Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[0]))].sort();
const hasLetters = (text: string) => /\p{L}/u.test(text.replace(/\{\w+\}/g, ''));
const describeValue = (value: unknown) => (Array.isArray(value) ? 'an array' : value === null ? 'null' : isPlural(value) ? 'plural forms' : typeof value);

/**
 * What is wrong with one language's catalogue, measured against English: one line per problem, empty when none.
 * English itself goes through it too (its plural forms are then checked against English's own categories).
 */
const problems = (language: Language, catalogue: unknown, english: unknown = messagesOf('en')): string[] => {
  const found: string[] = [];
  const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories as readonly string[];
  const allowed = SAME_AS_ENGLISH[language];

  const checkText = (path: string, text: unknown, reference: string, expected: readonly string[]) => {
    if (typeof text !== 'string') return void found.push(`${path}: is ${describeValue(text)}, not a string`);
    if (text.trim() === '') return void found.push(`${path}: empty`);
    const own = placeholders(text);
    if (own.join() !== expected.join()) found.push(`${path}: placeholders ${own.join(' ') || 'none'}, English has ${expected.join(' ') || 'none'}`);
    if (language !== 'en' && text === reference && hasLetters(text) && !allowed.has(path)) found.push(`${path}: same as English`);
  };

  const walk = (path: string, own: unknown, reference: unknown) => {
    if (typeof reference === 'string') return checkText(path, own, reference, placeholders(reference));
    if (isPlural(reference)) {
      if (!isPlural(own)) return void found.push(`${path}: is ${describeValue(own)}, English has plural forms`);
      const other = reference['other'];
      const expected = typeof other === 'string' ? placeholders(other) : [];
      if (!expected.includes('{n}')) found.push(`${path}: the English "other" form has no {n}`);
      for (const category of categories) if (!(category in own)) found.push(`${path}: no "${category}" form (${language} has ${categories.join(', ')})`);
      for (const [form, text] of Object.entries(own)) {
        if (!categories.includes(form)) found.push(`${path}: "${form}" is no plural form of ${language}`);
        // Each form against English's general one: "{n} donor" (one) and "{n} donors" (other) differ only in words.
        checkText(`${path}.${form}`, text, typeof reference[form] === 'string' ? (reference[form] as string) : '', expected);
      }
      return;
    }
    if (!isObject(reference)) return void found.push(`${path}: English has ${describeValue(reference)}, no message or section`);
    if (!isObject(own) || isPlural(own)) return void found.push(`${path}: is ${describeValue(own)}, English has a section`);
    for (const key of Object.keys(own)) {
      if (PLURAL_CATEGORIES.has(key)) found.push(`${path ? `${path}.${key}` : key}: a plural category's name for a key in a section (only plural forms have one)`);
    }
    for (const key of Object.keys(reference)) {
      const child = path ? `${path}.${key}` : key;
      if (Object.hasOwn(own, key)) walk(child, own[key], reference[key]);
      else found.push(`missing ${child}`);
    }
    for (const key of Object.keys(own)) if (!Object.hasOwn(reference, key)) found.push(`extra ${path ? `${path}.${key}` : key}`);
  };

  walk('', catalogue, english);
  return found;
};

/**
 * Messages that read the same as another in every language, each pair for a reason; any other such pair is one
 * string kept twice, which should be one key that both places read.
 */
const SAME_WORDS: ReadonlySet<string> = new Set([
  // The banner's name for its group of amount buttons, and a receipt's row heading: one word in our four
  // languages, two roles that a translator may word apart (a prompt to choose, a record of what was paid).
  'emails.receipt.amount = widget.banner.amounts',
]);

/** Each message (plural forms as one) as the four languages word it, by its path; the locale tags are no words. */
const wordingsOf = (catalogues: Readonly<Record<Language, unknown>>): Map<string, string> => {
  const wordings = new Map<string, string>();
  const walk = (path: string, nodes: readonly unknown[]) => {
    const [english] = nodes;
    if (typeof english === 'string' || isPlural(english)) return void wordings.set(path, JSON.stringify(nodes));
    if (!isObject(english)) return;
    for (const key of Object.keys(english)) {
      if (path || key !== 'locale') walk(path ? `${path}.${key}` : key, nodes.map((node) => (isObject(node) ? node[key] : undefined)));
    }
  };
  walk('', LANGUAGES.map((language) => catalogues[language]));
  return wordings;
};

/** Pairs of messages that read the same in every language (`a.path = b.path`), but for SAME_WORDS. */
const keptTwice = (catalogues: Readonly<Record<Language, unknown>>): string[] => {
  const byWording = new Map<string, string[]>();
  for (const [path, wording] of wordingsOf(catalogues)) byWording.set(wording, [...(byWording.get(wording) ?? []), path]);
  return [...byWording.values()]
    .flatMap((paths) => paths.flatMap((a, i) => paths.slice(i + 1).map((b) => [a, b].sort().join(' = '))))
    .filter((pair) => !SAME_WORDS.has(pair));
};

/** Every message of a catalogue by its path, plural forms as one entry each. */
const messagesIn = (node: unknown, path = ''): string[] =>
  isObject(node) ? Object.entries(node).flatMap(([key, child]) => messagesIn(child, path ? `${path}.${key}` : key)) : [path];

describe('the catalogues', () => {
  it.each(LANGUAGES)('%s loads through messagesOf, as UTF-8 JSON with 2-space indents, a final newline and no BOM', (language) => {
    const raw = readFileSync(catalogueUrl(language), 'utf8');
    expect(raw.charCodeAt(0), 'no byte order mark').not.toBe(0xfeff);
    expect(raw).toBe(`${JSON.stringify(JSON.parse(raw), null, 2)}\n`);
    const messages = messagesOf(language);
    expect(isObject(messages)).toBe(true);
    // messagesOf falls back to English for a language it does not know: each language must get its own file.
    if (language !== 'en') expect(messages).not.toBe(messagesOf('en'));
    expect(messagesIn(messages).length).toBeGreaterThan(100);
  });

  it.each(LANGUAGES)(
    '%s has every key English has and no other, no empty message, English’s placeholders, its own plural forms, no English left over',
    (language) => {
      expect(problems(language, messagesOf(language))).toEqual([]);
    },
  );

  it.each(LANGUAGES)('%s names its own language for dates and numbers', (language) => {
    const { locale } = messagesOf(language);
    for (const tag of [locale.dates, locale.numbers]) {
      expect(new Intl.Locale(tag).language).toBe(language);
      expect(Intl.NumberFormat.supportedLocalesOf(tag)).toEqual([tag]);
    }
  });

  it('keeps each message once: no two read the same in every language (one key, read by every place that says it)', () => {
    const catalogues = Object.fromEntries(LANGUAGES.map((language) => [language, messagesOf(language)])) as Record<Language, unknown>;
    expect(keptTwice(catalogues)).toEqual([]);
    // Each exception still names two messages that read the same (else it has gone stale).
    const wordings = wordingsOf(catalogues);
    for (const pair of SAME_WORDS) {
      const [a = '', b = ''] = pair.split(' = ');
      expect(wordings.get(a), pair).toBeDefined();
      expect(wordings.get(a), pair).toBe(wordings.get(b));
    }

    const doctored = Object.fromEntries(
      LANGUAGES.map((language) => {
        const copy = structuredClone(messagesOf(language)) as unknown as Record<string, Record<string, Record<string, Node>>>;
        copy['donations']!['chooser']!['once'] = copy['widget']!['banner']!['once']!;
        copy['donations']!['chooser']!['gifts'] = copy['widget']!['banner']!['gifts']!;
        // The same English only is no copy: the other languages word them apart.
        copy['donations']!['chooser']!['monthly'] = language === 'en' ? 'Monthly' : copy['donations']!['chooser']!['monthly']!;
        return [language, copy];
      }),
    ) as Record<Language, unknown>;
    expect(keptTwice(doctored)).toEqual(['donations.chooser.once = widget.banner.once', 'donations.chooser.gifts = widget.banner.gifts']);
  });

  it("catches a translator's slips in a doctored copy", () => {
    const doctored = structuredClone(messagesOf('uk')) as unknown as Record<string, Record<string, Node>>;
    const chooser = doctored['donations']!['chooser'] as Record<string, Node>;
    delete chooser['continue'];
    chooser['hint'] = 'Від {min} до {maximum}.';
    chooser['optIn'] = '';
    doctored['donations']!['extra'] = 'зайве';
    doctored['page']!['backTo'] = 'Back to {site}';
    doctored['emails']!['receipt'] = 'Квитанція';
    const banner = doctored['widget']!['banner'] as Record<string, Node>;
    delete banner['ask'];
    banner['optIn'] = 'Розсилка {сайт}';
    banner['gifts'] = { one: '{n} внесок', other: '{n} внеску' };
    banner['donors'] = { one: '{n} донор', other: 'донора', two: '{n} донори' };

    expect(problems('uk', doctored)).toEqual([
      'missing widget.banner.ask',
      'widget.banner.optIn: placeholders none, English has {site}',
      'widget.banner.donors: no "few" form (uk has few, many, one, other)',
      'widget.banner.donors: no "many" form (uk has few, many, one, other)',
      'widget.banner.donors.other: placeholders none, English has {n}',
      'widget.banner.donors: "two" is no plural form of uk',
      'widget.banner.gifts: no "few" form (uk has few, many, one, other)',
      'widget.banner.gifts: no "many" form (uk has few, many, one, other)',
      'page.backTo: same as English',
      'missing donations.chooser.continue',
      'donations.chooser.hint: placeholders {maximum} {min}, English has {example} {max} {min}',
      'donations.chooser.optIn: empty',
      'extra donations.extra',
      'emails.receipt: is string, English has a section',
    ]);
    // The copy is the catalogue's own shape again once mended, and the catalogue itself was left as it was.
    expect(problems('uk', messagesOf('uk'))).toEqual([]);
  });

  it('compares plural forms by the plural categories of each language, not by English keys', () => {
    const english = { count: { one: '{n} gift', other: '{n} gifts' }, section: { fallback: 'Other', email: 'Email' } };
    const section = { fallback: 'Otro', email: 'Correo' };
    expect(problems('es', { count: { one: '{n} donativo', many: '{n} de donativos', other: '{n} donativos' }, section }, english)).toEqual([]);
    expect(problems('es', { count: { one: '{n} donativo', other: '{n} donativos' }, section }, english)).toEqual(['count: no "many" form (es has many, one, other)']);
    expect(problems('en', { count: { one: '{n} gift' }, section: english.section }, { ...english, count: { one: '{n} gift' } })).toEqual([
      'count: the English "other" form has no {n}',
      'count: no "other" form (en has one, other)',
      'count.one: placeholders {n}, English has none',
    ]);
  });

  it('tells plural forms from a section by their keys: a section names none for a plural category', () => {
    // With an "other" beside its own keys, a section would read as plural forms once cut down to that key.
    const english = { section: { other: 'Other', email: 'Email' } };
    expect(problems('en', english, english)).toEqual(["section.other: a plural category's name for a key in a section (only plural forms have one)"]);
    expect(problems('es', { section: { other: 'Otro' } }, english)).toEqual(['section: is plural forms, English has a section']);
    expect(problems('es', { count: { one: 'Uno', email: 'Correo' } }, { count: { one: '{n} gift', other: '{n} gifts' } })).toEqual([
      'count: is object, English has plural forms',
    ]);
  });
});
