import { createHash } from 'node:crypto';
import { escapeHtml, page } from '../shared/html.js';

// Mail scanners follow links, so the confirmation GET only shows this page; the script submits it at once
// (one click for the reader) and the button does the same without JavaScript.
const AUTO_SUBMIT = "document.getElementById('auto').submit();";
export const PAGE_SCRIPT_HASHES = [`'sha256-${createHash('sha256').update(AUTO_SUBMIT).digest('base64')}'`];

const postForm = (action: string, label: string, auto: boolean) =>
  `<form id="${auto ? 'auto' : 'manual'}" method="post" action="${escapeHtml(action)}">
<button type="submit">${escapeHtml(label)}</button>
</form>${auto ? `\n<script>${AUTO_SUBMIT}</script>` : ''}`;

export const confirmPromptPage = (siteName: string, action: string) =>
  page(
    'Confirm your subscription',
    `<p>One moment: we are confirming your subscription to ${escapeHtml(siteName)}.</p>\n${postForm(action, 'Confirm my subscription', true)}`,
    siteName,
  );

export const confirmedPage = (siteName: string) =>
  page(
    'Subscription confirmed',
    `<p role="status">Thank you. You are now subscribed to ${escapeHtml(siteName)}. A welcome email is on its way.</p>`,
    siteName,
  );

export const unsubscribePromptPage = (siteName: string, action: string) =>
  page(
    'Unsubscribe',
    `<p>Press the button to stop receiving email from ${escapeHtml(siteName)}.</p>\n${postForm(action, 'Unsubscribe', false)}`,
    siteName,
  );

export const unsubscribedPage = (siteName: string) =>
  page(
    'You have been unsubscribed',
    `<p role="status">You will receive no more email from ${escapeHtml(siteName)}. If this was a mistake, you can sign up again at any time.</p>`,
    siteName,
  );

export const thanksPage = (siteName: string) =>
  page(
    'Check your inbox',
    `<p role="status">Thank you. We have sent you an email: follow the link in it to confirm your subscription to ${escapeHtml(siteName)}.</p>
<p class="muted">Nothing there after a few minutes? Check your spam folder.</p>`,
    siteName,
  );

/** The answer to a bad confirmation link: explains, and offers a fresh link (the address prefilled if known). */
export const invalidConfirmLinkPage = (siteName: string, message: string, signupAction: string, email?: string) =>
  page(
    'This link does not work',
    `<p role="alert">${escapeHtml(message)} Confirmation links work for 7 days and only until you unsubscribe.</p>
<p>Enter your email address and we will send you a new link.</p>
<form method="post" action="${escapeHtml(signupAction)}">
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(email ?? '')}">
<button type="submit">Send me a new link</button>
</form>`,
    siteName,
  );

export const errorPage = (siteName: string, status: number, message: string, field?: string) =>
  page(
    status === 429 ? 'Please wait a moment' : status >= 500 ? 'Something went wrong' : 'Please check your details',
    `<p role="alert">${escapeHtml(message)}${field ? ` <span class="muted">(${escapeHtml(field)})</span>` : ''}</p>
<p>Please go back and try again.</p>`,
    siteName,
  );
