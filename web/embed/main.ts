/*
 * Appeal's embed: GET /v1/embed.js. A site adds this script (async) and placeholders where the banner and the
 * signup form go:
 *
 *   <div data-appeal="banner" data-campaign="ukraine" data-lang="uk" data-theme="dark" data-site-name="…">…</div>
 *   <div data-appeal="signup" data-list="news" data-lang="uk" data-site-name="…">…</div>
 *
 * Each placeholder holds HTML that works without JavaScript (`npm run admin -- embed` prints it); this script
 * replaces it with the widget, in an open shadow root, in the reader's language (data-lang, else the browser's
 * languages). It makes no request but to the API it was loaded from, sets no cookie, stores nothing, defines no
 * global and no custom element (a page may load it twice), and leaves a placeholder as it is when anything fails
 * (the campaign cannot be read, the browser is too old): its plain HTML still works.
 */
import { type Language, pickLanguage, type WidgetMessages } from '../../functions/core/shared/i18n/index.js';
// Each catalogue's `widget` section only: esbuild makes each top-level key of a JSON file an export of its own and
// leaves out those nothing imports, so the pages' and emails' words stay out of the script
// (tests/unit/web/embed/build.test.ts).
import { widget as en } from '../../functions/core/shared/i18n/messages/en.json';
import { widget as es } from '../../functions/core/shared/i18n/messages/es.json';
import { widget as pl } from '../../functions/core/shared/i18n/messages/pl.json';
import { widget as uk } from '../../functions/core/shared/i18n/messages/uk.json';
import { loadCampaign } from './api.js';
import { renderBanner } from './banner.js';
import { focusedElement, mount } from './dom.js';
import { renderSignup } from './signup.js';
import { CSS } from './styles.js';

const CATALOGUES: Record<Language, WidgetMessages> = { en, uk, pl, es };

/** The API is where this script came from (`https://api.example.org/v1/embed.js?v=…` → `https://api.example.org`). */
const apiOf = (src: string | undefined): string | undefined => {
  if (!src) return undefined;
  const url = new URL(src, document.baseURI);
  const at = url.pathname.lastIndexOf('/v1/embed.js');
  return url.origin + (at >= 0 ? url.pathname.slice(0, at) : '');
};
// Only while the script first runs does the document say which script is running.
const scriptApi = apiOf(document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : undefined);

const settingsOf = (host: HTMLElement) => {
  const language = pickLanguage(host.dataset.lang, navigator.languages ?? [navigator.language]);
  return {
    api: host.dataset.api?.trim().replace(/\/+$/, '') || scriptApi || '',
    language,
    messages: CATALOGUES[language],
    siteName: host.dataset.siteName?.trim() || window.location.hostname,
  };
};

/** What a reader typed into the placeholder's plain form before the script ran, and where they were. */
const typedInto = (host: HTMLElement) => {
  const focused = focusedElement();
  const values = new Map<string, string>();
  for (const input of Array.from(host.querySelectorAll<HTMLInputElement>('input[name="email"], input[name="name"]'))) if (input.value) values.set(input.name, input.value);
  return { values, focusedName: focused instanceof HTMLInputElement && host.contains(focused) ? focused.name : undefined };
};

const enhanceSignup = (host: HTMLElement) => {
  const settings = settingsOf(host);
  const typed = typedInto(host);
  const { element, form } = renderSignup({ ...settings, list: host.dataset.list?.trim() || undefined });
  mount(host, CSS, settings.language, element);
  for (const [name, value] of typed.values) {
    const input = form.elements.namedItem(name);
    if (input instanceof HTMLInputElement) input.value = value;
  }
  const refocus = typed.focusedName && form.elements.namedItem(typed.focusedName);
  if (refocus instanceof HTMLInputElement) refocus.focus();
};

const enhanceBanner = async (host: HTMLElement) => {
  const settings = settingsOf(host);
  const campaign = host.dataset.campaign ? await loadCampaign(settings.api, host.dataset.campaign) : undefined;
  if (!campaign || host.shadowRoot) return; // its plain HTML keeps working
  mount(host, CSS, settings.language, renderBanner(campaign, settings));
};

const seen = new WeakSet<Element>();
const start = () => {
  for (const host of Array.from(document.querySelectorAll<HTMLElement>('[data-appeal]'))) {
    if (seen.has(host) || host.shadowRoot) continue;
    seen.add(host);
    const kind = host.dataset.appeal;
    // One placeholder's failure (an element that cannot hold a shadow root, an old browser) is not the page's.
    const run = async () => (kind === 'banner' ? enhanceBanner(host) : kind === 'signup' ? enhanceSignup(host) : undefined);
    run().catch(() => undefined);
  }
};

// An async script can run before the rest of the page is parsed: look again once it is.
start();
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
