// The embed's calls to the Appeal API (API.md): cross-origin, with CORS, never with cookies.
import type { Language, WidgetMessages } from '../../functions/core/shared/i18n/index.js';

/** The version of the words this script was built with (web/embed/build.ts): their URL, cached for a year. */
declare const EMBED_MESSAGES_VERSION: string;

export interface ApiError {
  code?: string;
  message?: string;
  field?: string;
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  error: ApiError | undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {});
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

const answer = async (response: Response): Promise<Answer> => {
  const body = record(await response.json().catch(() => ({})));
  const error = record(body.error);
  return {
    status: response.status,
    body,
    error: body.error === undefined ? undefined : { code: text(error.code), message: text(error.message), field: text(error.field) },
  };
};

/** A JSON POST (the API answers CORS preflights for the site's origins). Throws only when the API is unreachable. */
export const postJson = async (url: string, payload: unknown): Promise<Answer> =>
  answer(
    await fetch(url, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload),
    }),
  );

/** One version of the appeal (API.md, "Attribution and appeal experiments"); what it leaves out is the campaign's. */
export interface Variant {
  id: string;
  weight: number;
  headline?: string | undefined;
  ask?: string | undefined;
  amounts?: number[] | undefined;
  frequency?: Frequency | undefined;
}

export type Frequency = 'once' | 'monthly';

export interface Campaign {
  id: string;
  title: string;
  currency: string;
  goal: number;
  raised: number;
  donations: number;
  donors: number;
  open: boolean;
  suggestedAmounts: number[];
  /** The appeal's settings (API.md, "The appeal"); what an older API leaves out reads as the contract's defaults. */
  defaultFrequency: Frequency;
  /** One-time amount → the monthly amount offered instead, smallest amount first; empty: no monthly ask. */
  upsell: { amount: number; monthly: number }[];
  thankDays: number;
  snoozeDays: number;
  /** The card fee a donor may cover for this currency (`total = ceil((amount + fixed) / (1 − rate))`); none: no box. */
  fee: { rate: number; fixed: number } | undefined;
  /** Empty when the API names none: then only the control is shown. */
  variants: Variant[];
  /** Dates a reader may ask to be reminded on (YYYY-MM-DD), with their names; empty: "next month" only. */
  reminderDates: { date: string; name: string }[];
}

const count = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);
const amounts = (value: unknown) => (Array.isArray(value) ? value.map(count).filter((a): a is number => a !== undefined && a > 0) : []);
const frequency = (value: unknown): Frequency | undefined => (value === 'once' || value === 'monthly' ? value : undefined);
const days = (value: unknown, fallback: number) => count(value) ?? fallback;
const list = (value: unknown) => (Array.isArray(value) ? value.map(record) : []);

const variantsOf = (value: unknown): Variant[] =>
  list(value).flatMap((v) => {
    const id = text(v.id);
    const weight = typeof v.weight === 'number' && v.weight > 0 && Number.isFinite(v.weight) ? v.weight : undefined;
    if (!id || weight === undefined) return [];
    const shown = amounts(v.amounts);
    return [{ id, weight, headline: text(v.headline), ask: text(v.ask), amounts: shown.length ? shown : undefined, frequency: frequency(v.frequency) }];
  });

const feeOf = (value: unknown) => {
  const fee = record(value);
  const rate = fee.rate;
  const fixed = count(fee.fixed);
  return typeof rate === 'number' && rate >= 0 && rate < 1 && fixed !== undefined ? { rate, fixed } : undefined;
};

const asked = new Map<string, Promise<WidgetMessages | undefined>>();
/**
 * GET /v1/embed.js?messages={lang}: the widget's words in one language, once per page for all its placeholders;
 * undefined when unavailable (the placeholders then keep their plain HTML).
 */
export const loadMessages = (api: string, language: Language): Promise<WidgetMessages | undefined> => {
  const url = `${api}/v1/embed.js?messages=${language}&v=${EMBED_MESSAGES_VERSION}`;
  let words = asked.get(url);
  if (!words) {
    words = fetch(url, { credentials: 'omit' })
      .then((response) => (response.ok ? response.json() : undefined))
      .then((body) => (isRecord(body) && isRecord(body.banner) && isRecord(body.signup) ? (body as unknown as WidgetMessages) : undefined))
      .catch(() => undefined);
    asked.set(url, words);
  }
  return words;
};

/** GET /v1/campaigns/{id}, revalidated (a reader back from checkout sees their gift); undefined when unavailable. */
export const loadCampaign = async (api: string, id: string): Promise<Campaign | undefined> => {
  try {
    const response = await fetch(`${api}/v1/campaigns/${encodeURIComponent(id)}`, {
      cache: 'no-cache',
      credentials: 'omit',
      headers: { accept: 'application/json' },
    });
    if (!response.ok) return undefined;
    const c = record(await response.json());
    const title = text(c.title);
    const currency = text(c.currency);
    const [goal, raised, donations, donors] = [c.goal, c.raised, c.donations, c.donors].map(count);
    if (!title || !currency || !/^[a-z]{3}$/.test(currency) || goal === undefined || raised === undefined || donations === undefined || donors === undefined) {
      return undefined;
    }
    return {
      id,
      title,
      currency,
      goal,
      raised,
      donations,
      donors,
      open: c.open !== false,
      suggestedAmounts: amounts(c.suggestedAmounts),
      defaultFrequency: frequency(c.defaultFrequency) ?? 'once',
      upsell: list(c.upsell)
        .map((step) => ({ amount: count(step.amount) ?? 0, monthly: count(step.monthly) ?? 0 }))
        .filter((step) => step.amount > 0 && step.monthly > 0)
        .sort((a, b) => a.amount - b.amount),
      thankDays: days(c.thankDays, 90),
      snoozeDays: days(c.snoozeDays, 14),
      fee: feeOf(c.fee),
      variants: variantsOf(c.variants),
      reminderDates: list(c.reminderDates).flatMap((d) => {
        const date = text(d.date);
        const name = text(d.name);
        return date && name && /^\d{4}-\d{2}-\d{2}$/.test(date) ? [{ date, name }] : [];
      }),
    };
  } catch {
    return undefined;
  }
};

/**
 * Where the reader came from, for the API's attribution (API.md): the page (its origin and path: no query string
 * or fragment leaves the browser), the referring site's origin, and the page's `utm_*` parameters.
 */
export const attribution = (): Record<string, string> => {
  const out: Record<string, string> = { source: location.origin + location.pathname };
  try {
    if (document.referrer) out.referrer = new URL(document.referrer).origin;
  } catch {
    // An unreadable referrer is no referrer.
  }
  const query = new URLSearchParams(location.search);
  for (const name of ['source', 'medium', 'campaign', 'content', 'term']) {
    const value = query.get(`utm_${name}`)?.trim();
    if (value) out[`utm_${name}`] = value.slice(0, 100);
  }
  return out;
};

/** A view or a click, by beacon (API.md: text/plain holding JSON, so no CORS preflight per view). */
export const sendEvent = (api: string, type: 'view' | 'click', campaign: string, variant: string): void => {
  try {
    navigator.sendBeacon(`${api}/v1/events`, JSON.stringify({ type, campaign, variant }));
  } catch {
    // Counting is never the reader's problem.
  }
};
