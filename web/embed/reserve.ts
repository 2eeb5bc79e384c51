// The banner's space, kept from the first paint, so that nothing on the page moves when the widget replaces the
// placeholder's plain HTML (a layout shift, which Core Web Vitals count against the site). The snippet gives the
// placeholder's HTML a minimum height that depends on the placeholder's width (container queries) and language; the
// widget then takes exactly the height the placeholder had (main.ts), so the swap moves nothing as long as the
// widget fits in it. Runs in Node (snippet.ts), never in the widget.
import type { Language } from '../../functions/core/shared/i18n/index.js';

/**
 * The widget's height in em of its font size (--appeal-font-size, 16px unless set), measured per language up to
 * each width of the placeholder (px) with the demo campaign's title (40 characters) and four amounts, rounded up
 * (tests/e2e/embed-cost-browser.test.ts holds the demo article to no shift with these). Past 480 px the banner has
 * its wide layout, whose larger type wraps more in a column just over that width. A longer title, more amounts or
 * a larger font need more: raise the figures in the site's own rules.
 */
const UP_TO = [300, 340, 370, 410, 480, 560, Number.POSITIVE_INFINITY] as const;
const RESERVE_EM: Record<Language, readonly number[]> = {
  en: [23.5, 20, 17, 16, 16, 18.5, 17],
  uk: [23.5, 23.5, 22.5, 18.5, 16, 21.5, 17],
  pl: [25, 23.5, 23.5, 21, 16, 21.5, 17],
  es: [25, 23.5, 21, 21, 17, 24.5, 18.5],
};

/** The rules of one reserve (`ems`, one per width of UP_TO) for the placeholders `selector` picks. */
const rules = (selector: string, ems: readonly number[]) => {
  const rule = (em: number | undefined) => `${selector}>.appeal-banner{min-height:calc(${em} * var(--appeal-font-size, 16px))}`;
  // Widest first: where two apply, the narrower (later) one wins.
  return [rule(ems.at(-1)), ...UP_TO.slice(0, -1).map((width, i) => `@container (max-width:${width}px){${rule(ems[i])}}`).reverse()];
};

/**
 * The rules a site adds for the banner's placeholder: in its own stylesheet, or in a <style> beside the script. A
 * placeholder without data-lang speaks each reader's language: it gets room for the longest, or for the page's own
 * language (`:lang()`, from the page's `lang` attribute) when that is one of ours, as most readers' will be.
 */
export const placeholderCss = (language: Language | undefined): string => {
  const banner = '[data-appeal="banner"]';
  const longest = UP_TO.map((_, i) => Math.max(...Object.values(RESERVE_EM).map((row) => row[i] ?? 0)));
  return [
    `${banner}{display:block;container-type:inline-size}`,
    `${banner}>.appeal-banner{display:block;box-sizing:border-box}`,
    ...(language
      ? rules(banner, RESERVE_EM[language])
      : [...rules(banner, longest), ...Object.entries(RESERVE_EM).flatMap(([lang, ems]) => rules(`${banner}:lang(${lang})`, ems))]),
  ].join('\n');
};
