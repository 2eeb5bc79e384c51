// The words of a page: its language, its messages, and how long to wait, in the language of the page's site.
import type { Brand } from './brand.js';
import { type Messages, messagesOf } from './i18n/catalogue.js';
import { fill } from './i18n/format.js';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from './i18n/index.js';
import { fillHtml, type Html } from './template.js';

/**
 * The language a page for `site` speaks, its messages, `say` to fill one of them as plain text (a template escapes
 * it), and `sayHtml` to fill one as HTML, its `{site}` the site's name unless `values` say otherwise.
 */
export const speech = (site: Brand) => {
  const lang: Language = isLanguage(site.lang) ? site.lang : DEFAULT_LANGUAGE;
  const t: Messages = messagesOf(lang);
  return {
    lang,
    t,
    say: (template: string, values: Readonly<Record<string, string | number>> = {}) => fill(template, values),
    sayHtml: (template: string, values: Readonly<Record<string, string | Html>> = {}) => fillHtml(template, { site: site.siteName, ...values }),
  };
};

/**
 * "12 seconds", "1 minute", "about 3 hours" (or "12 секунд", "mniej więcej 3 godziny"): how long to wait, for a page that
 * answers 429 (its Retry-After), in the language of `site` (English without one) with Intl's own unit names and plural forms.
 */
export const waitInWords = (seconds: number, site?: Brand): string => {
  const { lang, t } = site ? speech(site) : { lang: DEFAULT_LANGUAGE, t: messagesOf(DEFAULT_LANGUAGE) };
  const s = Math.max(1, Math.ceil(seconds));
  const unit = (n: number, name: 'second' | 'minute' | 'hour') => new Intl.NumberFormat(lang, { style: 'unit', unit: name, unitDisplay: 'long' }).format(n);
  if (s < 60) return unit(s, 'second');
  if (s < 3600) return unit(Math.ceil(s / 60), 'minute');
  return fill(t.page.about, { duration: unit(Math.ceil(s / 3600), 'hour') });
};
