// The mailing-list form, in a shadow root: it posts JSON to POST /v1/subscriptions and shows the answer in place: a
// field's error next to the field (aria-describedby, aria-invalid, focus on the field) and the outcome in a status
// region.
import type { Language, WidgetMessages } from '../../functions/core/shared/i18n/index.js';
import { fill } from '../../functions/core/shared/i18n/format.js';
import { type ApiError, attribution, postJson } from './api.js';
import { h } from './dom.js';

export interface SignupContext {
  api: string;
  language: Language;
  messages: WidgetMessages;
  siteName: string;
  /** The list to join (data-list); the site's default list when absent. */
  list: string | undefined;
}

export const renderSignup = ({ api, language, messages, siteName, list }: SignupContext): { element: HTMLElement; form: HTMLFormElement } => {
  const t = messages.signup;
  const field = (name: 'email' | 'name', label: Node[], input: Record<string, string | boolean>) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `appeal-${name}` }, ...label),
      h('input', { id: `appeal-${name}`, name, 'aria-describedby': `appeal-${name}-error`, ...input }),
      h('p', { id: `appeal-${name}-error`, class: 'field-error', hidden: true }),
    );
  const status = h('p', { class: 'appeal-status', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'appeal-submit', 'aria-describedby': 'appeal-consent' }, t.submit);
  const form = h(
    'form',
    { 'data-appeal-signup': true, method: 'post', action: `${api}/v1/subscriptions`, novalidate: true },
    field('email', [document.createTextNode(t.email)], { type: 'email', autocomplete: 'email', required: true, maxlength: '254' }),
    field('name', [document.createTextNode(`${t.name} `), h('span', { class: 'optional' }, t.optional)], { type: 'text', autocomplete: 'name', maxlength: '100' }),
    list ? h('input', { type: 'hidden', name: 'lists', value: list }) : undefined,
    h('input', { type: 'hidden', name: 'lang', value: language }),
    h(
      'div',
      { class: 'appeal-hp', 'aria-hidden': 'true' },
      h('label', { for: 'appeal-website' }, t.honeypot),
      h('input', { id: 'appeal-website', name: 'website', type: 'text', tabindex: '-1', autocomplete: 'off' }),
    ),
    h('p', { class: 'consent', id: 'appeal-consent' }, fill(t.consent, { site: siteName })),
    button,
    status,
  );
  const element = h(
    'section',
    { class: 'appeal-signup', 'aria-labelledby': 'appeal-signup-title' },
    h('h2', { id: 'appeal-signup-title' }, fill(t.title, { site: siteName })),
    h('p', { class: 'appeal-intro' }, t.intro),
    form,
  );

  const setStatus = (text: string, kind?: 'success' | 'error') => {
    status.textContent = text;
    status.className = `appeal-status${kind ? ` is-${kind}` : ''}`;
  };
  const input = (name: string) => {
    const found = form.elements.namedItem(name);
    return found instanceof HTMLInputElement && found.type !== 'hidden' ? found : undefined;
  };
  const clearErrors = () => {
    for (const name of ['email', 'name']) {
      input(name)?.removeAttribute('aria-invalid');
      const error = form.querySelector<HTMLElement>(`#appeal-${name}-error`);
      if (error) {
        error.textContent = '';
        error.hidden = true;
      }
    }
  };
  /** The message next to its field, which gets focus; false when the field is not one of the form's. */
  const showFieldError = (name: string, message: string) => {
    const target = input(name);
    const error = form.querySelector<HTMLElement>(`#appeal-${name}-error`);
    if (!target || !error) return false;
    target.setAttribute('aria-invalid', 'true');
    error.textContent = message;
    error.hidden = false;
    target.focus();
    return true;
  };
  // The API's codes in the reader's language; its own (English) words only for an English reader.
  const messageFor = (error: ApiError) =>
    error.code === 'invalid_email'
      ? t.emailInvalid
      : error.code === 'invalid_list'
        ? t.listInvalid
        : error.field?.split('.')[0] === 'name'
          ? t.nameInvalid
          : language === 'en' && error.message
            ? error.message
            : messages.failed;

  let busy = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (busy) return;
    clearErrors();
    const data = new FormData(form);
    const email = String(data.get('email') ?? '').trim();
    if (email === '') {
      showFieldError('email', t.emailMissing);
      setStatus(t.correctField, 'error');
      return;
    }
    const { source, ...origin } = attribution();
    const body = {
      email,
      name: String(data.get('name') ?? '').trim() || undefined,
      lists: list ? [list] : undefined,
      source: source && source.length <= 2048 ? source : undefined,
      website: String(data.get('website') ?? ''),
      lang: language,
      component: 'form',
      ...origin,
    };
    busy = true;
    button.setAttribute('aria-disabled', 'true');
    setStatus(t.sending);
    try {
      const { status: code, error } = await postJson(form.action, body);
      if (code === 202) {
        form.reset();
        setStatus(t.pending, 'success');
      } else if (code === 429) {
        setStatus(t.tooMany, 'error');
      } else if (error) {
        const message = messageFor(error);
        const shown = error.field !== undefined && showFieldError(error.field.split('.')[0] ?? '', message);
        setStatus(shown ? t.correctField : message, 'error');
      } else {
        setStatus(messages.failed, 'error');
      }
    } catch {
      setStatus(messages.offline, 'error');
    } finally {
      busy = false;
      button.removeAttribute('aria-disabled');
    }
  });

  return { element, form };
};
