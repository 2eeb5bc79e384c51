import type { TokenExpiry } from './errors.js';
import type { Brand } from './brand.js';
import { homeButton, page } from './page-shell.js';
import { speech, waitInWords } from './words.js';
import { html } from './template.js';

export interface ErrorPageDetails {
  /** The field the error is about, named in words on the page. */
  field?: string | undefined;
  /** From a 429's Retry-After: the page says how long to wait. */
  retryAfterSeconds?: number | undefined;
  /** The error's code: a bad link (`invalid_token`) is called one. */
  code?: string | undefined;
  /** A link that ran out of time: which kind (InvalidTokenError's `expired`). */
  expired?: TokenExpiry | undefined;
}

/**
 * The key of a status in the catalogue's per-status messages: any 5xx is a 500, a 405 reads as a 404 (there is
 * nothing to see at that address either way), anything else unknown as a 400.
 */
const statusKey = (status: number) =>
  status >= 500 ? '500' : status === 405 ? '404' : ((['400', '404', '413', '415', '429'] as const).find((s) => s === String(status)) ?? '400');

/** The key of a status in the catalogue's page titles: as its message's, but a 415 asks, as a 400 does, to check. */
const titleKey = (status: number) => {
  const key = statusKey(status);
  return key === '415' ? '400' : key;
};

/** What a page knows of an error: the API's (English) message, its code, and for a link that ran out of time, which. */
export interface PageProblem {
  message: string;
  code?: string | undefined;
  expired?: TokenExpiry | undefined;
}

/**
 * An error's message in the page's language. The API words its errors in English (the JSON bodies are the
 * contract's, for developers); a page in another language says what kind of problem it is in the reader's words.
 */
export const problemInWords = (site: Brand, status: number, { message, code, expired }: PageProblem) => {
  const { lang, t } = speech(site);
  if (lang === 'en') return message;
  if (expired) return expired === 'manage' ? t.errors.messages.expiredManage : t.errors.messages.expiredConfirm;
  return code === 'invalid_token' ? t.errors.messages.badLink : t.errors.messages[statusKey(status)];
};

/**
 * The page a browser gets for any error: what went wrong in words, what to do next, and the way back to the site.
 * Pages with a form of their own (the signup form, the donation chooser) show the form again instead.
 */
export const errorPage = (site: Brand, status: number, message: string, details: ErrorPageDetails | string = {}) => {
  const { field, retryAfterSeconds, code, expired } = typeof details === 'string' ? { field: details, retryAfterSeconds: undefined, code: undefined, expired: undefined } : details;
  const { t, say } = speech(site);
  const badLink = code === 'invalid_token';
  // A stage whose payment service is not set up yet says so, calmly: not an error of anyone's.
  if (code === 'donations_not_configured') {
    return page(t.errors.notConfiguredTitle, html`<div class="alert" role="status">
<p>${t.errors.messages.notConfigured}</p>
</div>
<p>${t.errors.next.notConfigured}</p>
${homeButton(site)}`, site);
  }
  const title = badLink ? t.errors.badLinkTitle : t.errors.titles[titleKey(status)];
  const named = field?.split('.')[0] ?? '';
  const fieldName = named === 'custom_amount' ? 'amount' : named; // the donation chooser's own amount field
  const about = field && !badLink && Object.hasOwn(t.errors.theField, fieldName) ? t.errors.theField[fieldName as keyof typeof t.errors.theField] : undefined;
  const next =
    status === 429
      ? say(t.errors.next.wait, { duration: waitInWords(retryAfterSeconds ?? 60, site) })
      : status === 404 || status === 405
        ? t.errors.next.notFound
        : badLink
          ? t.errors.next.badLink
          : status >= 500
            ? t.errors.next.server
            : t.errors.next.check;
  return page(
    title,
    html`<div class="alert" role="alert">
<p>${about && `${about} `}${problemInWords(site, status, { message, code, expired })}</p>
</div>
<p>${next}</p>
${homeButton(site)}`,
    site,
    { titlePrefix: status === 400 || status === 413 || status === 415 ? t.page.errorPrefix : undefined },
  );
};
