import { type Brand, escapeHtml, homeButton, page, waitInWords } from './html.js';

/** How a field of ours is called in a sentence ("There is a problem with your email address"). */
export const FIELD_WORDS: Readonly<Record<string, string>> = {
  email: 'email address',
  name: 'name',
  lists: 'choice of mailing list',
  source: 'page address',
  lang: 'language',
  token: 'link',
  campaign: 'campaign',
  amount: 'amount',
  custom_amount: 'amount',
  currency: 'currency',
  frequency: 'choice of once or monthly',
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Please check your details',
  404: 'Page not found',
  405: 'Page not found',
  413: 'That was too much to send',
  415: 'Please check your details',
  429: 'Please wait a moment',
};

export interface ErrorPageDetails {
  /** The field the error is about, named in words on the page. */
  field?: string | undefined;
  /** From a 429's Retry-After: the page says how long to wait. */
  retryAfterSeconds?: number | undefined;
  /** The error's code: a bad link (`invalid_token`) is called one. */
  code?: string | undefined;
}

/**
 * The page a browser gets for any error: what went wrong in words, what to do next, and the way back to the site.
 * Pages with a form of their own (the signup form, the donation chooser) show the form again instead.
 */
export const errorPage = (site: Brand | string, status: number, message: string, details: ErrorPageDetails | string = {}) => {
  const { field, retryAfterSeconds, code } = typeof details === 'string' ? { field: details, retryAfterSeconds: undefined, code: undefined } : details;
  const badLink = code === 'invalid_token';
  const title = badLink ? 'This link does not work' : (TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Please check your details'));
  const about = field && !badLink ? FIELD_WORDS[field.split('.')[0] ?? ''] : undefined;
  const next =
    status === 429
      ? `Please wait ${waitInWords(retryAfterSeconds ?? 60)} before you try again.`
      : status === 404 || status === 405
        ? 'The link may be broken, or the page may have moved.'
        : badLink
          ? 'It may have been copied incompletely, or it may be too old. Please use the link in your most recent email from us.'
          : status >= 500
            ? 'Nothing you did caused this. Please try again in a few minutes.'
            : 'Please go back, check what you entered and try again.';
  return page(
    title,
    `<div class="alert" role="alert">
<p>${about ? `There is a problem with the ${escapeHtml(about)}: ` : ''}${escapeHtml(message)}</p>
</div>
<p>${escapeHtml(next)}</p>
${homeButton(site)}`,
    site,
    { titlePrefix: status === 400 || status === 413 || status === 415 ? 'Error:' : undefined },
  );
};
