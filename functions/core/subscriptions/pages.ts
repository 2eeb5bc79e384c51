import { createHash } from 'node:crypto';
import { type Brand, escapeHtml, homeButton, page, toBrand, waitInWords } from '../shared/html.js';
import { FIELD_WORDS } from '../shared/pages.js';

export { errorPage } from '../shared/pages.js';

// Mail scanners follow links, so the confirmation GET only shows this page; the script submits it at once
// (one click for the reader) and the button does the same without JavaScript.
const AUTO_SUBMIT = "document.getElementById('auto').submit();";
export const PAGE_SCRIPT_HASHES = [`'sha256-${createHash('sha256').update(AUTO_SUBMIT).digest('base64')}'`];

const postForm = (action: string, label: string, auto: boolean) =>
  `<form id="${auto ? 'auto' : 'manual'}" method="post" action="${escapeHtml(action)}">
<p class="actions"><button type="submit">${escapeHtml(label)}</button></p>
</form>${auto ? `\n<script>${AUTO_SUBMIT}</script>` : ''}`;

export const confirmPromptPage = (site: Brand | string, action: string) => {
  const { siteName } = toBrand(site);
  return page(
    'Confirm your subscription',
    `<p class="lead">One moment: we are confirming your subscription to ${escapeHtml(siteName)}.</p>\n${postForm(action, 'Confirm my subscription', true)}`,
    site,
  );
};

export const confirmedPage = (site: Brand | string) => {
  const { siteName } = toBrand(site);
  return page(
    'Subscription confirmed',
    `<p class="lead" role="status">Thank you. You are now subscribed to ${escapeHtml(siteName)}. A welcome email is on its way.</p>\n${homeButton(site, `Continue to ${siteName}`)}`,
    site,
  );
};

export const unsubscribePromptPage = (site: Brand | string, action: string) => {
  const { siteName } = toBrand(site);
  return page(
    'Unsubscribe',
    `<p class="lead">Press the button to stop receiving email from ${escapeHtml(siteName)}.</p>\n${postForm(action, 'Unsubscribe', false)}`,
    site,
  );
};

export const unsubscribedPage = (site: Brand | string) => {
  const { siteName } = toBrand(site);
  return page(
    'You have been unsubscribed',
    `<p class="lead" role="status">You will receive no more email from ${escapeHtml(siteName)}.</p>
<p>If this was a mistake, you can sign up again at any time.</p>
${homeButton(site)}`,
    site,
  );
};

export const thanksPage = (site: Brand | string) => {
  const { siteName } = toBrand(site);
  return page(
    'Check your inbox',
    `<p class="lead" role="status">Thank you. We have sent you an email: follow the link in it to confirm your subscription to ${escapeHtml(siteName)}.</p>
<p class="muted">Nothing there after a few minutes? Check your spam folder.</p>
${homeButton(site)}`,
    site,
  );
};

/** The answer to a bad confirmation link: explains, and offers a fresh link (the address prefilled if known). */
export const invalidConfirmLinkPage = (site: Brand | string, message: string, signupAction: string, email?: string) =>
  page(
    'This link does not work',
    `<div class="alert" role="alert"><p>${escapeHtml(message)} Confirmation links work for 7 days and only until you unsubscribe.</p></div>
<p>Enter your email address and we will send you a new link.</p>
<form method="post" action="${escapeHtml(signupAction)}">
<div class="field">
<label for="email">Email address</label>
<div class="row">
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${escapeHtml(email ?? '')}">
<button type="submit">Send me a new link</button>
</div>
</div>
</form>`,
    site,
  );

/** What a reader typed into the signup form, as it came (any of it may be what is wrong). */
export interface SignupFormValues {
  email?: string | undefined;
  name?: string | undefined;
  lists?: readonly string[] | undefined;
  source?: string | undefined;
  lang?: string | undefined;
}

export interface SignupFormProblem {
  message: string;
  /** The field the message is about: shown next to it and tied to it (aria-describedby, aria-invalid). */
  field?: string | undefined;
  /** A 429: how long to wait before sending the form again. */
  retryAfterSeconds?: number | undefined;
}

/** Text a reader typed, kept for the form but never echoed at length (the body is at most 16 KiB anyway). */
const kept = (value: string | undefined, max: number) => escapeHtml((value ?? '').slice(0, max));

/**
 * The signup form again, for a form posted without JavaScript that we could not accept: the problem in words at
 * the top and next to its field (aria-describedby, aria-invalid, focused), everything the reader typed kept, and
 * the form's hidden fields (lists, source page, language) carried over, so one correction and one click finish it.
 */
export const signupFormPage = (site: Brand | string, action: string, values: SignupFormValues, problem: SignupFormProblem) => {
  const { siteName } = toBrand(site);
  const field = problem.field?.split('.')[0];
  const fieldError = (name: 'email' | 'name') =>
    field === name
      ? { note: `<p id="${name}-error" class="field-error">${escapeHtml(problem.message)}</p>\n`, attrs: ` aria-invalid="true" aria-describedby="${name}-error" autofocus` }
      : { note: '', attrs: '' };
  const email = fieldError('email');
  const name = fieldError('name');
  const waiting = problem.retryAfterSeconds !== undefined;
  const title = waiting ? 'Please wait a moment' : field === 'email' || field === 'name' ? `Please check your ${FIELD_WORDS[field]}` : 'Please check your details';
  const about = field ? FIELD_WORDS[field] : undefined;
  const summary = waiting
    ? `We have had too many signups from your connection. Please wait ${waitInWords(problem.retryAfterSeconds ?? 60)} before you try again: what you typed is kept below.`
    : `${about ? `There is a problem with your ${escapeHtml(about)}: ` : ''}${escapeHtml(problem.message)}`;
  const summaryHtml = field === 'email' || field === 'name' ? `<a href="#${field}">${summary}</a>` : summary;
  // A list the form named that does not exist cannot be corrected here: the form goes again without it (the
  // default list), and the summary says why.
  const hidden = [
    ...(field === 'lists' ? [] : (values.lists ?? []).slice(0, 20).map((list) => ['lists', list] as const)),
    ...(values.source && field !== 'source' ? [['source', values.source] as const] : []),
    ...(values.lang && field !== 'lang' ? [['lang', values.lang] as const] : []),
  ];
  return page(
    title,
    `<div class="alert" role="alert"><p>${summaryHtml}</p></div>
<form method="post" action="${escapeHtml(action)}" novalidate>
<div class="field">
<label for="email">Email address</label>
${email.note}<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${kept(values.email, 400)}"${email.attrs}>
</div>
<div class="field">
<label for="name">Name <span class="muted">(optional)</span></label>
${name.note}<input id="name" name="name" type="text" autocomplete="name" maxlength="100" value="${kept(values.name, 400)}"${name.attrs}>
</div>
${hidden.map(([key, value]) => `<input type="hidden" name="${key}" value="${kept(value, 2048)}">\n`).join('')}<div class="hp" aria-hidden="true"><label for="website">Leave this field empty</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<p class="muted" id="consent">By subscribing you agree to receive email from ${escapeHtml(siteName)}. We record when and where you agreed, and every email has a one-click unsubscribe link.</p>
<p class="actions"><button type="submit" aria-describedby="consent">Subscribe</button></p>
</form>`,
    site,
    { titlePrefix: 'Error:' },
  );
};
