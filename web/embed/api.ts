// The embed's calls to the Appeal API (API.md): cross-origin, with CORS, never with cookies.

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
}

const count = (value: unknown) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);

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
    const suggested = Array.isArray(c.suggestedAmounts) ? c.suggestedAmounts.map(count).filter((a): a is number => a !== undefined && a > 0) : [];
    return { id, title, currency, goal, raised, donations, donors, open: c.open !== false, suggestedAmounts: suggested };
  } catch {
    return undefined;
  }
};
