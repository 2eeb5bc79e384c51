// Money and counts in the reader's language, as functions/core/shared/i18n/format.ts writes them for the pages and
// emails (tests/unit/web/embed/format.test.ts holds the two to the same output), with each Intl object made once:
// an Intl constructor costs a millisecond or more on a slow phone, and a banner formats a dozen figures.
import type { Plural } from '../../functions/core/shared/i18n/index.js';

const made = new Map<string, Intl.NumberFormat | Intl.PluralRules>();
const once = <T extends Intl.NumberFormat | Intl.PluralRules>(key: string, make: () => T): T => {
  const kept = made.get(key) as T | undefined;
  if (kept) return kept;
  const value = make();
  made.set(key, value);
  return value;
};

/** A currency's minor-unit digits (2 for USD, 0 for JPY), from Intl. */
export const minorDigits = (locale: string, currency: string): number =>
  once(`d${locale}${currency}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency })).resolvedOptions().maximumFractionDigits ?? 2;

/** Money held in minor units, exactly, without a needless ".00": formatAmount's output. */
export const money = (locale: string, minor: number, currency: string): string =>
  once(`m${locale}${currency}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency, trailingZeroDisplay: 'stripIfInteger' })).format(
    minor / 10 ** minorDigits(locale, currency),
  );

/** "1 donor", "3 донори": formatCount's output. */
export const count = (locale: string, n: number, forms: Plural): string =>
  (forms[once(`p${locale}`, () => new Intl.PluralRules(locale)).select(n)] ?? forms.other).replace(
    '{n}',
    once(`n${locale}`, () => new Intl.NumberFormat(locale)).format(n),
  );

/**
 * Readies Intl off the main thread: the first Intl.NumberFormat of a page sets up the browser's ICU number
 * formatting, 70-120 ms of one task on a phone, and that set-up is shared by the page and its workers. So a
 * throwaway worker makes one, and the banner's own are then nearly free. Resolves when it has, or at once when the
 * page's Content Security Policy allows no `blob:` worker (the banner then pays the set-up itself), or after a
 * second at most.
 */
export const readyIntl = (locale: string): Promise<void> =>
  new Promise((resolve) => {
    let worker: Worker | undefined;
    let url = '';
    const done = () => {
      worker?.terminate();
      if (url) URL.revokeObjectURL(url);
      resolve();
    };
    try {
      url = URL.createObjectURL(
        new Blob([`new Intl.NumberFormat(${JSON.stringify(locale)},{style:"currency",currency:"USD"}).format(1);postMessage(0)`], { type: 'text/javascript' }),
      );
      worker = new Worker(url);
      worker.onmessage = worker.onerror = done;
      setTimeout(done, 1000);
    } catch {
      done();
    }
  });
