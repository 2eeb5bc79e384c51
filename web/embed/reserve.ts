// The banner's space, kept from the first paint, so that nothing on the page moves when the widget replaces the
// placeholder's plain HTML (a layout shift, which Core Web Vitals count against the site). The placeholder's HTML
// holds the campaign's title as the widget does, so the title is laid out as the widget lays it out (its font, size,
// line height and room, on the same width): a long title wraps to the same lines in both. Below the title, the
// placeholder's form is given at least the height the widget's progress and choices take, which depends on the
// placeholder's width (container queries) and language. The widget then takes exactly the height the placeholder
// had (main.ts), so the swap moves nothing as long as the widget fits in it. Runs in Node (snippet.ts), never in the
// widget.
import type { Language } from '../../functions/core/shared/i18n/index.js';

/**
 * The widget's height below its title (the title's margin, the progress, the choices and the bottom padding and
 * border) in em of its font size (--appeal-font-size, 16px unless set), the largest per language up to each width
 * of the placeholder (px), with four amounts and a campaign's totals in the tens of thousands (its progress line then
 * wraps where the demo's empty one does not), rounded up to a quarter em:
 * `node --import tsx scripts/measure-reserve.ts` measures them again (tests/e2e/embed-cost-browser.test.ts holds
 * the demo article to no shift with these, with a short title and a long one). Past 480 px the banner has its wide
 * layout, whose larger type wraps more in a column just over that width. More amounts, a long site name or a larger
 * font need more: raise the figures in the site's own rules.
 */
export const UP_TO = [300, 320, 340, 360, 380, 400, 430, 480, 520, 560, 640, Number.POSITIVE_INFINITY] as const;
const BELOW_TITLE_EM: Record<Language, readonly number[]> = {
  en: [20.5, 18, 14.5, 14.5, 13, 13, 13, 13, 18.25, 15.5, 14, 14],
  uk: [24.5, 18, 18, 17, 17, 15.75, 15.75, 13, 18.25, 18.25, 18.25, 14],
  pl: [24.75, 18.25, 18.25, 18.25, 18.25, 18.25, 15.75, 13, 18.25, 18.25, 18.25, 14],
  es: [24.75, 19.75, 19.75, 18.25, 18.25, 17, 17, 14.5, 19.75, 18.25, 18.25, 15.5],
};

/** Up to this width the widget has its compact layout (styles.ts): smaller title, tighter padding. */
const COMPACT = 480;
const FONT = 'var(--appeal-font,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif)';
const SIZE = 'var(--appeal-font-size, 16px)';

const banner = '[data-appeal="banner"]';
const aside = `${banner}>.appeal-banner`;
const title = `${aside}>.appeal-banner-title`;

/**
 * The banner's box and title as the widget has them (styles.ts: `.appeal-banner`, `.appeal-banner-title`), wide and
 * compact: the same padding and border around the same width, the same type, so that the title takes the same lines.
 */
const LAYOUT = [
  `${banner}{display:block;container-type:inline-size}`,
  `${aside}{display:block;box-sizing:border-box;font-family:${FONT};font-size:${SIZE};border:1px solid var(--appeal-border,#d0d0d0);padding:1em 1.25em}`,
  `${title}{font-family:inherit;font-size:1.15em;font-weight:400;font-style:normal;line-height:1.35;letter-spacing:normal;word-spacing:normal;text-transform:none;white-space:normal;overflow-wrap:break-word;margin:0;padding:0 1.75em 0 0;border:0}`,
  `${title}>strong{font-weight:700}`,
  `@container (max-width:${COMPACT}px){${aside}{padding:.75em .85em}${title}{font-size:1em}}`,
];

/** The rules of one reserve (`ems`, one per width of UP_TO) for the placeholders `selector` picks. */
const rules = (selector: string, ems: readonly number[]) => {
  // The form's height: what is below the title, less the banner's own bottom padding and border (LAYOUT).
  const rule = (em: number | undefined, width: number) =>
    `${selector}>.appeal-banner>form{min-height:calc(${(em ?? 0) - (width <= COMPACT ? 0.75 : 1)} * ${SIZE} - 1px)}`;
  // Widest first: where two apply, the narrower (later) one wins.
  return [
    rule(ems.at(-1), Number.POSITIVE_INFINITY),
    ...UP_TO.slice(0, -1)
      .map((width, i) => `@container (max-width:${width}px){${rule(ems[i], width)}}`)
      .reverse(),
  ];
};

/**
 * The rules a site adds for the banner's placeholder: in its own stylesheet, or in a <style> beside the script. A
 * placeholder without data-lang speaks each reader's language: it gets room for the longest, or for the page's own
 * language (`:lang()`, from the page's `lang` attribute) when that is one of ours, as most readers' will be.
 */
export const placeholderCss = (language: Language | undefined): string => {
  const longest = UP_TO.map((_, i) => Math.max(...Object.values(BELOW_TITLE_EM).map((row) => row[i] ?? 0)));
  return [
    ...LAYOUT,
    ...(language
      ? rules(banner, BELOW_TITLE_EM[language])
      : [...rules(banner, longest), ...Object.entries(BELOW_TITLE_EM).flatMap(([lang, ems]) => rules(`${banner}:lang(${lang})`, ems))]),
  ].join('\n');
};
