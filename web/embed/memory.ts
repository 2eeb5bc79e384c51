// What this browser remembers of an appeal (API.md, "The appeal"): when it gave (the banner then thanks instead of
// asking, for the campaign's thankDays) and when it closed the banner (hidden for snoozeDays). Only in the host
// page's localStorage, only times, per campaign: no cookie, no identifier. A browser that refuses storage (private
// modes, a full quota, a sandboxed frame) simply gets the banner every time.

const PREFIX = 'appeal:';
const DAY_MS = 86_400_000;

export interface Memory {
  gave?: number;
  closed?: number;
}

const storage = (): Storage | undefined => {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
};

export const recall = (campaign: string): Memory => {
  try {
    const kept: unknown = JSON.parse(storage()?.getItem(PREFIX + campaign) ?? '{}');
    const at = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
    return typeof kept === 'object' && kept !== null ? { gave: at((kept as Memory).gave), closed: at((kept as Memory).closed) } : {};
  } catch {
    return {};
  }
};

export const remember = (campaign: string, what: keyof Memory): void => {
  try {
    storage()?.setItem(PREFIX + campaign, JSON.stringify({ ...recall(campaign), [what]: Date.now() }));
  } catch {
    // Not remembered: the banner asks again next time.
  }
};

/** True when `at` is less than `days` ago. */
export const within = (at: number | undefined, days: number): boolean => at !== undefined && Date.now() - at < days * DAY_MS;

/** The parameter embedded Checkout brings a donor back to the page with (API.md: its return URL), holding the session's id. */
const RETURN_PARAM = 'appeal_checkout';

/**
 * Whether this page view is a donor's return from embedded Checkout on it: a Checkout Session id in RETURN_PARAM.
 * The parameter is taken out of the address at once (history.replaceState: no reload, no new history entry), so
 * that a reload, a bookmark or a shared link is not a return. Read once, when the script first runs: every banner
 * on the page then counts it (as `appeal=thanks`).
 */
const returned = ((): boolean => {
  try {
    const url = new URL(location.href);
    const session = url.searchParams.get(RETURN_PARAM);
    if (session === null) return false;
    url.searchParams.delete(RETURN_PARAM);
    history.replaceState(history.state, '', url.href);
    return /^cs_(test|live)_[A-Za-z0-9]+$/.test(session);
  } catch {
    return false;
  }
})();

/**
 * The page's `appeal` parameter: `reset` forgets every appeal on this site (for an editor checking the banner), and
 * `thanks` is the return from a gift (the donor's browser then remembers it gave), as is a return from embedded
 * Checkout. Returns the parameter.
 */
export const readMarker = (campaign: string): string | null => {
  const marker = new URLSearchParams(location.search).get('appeal');
  if (marker === 'reset') {
    try {
      const kept = storage();
      for (const key of Object.keys(kept ?? {})) if (key.startsWith(PREFIX)) kept?.removeItem(key);
    } catch {
      // Nothing to forget.
    }
  }
  if (marker === 'thanks' || returned) remember(campaign, 'gave');
  return marker;
};
