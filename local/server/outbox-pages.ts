import type { IncomingMessage, ServerResponse } from 'node:http';
import { prefersHtml } from '../../functions/platform/http/accept.js';
import { type Html, html, join } from '../../functions/core/shared/template.js';
import { localPage } from './local-page.js';
import type { OutboxEmail } from './data-dir.js';

// The outbox as an inbox (never deployed): `GET /_local/outbox` is the contract's JSON for tools and a list of the
// emails for a browser (Accept preferring text/html, as a browser's navigation sends); `GET /_local/outbox/{id}`
// shows one email as a mail client would, with its headers, or gives its JSON to a tool.

/** http(s) links in plain text made clickable; everything else escaped (so only http(s) links become markup). */
const linkify = (text: string) => {
  const parts: Html[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    const url = match[0].replace(/[.,;:!?)\]]+$/, ''); // sentence punctuation after a link is not part of it
    parts.push(html`${text.slice(last, match.index)}<a href="${url}">${url}</a>`);
    last = match.index + url.length;
  }
  return html`${parts}${text.slice(last)}`;
};

const when = (iso: string) => html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>`;

/**
 * The email's HTML as the frame's document. Its links open in the whole tab (`<base target="_top">`, which the
 * sandbox allows only on a click), as they would leave a webmail page: a confirmation link lands on its page.
 */
const frameDocument = (html: string) => {
  const base = '<base target="_top">';
  if (/<head[^>]*>/i.test(html)) return html.replace(/<head[^>]*>/i, (head) => `${head}${base}`);
  return `${base}${html}`;
};

const STYLE = `
  a { color: #0b5394; }
  ol.mails { list-style: none; padding: 0; margin: 0; }
  ol.mails li { background: #fff; border: 1px solid #d0d0cc; border-radius: 6px; margin: 0 0 0.5rem; padding: 0.6rem 0.8rem; }
  ol.mails a { font-weight: 600; overflow-wrap: anywhere; }
  .meta { display: block; color: #4a4a4a; font-size: 0.9rem; margin-top: 0.2rem; overflow-wrap: anywhere; }
  dl.headers { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.75rem; background: #fff; border: 1px solid #d0d0cc;
    border-radius: 6px; padding: 0.6rem 0.8rem; margin: 0; font-size: 0.9rem; }
  dl.headers dt { font-weight: 600; }
  dl.headers dd { margin: 0; overflow-wrap: anywhere; min-width: 0; }
  @media (max-width: 30rem) { dl.headers { grid-template-columns: 1fr; } dl.headers dd { margin-bottom: 0.4rem; } }
  iframe { display: block; width: 100%; height: 75vh; border: 1px solid #d0d0cc; border-radius: 6px; background: #fff; box-sizing: border-box; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #d0d0cc; border-radius: 6px; padding: 0.8rem; margin: 0; font-size: 0.9rem; }
`;

const page = (title: string, body: Html) => localPage({ title: `${title} · outbox`, about: 'every email the product sends, none delivered', style: STYLE, body });

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The list, newest first (the JSON stays oldest first, as the contract says). */
export const inboxPage = (emails: readonly OutboxEmail[]) => {
  const items = [...emails]
    .reverse()
    .map(
      (m) =>
        html`<li><a href="/_local/outbox/${encodeURIComponent(m.id)}">${m.subject || '(no subject)'}</a><span class="meta">To ${m.to.join(', ')} · from ${m.from} · ${when(m.at)}</span></li>`,
    );
  const list = emails.length
    ? html`<ol class="mails">\n${join(items, '\n')}\n</ol>`
    : html`<p>No email yet. Sign up or give on the <a href="/">demo page</a>, then reload this one.</p>`;
  return page(
    'Inbox',
    html`<h1>Outbox</h1>
<p>${plural(emails.length, 'email', 'emails')} sent, newest first. Tools get the same list as JSON here (<code>Accept: application/json</code>).</p>
${list}`,
  );
};

/** One email: its headers, its HTML part in a sandboxed frame (no script runs), and its text part. */
export const emailPage = (email: OutboxEmail) => {
  const headers: [string, string][] = [
    ['From', email.from],
    ['To', email.to.join(', ')],
    ['Subject', email.subject],
    ['Sent', email.at],
    ...Object.entries(email.headers),
  ];
  const rows = headers.map(([name, value]) => html`<dt>${name}</dt><dd>${name === 'Sent' ? when(value) : linkify(value)}</dd>`);
  const htmlPart = email.html
    ? html`<iframe title="The email as HTML, as a mail client shows it" sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" srcdoc="${frameDocument(email.html)}"></iframe>`
    : html`<p>This email has no HTML part.</p>`;
  return page(
    email.subject || '(no subject)',
    html`<p><a href="/_local/outbox">← All emails</a></p>
<h1>${email.subject || '(no subject)'}</h1>
<h2>Headers</h2>
<dl class="headers">
${join(rows, '\n')}
</dl>
<h2>HTML part</h2>
${htmlPart}
<h2>Text part</h2>
<pre>${linkify(email.text || '(no text part)')}</pre>`,
  );
};

const send = (res: ServerResponse, status: number, type: string, body: string) => {
  // The same address answers JSON or HTML by Accept: caches must keep them apart.
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', vary: 'accept', 'x-content-type-options': 'nosniff' });
  res.end(body);
};
const sendJson = (res: ServerResponse, status: number, body: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(body, null, 2));
const sendHtml = (res: ServerResponse, status: number, body: string) => send(res, status, 'text/html; charset=utf-8', body);

/** Answers `/_local/outbox` and `/_local/outbox/{id}`; false for any other path. */
export const serveOutbox = (req: IncomingMessage, res: ServerResponse, pathname: string, emails: () => OutboxEmail[]): boolean => {
  const wantsHtml = prefersHtml(req.headers.accept);
  if (pathname === '/_local/outbox') {
    if (wantsHtml) sendHtml(res, 200, inboxPage(emails()));
    else sendJson(res, 200, emails());
    return true;
  }
  const match = /^\/_local\/outbox\/([^/]+)$/.exec(pathname);
  if (!match?.[1]) return false;
  let id: string;
  try {
    id = decodeURIComponent(match[1]);
  } catch {
    return false;
  }
  const email = emails().find((m) => m.id === id);
  if (email) {
    if (wantsHtml) sendHtml(res, 200, emailPage(email));
    else sendJson(res, 200, email);
  } else if (wantsHtml) {
    sendHtml(res, 404, page('Not found', html`<h1>No such email</h1><p>It is not in the outbox. <a href="/_local/outbox">See every email</a>.</p>`));
  } else {
    sendJson(res, 404, { error: { code: 'not_found', message: 'There is no email with this id in the outbox.' } });
  }
  return true;
};
