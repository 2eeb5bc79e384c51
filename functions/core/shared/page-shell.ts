import type { Brand } from './brand.js';
import { fill } from './i18n/format.js';
import { SITE_CSS_PATH } from './stylesheet.js';
import { type Html, html, render } from './template.js';
import { speech } from './words.js';

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
  const { lang, t, sayHtml } = speech(site);
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
${home && html`<footer class="foot"><p><a href="${home}">${sayHtml(t.page.backTo)}</a></p></footer>\n`}</body>
</html>
`);
};

/** A link to the site styled as a button, for pages whose next step is going back (nothing when no URL is known). */
export const homeButton = (site: Brand, label?: string): Html =>
  html`${site.siteUrl && html`<p class="actions"><a class="button" href="${site.siteUrl}">${label ?? fill(speech(site).t.page.backTo, { site: site.siteName })}</a></p>`}`;
