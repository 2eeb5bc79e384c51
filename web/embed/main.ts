/*
 * Appeal's embed: GET /v1/embed.js. A site adds this script (async) and placeholders where the banner and the
 * signup form go:
 *
 *   <div data-appeal="banner" data-campaign="ukraine" data-lang="uk" data-theme="dark" data-site-name="…">…</div>
 *   <div data-appeal="signup" data-list="news" data-lang="uk" data-site-name="…">…</div>
 *
 * Each placeholder holds HTML that works without JavaScript (`npm run admin -- embed` prints it); this script
 * replaces it with the widget, in an open shadow root, in the reader's language (data-lang, else the browser's
 * languages). It makes no request but to the API it was loaded from (and to Stripe.js, only when a donor pays
 * without leaving the page: data-checkout="embedded"), sets no cookie, keeps only when this browser gave or closed
 * the banner (memory.ts), defines no global and no custom element (a page may load it twice), and leaves a
 * placeholder as it is when anything fails (the campaign cannot be read, the browser is too old): its plain HTML
 * still works.
 *
 * It costs the page little: its work runs in short tasks after the page's own, Intl is readied off the main thread,
 * and the banner keeps the space its placeholder had (reserve.ts), so nothing on the page moves
 * (`npm run bench:embed`).
 */
import { type Language, pickLanguage, type WidgetMessages } from '../../functions/core/shared/i18n/index.js';
import { type Campaign, loadCampaign, loadMessages, type Variant } from './api.js';
import { renderBanner } from './banner.js';
import { focusedElement, mount } from './dom.js';
import { renderSignup } from './signup.js';
import { readyIntl } from './format.js';
import { readMarker, recall, remember, within } from './memory.js';
import { CSS } from './styles.js';

/** The campaign's own appeal (API.md): what readers without JavaScript see. */
const CONTROL = 'control';


/** The API is where this script came from (`https://api.example.org/v1/embed.js?v=…` → `https://api.example.org`). */
const apiOf = (src: string | undefined): string | undefined => {
  if (!src) return undefined;
  const url = new URL(src, document.baseURI);
  const at = url.pathname.lastIndexOf('/v1/embed.js');
  return url.origin + (at >= 0 ? url.pathname.slice(0, at) : '');
};
// Only while the script first runs does the document say which script is running.
const scriptApi = apiOf(document.currentScript instanceof HTMLScriptElement ? document.currentScript.src : undefined);

interface Settings {
  api: string;
  language: Language;
  /** The widget's words in `language`, asked of the API as soon as the script runs (api.ts). */
  words: Promise<WidgetMessages | undefined>;
  siteName: string;
}

const settingsOf = (host: HTMLElement): Settings => {
  const language = pickLanguage(host.dataset.lang, navigator.languages ?? [navigator.language]);
  const api = host.dataset.api?.trim().replace(/\/+$/, '') || scriptApi || '';
  return { api, language, words: loadMessages(api, language), siteName: host.dataset.siteName?.trim() || window.location.hostname };
};

/** What a reader typed into the placeholder's plain form before the script ran, and where they were. */
const typedInto = (host: HTMLElement) => {
  const focused = focusedElement();
  const values = new Map<string, string>();
  for (const input of Array.from(host.querySelectorAll<HTMLInputElement>('input[name="email"], input[name="name"]'))) if (input.value) values.set(input.name, input.value);
  return { values, focusedName: focused instanceof HTMLInputElement && host.contains(focused) ? focused.name : undefined };
};

const enhanceSignup = async (host: HTMLElement, settings: Settings) => {
  const messages = await settings.words;
  if (!messages || host.shadowRoot) return; // its plain HTML keeps working
  const typed = typedInto(host);
  const { element, form } = renderSignup({ ...settings, messages, list: host.dataset.list?.trim() || undefined });
  mount(host, CSS, settings.language, element);
  for (const [name, value] of typed.values) {
    const input = form.elements.namedItem(name);
    if (input instanceof HTMLInputElement) input.value = value;
  }
  const refocus = typed.focusedName && form.elements.namedItem(typed.focusedName);
  if (refocus instanceof HTMLInputElement) refocus.focus();
};

/** One variant per page view, drawn by weight (Math.random: nothing is kept to draw it); the control when none. */
const drawVariant = (c: Campaign): Variant => {
  const all = c.variants.some((v) => v.id === CONTROL) ? c.variants : [{ id: CONTROL, weight: 1 }, ...c.variants];
  let left = Math.random() * all.reduce((sum, v) => sum + v.weight, 0);
  for (const variant of all) {
    left -= variant.weight;
    if (left < 0) return variant;
  }
  return all[0] ?? { id: CONTROL, weight: 1 };
};

/** The height of the placeholder's own HTML, which the banner keeps so that nothing below it moves. */
const contentHeight = (host: HTMLElement) => {
  const style = getComputedStyle(host);
  const edges = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth'] as const;
  return host.getBoundingClientRect().height - edges.reduce((sum, edge) => sum + (Number.parseFloat(style[edge]) || 0), 0);
};

const enhanceBanner = async (host: HTMLElement, settings: Settings) => {
  const id = host.dataset.campaign;
  if (!id) return;
  readMarker(id);
  const loading = Promise.all([loadCampaign(settings.api, id), settings.words, readyIntl(settings.language)]);
  // A page's first read of localStorage loads the site's storage, synchronously: tens of milliseconds on a slow
  // phone. So it has a task of its own, while the campaign is on its way, not a part of the one that draws.
  await nextTask();
  const memory = recall(id);
  const [campaign, messages] = await loading;
  if (!campaign || !messages || host.shadowRoot) return; // its plain HTML keeps working
  // Closed lately: hidden for the campaign's snoozeDays.
  const hide = () => host.style.setProperty('display', 'none', 'important');
  if (campaign.open && within(memory.closed, campaign.snoozeDays)) return hide();
  const banner = renderBanner(campaign, { ...settings, messages, checkout: host.dataset.checkout === 'embedded' ? 'embedded' : 'redirect' }, {
    variant: drawVariant(campaign),
    thanked: campaign.open && within(memory.gave, campaign.thankDays),
    onClose: () => {
      remember(id, 'closed');
      hide();
    },
    onGave: () => remember(id, 'gave'),
  });
  await nextTask();
  // Measured in a frame: a page's stylesheets may still be loading before (the page is not drawn until they are).
  requestAnimationFrame(() => {
    const reserved = contentHeight(host);
    if (reserved > 0) banner.style.minHeight = `${reserved}px`;
    mount(host, CSS, settings.language, banner);
  });
};

/**
 * A new task: the page's own work (its parsing, a reader's tap) runs between the embed's steps, and no step blocks
 * the main thread for long (Total Blocking Time counts each task's part over 50 ms).
 */
const nextTask = (): Promise<void> => {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
};

const seen = new WeakSet<Element>();
const start = () => {
  for (const host of Array.from(document.querySelectorAll<HTMLElement>('[data-appeal]'))) {
    if (seen.has(host) || host.shadowRoot) continue;
    seen.add(host);
    const kind = host.dataset.appeal;
    if (kind !== 'banner' && kind !== 'signup') continue;
    // One placeholder's failure (an element that cannot hold a shadow root, an old browser) is not the page's.
    const run = async () => {
      // Its words are asked for at once, to arrive with the campaign (or from the browser's cache).
      const settings = settingsOf(host);
      await nextTask();
      return kind === 'banner' ? enhanceBanner(host, settings) : enhanceSignup(host, settings);
    };
    run().catch(() => undefined);
  }
};

// Each look in a task of its own, not in the one that evaluated this script or fired DOMContentLoaded (which the
// page's first layout often shares): its first fetch() sets up the browser's fetching, milliseconds on a phone.
const look = () => void nextTask().then(start);
// An async script can run before the rest of the page is parsed: look again once it is.
look();
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', look);
