import { type Brand, DEFAULT_COLORS } from './brand.js';
import { type Messages, messagesOf } from './i18n/catalogue.js';
import { fill } from './i18n/format.js';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from './i18n/index.js';
import { fillHtml, type Html, html, render } from './template.js';

export { type Brand, DEFAULT_COLORS, defaultBrand } from './brand.js';

const HEX = /^#[0-9a-f]{6}$/i;

/** The brand with colours fit for a stylesheet: anything but #rrggbb (the config schema allows nothing else) is the default. */
export const toBrand = (site: Brand): Brand => {
  return { ...site, color: HEX.test(site.color) ? site.color : DEFAULT_COLORS.color, accent: HEX.test(site.accent) ? site.accent : DEFAULT_COLORS.accent };
};

/** The language a page for `site` speaks, its messages, and `say` to fill one of them as plain text (a template escapes it). */
export const speech = (site: Brand) => {
  const lang: Language = isLanguage(site.lang) ? site.lang : DEFAULT_LANGUAGE;
  const t: Messages = messagesOf(lang);
  return { lang, t, say: (template: string, values: Readonly<Record<string, string | number>> = {}) => fill(template, values) };
};

/** WCAG 2 relative luminance of `#rrggbb`. */
const luminance = (hex: string) => {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
export const contrastRatio = (a: string, b: string) => {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
};
const WHITE = '#ffffff';
const INK = '#1a1a1a';
/** White or near-black, whichever reads better on `background`. */
export const textOn = (background: string) => (contrastRatio(background, WHITE) >= contrastRatio(background, INK) ? WHITE : INK);
/** The colour itself for text on white when it is readable there (WCAG AA, 4.5:1), else near-black. */
const inkOnWhite = (color: string) => (contrastRatio(color, WHITE) >= 4.5 ? color : INK);

/** The colours a page or an email paints with, each readable on what it sits on whatever the configured pair. */
export const palette = (brand: Brand) => {
  const { color, accent } = toBrand(brand);
  return { color, onColor: textOn(color), accent, onAccent: textOn(accent), ink: INK, link: inkOnWhite(color), accentInk: inkOnWhite(accent), muted: '#4a5260' };
};

const stylesheets = new Map<string, string>();

/** Where the pages' stylesheet is served (by the catch-all function, with the favicon). */
export const SITE_CSS_PATH = '/v1/site.css';

/**
 * The one stylesheet of every page we host (choosers, thank-you pages, confirm, unsubscribe, errors, 404), with
 * the brand's colours baked in. Served by the catch-all function at SITE_CSS_PATH (cached by browsers for an hour)
 * and linked from each page, rather than inlined: inlined, its 4.5 KiB would sit in the bundle and the cold start
 * of every function that renders a page (issue 8's budget), for a saving of one cached request. The pages' policy
 * allows styles from our own origin only (see pagePolicy), and the pages carry no `style` attributes.
 */
export const stylesheet = (site: Brand): string => {
  const p = palette(toBrand(site));
  const key = `${p.color}${p.accent}`;
  const cached = stylesheets.get(key);
  if (cached) return cached;
  const css = `:root{--brand:${p.color};--on-brand:${p.onColor};--accent:${p.accent};--on-accent:${p.onAccent};--link:${p.link};--accent-ink:${p.accentInk};--ink:${p.ink};--muted:${p.muted};--error:#b00020}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#eef0f4;color:var(--ink);font:1.0625rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;overflow-wrap:anywhere}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--accent-ink);outline-offset:2px}
.masthead{background:var(--brand);border-bottom:4px solid var(--accent)}
.masthead>*{display:flex;align-items:center;gap:.6rem;max-width:40rem;margin:0 auto;padding:.75rem 1rem;color:var(--on-brand);text-decoration:none;font:700 1.35rem/1.2 Georgia,"Times New Roman",serif}
.masthead img{display:block;height:2.25rem;width:auto;max-width:60%}
main{display:block;max-width:40rem;margin:1.25rem auto;padding:1.25rem 1rem 1.5rem;background:#fff}
@media (min-width:42rem){main{margin:2rem auto;padding:1.75rem 2rem 2rem;border-radius:4px}}
h1{margin:0 0 1rem;color:var(--link);font:700 1.7rem/1.2 Georgia,"Times New Roman",serif}
h2{margin:1.5rem 0 .5rem;font-size:1.15rem}
p{margin:0 0 1rem}
.lead{font-size:1.15rem}
.muted,.hint{color:var(--muted);font-size:.92rem}
.hint{margin:0 0 .35rem}
button,.button{display:inline-block;min-height:2.75rem;padding:.55rem 1.2rem;border:2px solid var(--accent);border-radius:4px;background:var(--accent);color:var(--on-accent);font:inherit;font-weight:600;line-height:1.4;text-align:center;text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:#fff;color:var(--accent-ink)}
.amounts button{background:#fff;color:var(--accent-ink);width:100%}
.amounts button:hover,.button.secondary:hover{background:var(--accent);color:var(--on-accent)}
.amounts{display:grid;grid-template-columns:repeat(auto-fill,minmax(6.25rem,1fr));gap:.5rem}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1.25rem 0 0}
.field{margin:0 0 1.1rem}
label,legend{display:block;margin:0 0 .3rem;padding:0;font-weight:600}
input{font:inherit;color:inherit}
input:not([type=radio]):not([type=checkbox]){width:100%;max-width:24rem;min-height:2.75rem;padding:.5rem .7rem;border:1px solid #6b7280;border-radius:4px;background:#fff}
input[aria-invalid=true]{border:2px solid var(--error)}
.row{display:flex;flex-wrap:wrap;gap:.5rem}
.row input:not([type=radio]):not([type=checkbox]){flex:1 1 9rem;width:auto}
fieldset{margin:0 0 1.25rem;padding:0;border:0;min-width:0}
.choice{display:flex;align-items:flex-start;gap:.55rem;margin:.35rem 0;font-weight:400}
.choice input{flex:none;width:1.25rem;height:1.25rem;margin:.15rem 0 0;accent-color:var(--accent)}
.options{display:flex;flex-wrap:wrap;gap:0 1.75rem}
.field-error{margin:.2rem 0 .35rem;color:var(--error);font-weight:600}
.alert,.notice{margin:0 0 1.25rem;padding:.75rem 1rem;border-left:5px solid var(--error);background:#fdf1f2}
.notice{border-color:var(--link);background:#f0f3f8}
.alert>:last-child,.notice>:last-child{margin-bottom:0}
progress{display:block;width:100%;height:.8rem;margin:.25rem 0 1.25rem;accent-color:var(--accent)}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.default-submit{position:absolute;width:1px;height:1px;min-height:0;padding:0;margin:-1px;overflow:hidden;clip-path:inset(50%);border:0}
.foot{max-width:40rem;margin:0 auto 2rem;padding:0 1rem;color:var(--muted);font-size:.92rem}`;
  stylesheets.set(key, css);
  return css;
};

/** An origin fit for a CSP source list (scheme, host, port), or undefined. */
const originOf = (url: string) => {
  try {
    const { origin } = new URL(url);
    return /^https?:\/\/[a-z0-9.[\]:-]+$/i.test(origin) ? origin : undefined;
  } catch {
    return undefined;
  }
};

export interface PagePolicyOptions {
  /** `'sha256-…'` sources of the page's inline scripts. */
  scriptHashes?: readonly string[] | undefined;
  /**
   * Where the page's forms may go, redirects included: browsers check `form-action` on the redirect after a
   * form post too, so a form answered with a 303 to Stripe Checkout or to a configured page on the site needs
   * that target listed. Default `'self'`.
   */
  formAction?: readonly string[] | undefined;
}

/**
 * The Content-Security-Policy of one of our pages, read from the page itself: its inline `<style>` elements by
 * hash (no `'unsafe-inline'`), images from our own origin and the origins of the `<img>` it names (the site's
 * logo), scripts only by hash, nothing else fetched, framed or posted elsewhere.
 */
export const pagePolicy = (body: string, options: PagePolicyOptions = {}): string => {
  // The pages' one stylesheet, from our origin; no inline style (no `<style>`, no `style` attribute) is allowed.
  const styles = body.includes(`<link rel="stylesheet" href="${SITE_CSS_PATH}">`) ? ["'self'"] : [];
  const images = new Set<string>();
  for (const m of body.matchAll(/<img [^>]*?src="([^"]+)"/g)) {
    const origin = originOf((m[1] ?? '').replace(/&amp;/g, '&'));
    if (origin) images.add(origin);
  }
  const forms = options.formAction?.length ? options.formAction : ["'self'"];
  return [
    "default-src 'none'",
    `style-src ${styles.length ? styles.join(' ') : "'none'"}`,
    `img-src 'self'${[...images].map((o) => ` ${o}`).join('')}`,
    `form-action ${forms.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    ...(options.scriptHashes?.length ? [`script-src ${options.scriptHashes.join(' ')}`] : []),
  ].join('; ');
};

export interface PageOptions {
  /** Shown in the title bar before the title (WCAG: a page that reports an error says so in its title). */
  titlePrefix?: string | undefined;
}

/**
 * A page in the publication's style: the masthead (logo or name, linking home), the content under one `<h1>`,
 * and a way back to the site in the footer. Its stylesheet from our own origin, no external asset but the
 * site's logo, so it renders under the strict policy of pagePolicy; readable from 320 px wide.
 */
export const page = (title: string, body: Html, site: Brand, options: PageOptions = {}): string => {
  const home = site.siteUrl;
  const { lang, t } = speech(site);
  const mark = html`${site.logoUrl && html`<img src="${site.logoUrl}" alt="" height="36">`}<span>${site.siteName}</span>`;
  return render(html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${options.titlePrefix && `${options.titlePrefix} `}${title} · ${site.siteName}</title>
${site.iconUrl && html`<link rel="icon" href="${site.iconUrl}">\n`}<link rel="stylesheet" href="${SITE_CSS_PATH}">
</head>
<body>
<header class="masthead">${home ? html`<a href="${home}">${mark}</a>` : html`<div>${mark}</div>`}</header>
<main>
<h1>${title}</h1>
${body}
</main>
${home && html`<footer class="foot"><p><a href="${home}">${fillHtml(t.page.backTo, { site: site.siteName })}</a></p></footer>\n`}</body>
</html>
`);
};

/** A link to the site styled as a button, for pages whose next step is going back (nothing when no URL is known). */
export const homeButton = (site: Brand, label?: string): Html =>
  html`${site.siteUrl && html`<p class="actions"><a class="button" href="${site.siteUrl}">${label ?? fill(speech(site).t.page.backTo, { site: site.siteName })}</a></p>`}`;

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
