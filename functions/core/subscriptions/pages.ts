import { createHash } from 'node:crypto';
import { type PageProblem, problemInWords } from '../shared/pages.js';
import { pluralOf } from '../shared/i18n/format.js';
import type { Brand } from '../shared/brand.js';
import { homeButton, page } from '../shared/page-shell.js';
import { speech, waitInWords } from '../shared/words.js';
import { html, raw } from '../shared/template.js';

export { errorPage } from '../shared/pages.js';

// Mail scanners follow links, so the confirmation GET only shows this page; the script submits it at once
// (one click for the reader) and the button does the same without JavaScript.
const AUTO_SUBMIT = "document.getElementById('auto').submit();";
export const PAGE_SCRIPT_HASHES = [`'sha256-${createHash('sha256').update(AUTO_SUBMIT).digest('base64')}'`];

const postForm = (action: string, label: string, auto: boolean) =>
  html`<form id="${auto ? 'auto' : 'manual'}" method="post" action="${action}">
<p class="actions"><button type="submit">${label}</button></p>
</form>${auto && html`\n<script>${raw(AUTO_SUBMIT)}</script>`}`;

export const confirmPromptPage = (site: Brand, action: string) => {
  const { t, sayHtml } = speech(site);
  const m = t.subscriptions.confirmPrompt;
  // The button says what the confirmation email's button, which opened this page, said.
  return page(m.title, html`<p class="lead">${sayHtml(m.lead)}</p>\n${postForm(action, t.emails.confirmation.button, true)}`, site);
};

export const confirmedPage = (site: Brand) => {
  const { t, say, sayHtml } = speech(site);
  const m = t.subscriptions.confirmed;
  return page(
    m.title,
    html`<p class="lead" role="status">${sayHtml(m.lead)}</p>\n${homeButton(site, say(m.continue, { site: site.siteName }))}`,
    site,
  );
};

export const unsubscribePromptPage = (site: Brand, action: string) => {
  const { t, sayHtml } = speech(site);
  const m = t.subscriptions.unsubscribePrompt;
  // The button says what the link at the foot of every email, which opened this page, said.
  return page(m.title, html`<p class="lead">${sayHtml(m.lead)}</p>\n${postForm(action, t.emails.unsubscribe, false)}`, site);
};

export const unsubscribedPage = (site: Brand) => {
  const { t, sayHtml } = speech(site);
  const m = t.subscriptions.unsubscribed;
  return page(
    m.title,
    html`<p class="lead" role="status">${sayHtml(m.lead)}</p>
<p>${m.again}</p>
${homeButton(site)}`,
    site,
  );
};

export const thanksPage = (site: Brand) => {
  const { t, sayHtml } = speech(site);
  const m = t.subscriptions.thanks;
  return page(
    m.title,
    html`<p class="lead" role="status">${sayHtml(m.lead)}</p>
<p class="muted">${m.spam}</p>
${homeButton(site)}`,
    site,
  );
};

/**
 * The answer to a bad confirmation link: explains (links work for `validDays`, the configured CONFIRM_TTL_DAYS), and
 * offers a fresh link (the address prefilled if known).
 */
export const invalidConfirmLinkPage = (site: Brand, problem: PageProblem, signupAction: string, email?: string, validDays = 7) => {
  const { lang, t, say } = speech(site);
  const m = t.subscriptions.invalidLink;
  const validity = say(pluralOf(lang, validDays, m.validity), { n: validDays });
  return page(
    t.errors.badLinkTitle,
    html`<div class="alert" role="alert"><p>${problemInWords(site, 400, { code: 'invalid_token', message: problem.message, expired: problem.expired })} ${validity}</p></div>
<p>${m.enter}</p>
<form method="post" action="${signupAction}">
${hiddenLang(site)}<div class="field">
<label for="email">${t.widget.signup.email}</label>
<div class="row">
<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${email ?? ''}">
<button type="submit">${m.button}</button>
</div>
</div>
</form>`,
    site,
  );
};

/** A form of ours posts the page's language, so that the answer and the emails speak it too. */
const hiddenLang = (site: Brand) => {
  const { lang } = speech(site);
  return html`<input type="hidden" name="lang" value="${lang}">\n`;
};

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
const kept = (value: string | undefined, max: number) => (value ?? '').slice(0, max);

/**
 * The signup form again, for a form posted without JavaScript that we could not accept: the problem in words at
 * the top and next to its field (aria-describedby, aria-invalid, focused), everything the reader typed kept, and
 * the form's hidden fields (lists, source page, language) carried over, so one correction and one click finish it.
 */
export const signupFormPage = (site: Brand, action: string, values: SignupFormValues, problem: SignupFormProblem) => {
  const { t, lang, say, sayHtml } = speech(site);
  const m = t.subscriptions.form;
  // The fields and their problems are worded as in the embed's signup form: the same form, without JavaScript.
  const f = t.widget.signup;
  const field = problem.field?.split('.')[0];
  // The API words its problems in English; a page in another language says them in the reader's words.
  const message =
    lang === 'en'
      ? problem.message
      : field === 'email'
        ? (values.email ?? '').trim() === '' ? f.emailMissing : f.emailInvalid
        : field === 'name'
          ? f.nameInvalid
          : field === 'lists'
            ? f.listInvalid
            : t.errors.messages['400'];
  const fieldError = (name: 'email' | 'name') =>
    field === name
      ? { note: html`<p id="${name}-error" class="field-error">${message}</p>\n`, attrs: html` aria-invalid="true" aria-describedby="${name}-error" autofocus` }
      : { note: undefined, attrs: undefined };
  const email = fieldError('email');
  const name = fieldError('name');
  const waiting = problem.retryAfterSeconds !== undefined;
  const title = waiting ? t.errors.titles['429'] : field === 'email' || field === 'name' ? m.checkTitle[field] : t.errors.titles['400'];
  const about = field && Object.hasOwn(m.yourField, field) ? m.yourField[field as keyof typeof m.yourField] : undefined;
  const summary = waiting
    ? say(m.waitSummary, { duration: waitInWords(problem.retryAfterSeconds ?? 60, site) })
    : `${about ? `${about} ` : ''}${message}`;
  const summaryHtml = field === 'email' || field === 'name' ? html`<a href="#${field}">${summary}</a>` : summary;
  // A list the form named that does not exist cannot be corrected here: the form goes again without it (the
  // default list), and the summary says why.
  const hidden = [
    ...(field === 'lists' ? [] : (values.lists ?? []).slice(0, 20).map((list) => ['lists', list] as const)),
    ...(values.source && field !== 'source' ? [['source', values.source] as const] : []),
  ];
  // The language goes on to the next try: the one the form posted, else the page's own (a form on a link's page).
  return page(
    title,
    html`<div class="alert" role="alert"><p>${summaryHtml}</p></div>
<form method="post" action="${action}" novalidate>
<div class="field">
<label for="email">${f.email}</label>
${email.note}<input id="email" name="email" type="email" autocomplete="email" required maxlength="254" value="${kept(values.email, 400)}"${email.attrs}>
</div>
<div class="field">
<label for="name">${f.name} <span class="muted">${f.optional}</span></label>
${name.note}<input id="name" name="name" type="text" autocomplete="name" maxlength="100" value="${kept(values.name, 400)}"${name.attrs}>
</div>
${hidden.map(([key, value]) => html`<input type="hidden" name="${key}" value="${kept(value, 2048)}">\n`)}${hiddenLang(site)}<div class="hp" aria-hidden="true"><label for="website">${f.honeypot}</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<p class="muted" id="consent">${sayHtml(m.consent)}</p>
<p class="actions"><button type="submit" aria-describedby="consent">${f.submit}</button></p>
</form>`,
    site,
    { titlePrefix: t.page.errorPrefix },
  );
};
