import { type Brand, escapeHtml, homeButton, page, speech, waitInWords } from './html.js';

export interface ErrorPageDetails {
  /** The field the error is about, named in words on the page. */
  field?: string | undefined;
  /** From a 429's Retry-After: the page says how long to wait. */
  retryAfterSeconds?: number | undefined;
  /** The error's code: a bad link (`invalid_token`) is called one. */
  code?: string | undefined;
}

/** The key of a status in the catalogue's per-status tables. */
const statusKey = (status: number) =>
  (status >= 500 ? '500' : (['400', '404', '405', '413', '415', '429'] as const).find((s) => s === String(status)) ?? '400');

/**
 * An error's message in the page's language. The API words its errors in English (the JSON bodies are the
 * contract's, for developers); a page in another language says what kind of problem it is in the reader's words.
 */
export const problemInWords = (site: Brand | string, status: number, message: string, code?: string) => {
  const { lang, t } = speech(site);
  if (lang === 'en') return message;
  if (code === 'invalid_token') {
    if (/expired/i.test(message)) return /monthly gift/i.test(message) ? t.errors.messages.expiredManage : t.errors.messages.expiredConfirm;
    return t.errors.messages.badLink;
  }
  return t.errors.messages[statusKey(status)];
};

/**
 * The page a browser gets for any error: what went wrong in words, what to do next, and the way back to the site.
 * Pages with a form of their own (the signup form, the donation chooser) show the form again instead.
 */
export const errorPage = (site: Brand | string, status: number, message: string, details: ErrorPageDetails | string = {}) => {
  const { field, retryAfterSeconds, code } = typeof details === 'string' ? { field: details, retryAfterSeconds: undefined, code: undefined } : details;
  const { t, say } = speech(site);
  const badLink = code === 'invalid_token';
  const title = badLink ? t.errors.badLinkTitle : t.errors.titles[statusKey(status)];
  const fieldName = field?.split('.')[0] ?? '';
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
    `<div class="alert" role="alert">
<p>${about ? `${escapeHtml(about)} ` : ''}${escapeHtml(problemInWords(site, status, message, code))}</p>
</div>
<p>${escapeHtml(next)}</p>
${homeButton(site)}`,
    site,
    { titlePrefix: status === 400 || status === 413 || status === 415 ? t.page.errorPrefix : undefined },
  );
};
