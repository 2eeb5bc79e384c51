// The HTML a site adds to embed Appeal: the script tag (pinned to one build by its version and integrity hash) and
// the placeholders, each holding HTML that works without JavaScript. `npm run admin -- embed` prints it, and the
// dev server's demo article embeds exactly this. Runs in Node (the CLI, the dev server), never in the widget.
import { scriptIdentity } from '../../functions/core/embed/script.js';
import { messagesOf } from '../../functions/core/shared/i18n/catalogue.js';
import { fill, formatAmount } from '../../functions/core/shared/i18n/format.js';
import type { Language } from '../../functions/core/shared/i18n/index.js';
import { html, join, render } from '../../functions/core/shared/template.js';
import { placeholderCss } from './reserve.js';

export const THEMES = ['light', 'dark', 'auto'] as const;
export type Theme = (typeof THEMES)[number];

export interface SnippetCampaign {
  id: string;
  title: string;
  currency: string;
  suggestedAmounts: readonly number[];
}

export interface SnippetOptions {
  /** The API's base URL, without a trailing slash. */
  api: string;
  /** The served script's version and integrity value (functions/core/embed/script.ts). */
  script: { version: string; integrity: string };
  /** The publication's name, in the wording ("Join the … mailing list"). */
  siteName: string;
  /** The banner's campaign; no banner without one. */
  campaign?: SnippetCampaign | undefined;
  /** The signup form's list: `null` for the site's default list; no form when undefined. */
  list?: string | null | undefined;
  /** data-lang; when unset each reader gets their browser's language (the no-JavaScript HTML is in English). */
  language?: Language | undefined;
  theme?: Theme | undefined;
}

export interface Snippet {
  script: string;
  /**
   * The banner's space (reserve.ts): rules for the site's stylesheet, here as a <style> for the <head>, and the
   * `<link rel="expect">` that keeps the page from being painted before the banner's placeholder is all parsed.
   */
  style?: string;
  banner?: string;
  signup?: string;
}

const attributes = (values: Record<string, string | undefined>) =>
  Object.entries(values)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => html` ${name}="${value}"`);
/** An id fragment from a campaign or list id (lowercase letters, digits, dashes already; anything else dropped). */
const slug = (id: string) => id.toLowerCase().replace(/[^a-z0-9-]/g, '');

const placeholder = (kind: 'banner' | 'signup', o: SnippetOptions, own: Record<string, string | undefined>) =>
  html`<div${attributes({ 'data-appeal': kind, ...own, 'data-lang': o.language, 'data-theme': o.theme, 'data-site-name': o.siteName })}>`;

/** The banner without JavaScript: a form that GETs /v1/donate, one button per amount, as the widget lays it out. */
const bannerHtml = (o: SnippetOptions, c: SnippetCampaign) => {
  const language = o.language ?? 'en';
  const t = messagesOf(language).widget.banner;
  const id = `appeal-banner-${slug(c.id)}-title`;
  const hidden = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
  return join(
    [
      placeholder('banner', o, { 'data-campaign': c.id }),
      html`<aside class="appeal-banner" aria-labelledby="${id}">`,
      html`  <p id="${id}" class="appeal-banner-title"><strong>${c.title}</strong> – ${t.ask}</p>`,
      html`  <form class="appeal-give" method="get" action="${o.api}/v1/donate">`,
      html`    ${hidden('campaign', c.id)}`,
      html`    ${hidden('currency', c.currency)}`,
      ...(o.language ? [html`    ${hidden('lang', o.language)}`] : []),
      // Attribution (API.md): readers without JavaScript see the campaign's own appeal, the control.
      html`    ${hidden('component', 'banner')}`,
      html`    ${hidden('variant', 'control')}`,
      // Enter on a radio or the checkbox presses the first button: the amount chooser page, never a gift.
      html`    <button type="submit" hidden></button>`,
      html`    <div class="appeal-options">`,
      html`      <fieldset class="appeal-frequency"><legend>${t.frequency}</legend>`,
      html`        <label><input type="radio" name="frequency" value="once" checked> ${t.once}</label>`,
      html`        <label><input type="radio" name="frequency" value="monthly"> ${t.monthly}</label>`,
      html`      </fieldset>`,
      html`      <label class="appeal-optin"><input type="checkbox" name="subscribe" value="true"> ${fill(t.optIn, { site: o.siteName })}</label>`,
      html`    </div>`,
      html`    <div class="appeal-amounts" role="group" aria-label="${t.amounts}">`,
      ...c.suggestedAmounts.map(
        (amount) =>
          html`      <button type="submit" name="amount" value="${amount}">${formatAmount(language, amount, c.currency)}<span class="appeal-per-month"> ${t.perMonth}</span></button>`,
      ),
      html`      <button type="submit" class="appeal-other">${t.otherShort}<span class="appeal-wide"> ${t.otherRest}</span></button>`,
      html`    </div>`,
      html`  </form>`,
      html`  <span id="${endOf(c)}" hidden></span>`,
      html`</aside>`,
      html`</div>`,
    ],
    '\n',
  );
};

/**
 * The banner placeholder's last element, which the snippet's `<link rel="expect" blocking="render">` waits for: a
 * page whose HTML arrives in parts (a network's packets, or a parser that yields on a slow phone) is not painted
 * with half a placeholder, whose rest would then move what was painted (a layout shift).
 */
const endOf = (c: SnippetCampaign) => `appeal-banner-${slug(c.id)}-end`;

/** The signup form without JavaScript: a plain form that POSTs /v1/subscriptions (the API answers with a page). */
const signupHtml = (o: SnippetOptions, list: string | null) => {
  const language = o.language ?? 'en';
  const t = messagesOf(language).widget.signup;
  const prefix = `appeal-signup-${slug(list ?? 'default')}`;
  return join(
    [
      placeholder('signup', o, { 'data-list': list ?? undefined }),
      html`<section class="appeal-signup" aria-labelledby="${prefix}-title">`,
      html`  <h2 id="${prefix}-title">${fill(t.title, { site: o.siteName })}</h2>`,
      html`  <p>${t.intro}</p>`,
      html`  <form data-appeal-signup method="post" action="${o.api}/v1/subscriptions">`,
      html`    <div class="field">`,
      html`      <label for="${prefix}-email">${t.email}</label>`,
      html`      <input id="${prefix}-email" name="email" type="email" autocomplete="email" required maxlength="254">`,
      html`    </div>`,
      html`    <div class="field">`,
      html`      <label for="${prefix}-name">${t.name} <span class="optional">${t.optional}</span></label>`,
      html`      <input id="${prefix}-name" name="name" type="text" autocomplete="name" maxlength="100">`,
      html`    </div>`,
      ...(list ? [html`    <input type="hidden" name="lists" value="${list}">`] : []),
      ...(o.language ? [html`    <input type="hidden" name="lang" value="${o.language}">`] : []),
      html`    <input type="hidden" name="component" value="form">`,
      html`    <div class="appeal-hp" aria-hidden="true">`,
      html`      <label for="${prefix}-website">${t.honeypot}</label>`,
      html`      <input id="${prefix}-website" name="website" type="text" tabindex="-1" autocomplete="off">`,
      html`    </div>`,
      html`    <p class="consent" id="${prefix}-consent">${fill(t.consent, { site: o.siteName })}</p>`,
      html`    <button type="submit" aria-describedby="${prefix}-consent">${t.submit}</button>`,
      html`  </form>`,
      html`</section>`,
      html`</div>`,
    ],
    '\n',
  );
};

export const embedSnippet = (o: SnippetOptions): Snippet => ({
  script: render(html`<script src="${o.api}/v1/embed.js?v=${o.script.version}" integrity="${o.script.integrity}" crossorigin="anonymous" async></script>`),
  ...(o.campaign
    ? {
        style: `<style>\n${placeholderCss(o.language)}\n</style>\n${render(html`<link rel="expect" href="#${endOf(o.campaign)}" blocking="render">`)}`,
        banner: render(bannerHtml(o, o.campaign)),
      }
    : {}),
  ...(o.list !== undefined ? { signup: render(signupHtml(o, o.list)) } : {}),
});

/** The whole snippet as the CLI prints it: each part with a line saying where it goes. */
export const snippetText = (snippet: Snippet): string =>
  [
    '<!-- Appeal: the script, once per page, anywhere (in <head>, or before </body>). -->',
    snippet.script,
    ...(snippet.style
      ? ['', "<!-- Appeal: the banner's space, so that nothing on the page moves when it appears. In <head> (the rules may go in your own stylesheet instead; the link holds the first paint until the banner's HTML is all there, so keep it to pages with the banner). -->", snippet.style]
      : []),
    ...(snippet.banner ? ['', '<!-- Appeal: the donation banner, where it should appear. -->', snippet.banner] : []),
    ...(snippet.signup ? ['', '<!-- Appeal: the mailing-list form, where it should appear. -->', snippet.signup] : []),
    '',
  ].join('\n');

export class EmbedSourceError extends Error {
  override name = 'EmbedSourceError';
}

/**
 * The snippet for the API at `api`, from what it serves now: the script's bytes (hashed here, as a browser will)
 * and the campaign's title, currency and amounts. So a snippet always matches the deployed script.
 */
export const fetchEmbedSnippet = async (
  o: Omit<SnippetOptions, 'script' | 'campaign'> & { campaign?: string | undefined },
  fetcher: typeof fetch = fetch,
): Promise<Snippet> => {
  const get = async (path: string) => {
    try {
      return await fetcher(`${o.api}${path}`, { headers: { accept: path.endsWith('.js') ? 'text/javascript' : 'application/json' } });
    } catch (error) {
      throw new EmbedSourceError(`could not reach the API at ${o.api}`, { cause: error });
    }
  };
  const served = await get('/v1/embed.js');
  if (!served.ok) throw new EmbedSourceError(`the API at ${o.api} answered ${served.status} for /v1/embed.js: is it deployed with the embed function?`);
  // The bytes, as a browser hashes them for the integrity check (text() would decode them, and drop a BOM).
  const script = scriptIdentity(new Uint8Array(await served.arrayBuffer()));
  let campaign: SnippetCampaign | undefined;
  if (o.campaign !== undefined) {
    const found = await get(`/v1/campaigns/${encodeURIComponent(o.campaign)}`);
    if (found.status === 404) throw new EmbedSourceError(`there is no campaign ${o.campaign} (create it with: campaign create --id ${o.campaign} …)`);
    if (!found.ok) throw new EmbedSourceError(`the API at ${o.api} answered ${found.status} for the campaign ${o.campaign}`);
    const c: unknown = await found.json();
    const field = (name: string): unknown => (typeof c === 'object' && c !== null ? Object.getOwnPropertyDescriptor(c, name)?.value : undefined);
    const [title, currency, amounts] = [field('title'), field('currency'), field('suggestedAmounts')];
    if (typeof title !== 'string' || typeof currency !== 'string') throw new EmbedSourceError(`the campaign ${o.campaign} came back without a title or currency`);
    const suggestedAmounts = Array.isArray(amounts) ? amounts.filter((a): a is number => Number.isSafeInteger(a) && a > 0) : [];
    campaign = { id: o.campaign, title, currency, suggestedAmounts };
  }
  return embedSnippet({ ...o, script, campaign });
};
