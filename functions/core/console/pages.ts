import type { AdminTokenRecord } from '../admin/ports.js';
import type { Brand } from '../shared/brand.js';
import { formatDate } from '../shared/i18n/format.js';
import { SITE_CSS_PATH } from '../shared/stylesheet.js';
import { type Html, html, render } from '../shared/template.js';
import { speech, waitInWords } from '../shared/words.js';
import { CONSOLE_PAGES, type ConsolePage } from './access.js';
import { CONSOLE_SCRIPT_PATH, CONSOLE_STYLE_PATH } from './asset-paths.js';
import { type AuditEntry, type Editor, hasRole, type Passkey, ROLES, type Session } from './model.js';

/** What every page of a signed-in editor knows: who, with which session (its CSRF token goes in every form). */
export interface Viewer {
  editor: Editor;
  session: Session;
}

export const words = (site: Brand) => {
  const s = speech(site);
  return { ...s, c: s.t.console };
};

export const when = (site: Brand, iso: string) => formatDate(speech(site).t.locale.dates, iso, { dateStyle: 'medium', timeStyle: 'short' });

/** The CSRF token of the viewer's session, in a form. */
export const csrf = (viewer: Viewer) => html`<input type="hidden" name="csrf" value="${viewer.session.csrf}">`;

/**
 * A console page: the site's masthead, the navigation the viewer's role allows (nothing they may not open is
 * offered), the sign-out button, the content. The pages' stylesheet and the console's own, and its one script,
 * all from the API's origin. Without a viewer (the sign-in pages) there is no navigation. `refreshSeconds` reloads the
 * page that often (a running export's progress): a meta refresh, which the strict policy allows, as it needs no script.
 */
export const layout = (site: Brand, title: string, body: Html, viewer?: Viewer, current?: ConsolePage, options: { titlePrefix?: string | undefined; refreshSeconds?: number | undefined } = {}) => {
  const { lang, c } = words(site);
  const mark = html`${site.logoUrl && html`<img src="${site.logoUrl}" alt="" height="36">`}<span>${site.siteName} · ${c.nav.label}</span>`;
  const nav =
    viewer &&
    html`<nav class="console-nav" aria-label="${c.nav.label}"><div>
<ul>${CONSOLE_PAGES.filter((p) => hasRole(viewer.editor.role, p.role)).map(
      (p) => html`<li><a href="${p.path}"${p.name === current ? html` aria-current="page"` : ''}>${c.nav[p.name]}</a></li>`,
    )}</ul>
<form method="post" action="/admin/signout">${csrf(viewer)}<button type="submit" class="secondary">${c.nav.signOut}</button></form>
</div></nav>
`;
  return render(html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">\n` : ''}<title>${options.titlePrefix && `${options.titlePrefix} `}${title} · ${site.siteName}</title>
${site.iconUrl && html`<link rel="icon" href="${site.iconUrl}">\n`}<link rel="stylesheet" href="${SITE_CSS_PATH}">
<link rel="stylesheet" href="${CONSOLE_STYLE_PATH}">
<script src="${CONSOLE_SCRIPT_PATH}" defer></script>
</head>
<body class="console">
<header class="masthead"><div>${mark}</div></header>
${nav}<main>
<h1>${title}</h1>
${viewer ? html`<p class="whoami">${words(site).say(c.signedInAs, { email: viewer.editor.email, role: c.roles[viewer.editor.role] })}</p>\n` : ''}${body}
</main>
</body>
</html>
`);
};

/** A passkey form: hidden until the script shows it (it needs JavaScript); the options and state go with it. */
const passkeyForm = (site: Brand, kind: 'signin' | 'register', action: string, ceremony: { options: unknown; state: string }, label: string, extra: Html | string = '') => {
  const { c } = words(site);
  return html`<form method="post" action="${action}" data-passkey="${kind}" data-options="${JSON.stringify(ceremony.options)}" data-failed="${c.passkeyFailed}" hidden>
${extra}<input type="hidden" name="state" value="${ceremony.state}"><input type="hidden" name="response" value="">
<p role="status" class="alert"></p>
<p class="actions"><button type="submit" class="secondary">${label}</button></p>
</form>`;
};

/** `/admin` without a session: the address field, and the passkey button where the browser has passkeys. */
export const signInPage = (site: Brand, passkey: { options: unknown; state: string }, problem?: { message: string }) => {
  const { c, sayHtml } = words(site);
  return layout(
    site,
    c.signIn.title,
    html`${problem && html`<div class="alert" role="alert"><p>${problem.message}</p></div>\n`}<p>${sayHtml(c.signIn.intro)}</p>
<form method="post" action="/admin">
<div class="field"><label for="email">${c.signIn.email}</label><input id="email" name="email" type="email" autocomplete="username webauthn" required${problem ? html` aria-invalid="true"` : ''}></div>
<p class="actions"><button type="submit">${c.signIn.send}</button></p>
</form>
<div data-passkey-area hidden>
<h2>${c.signIn.passkey}</h2>
<p>${c.signIn.or}</p>
${passkeyForm(site, 'signin', '/admin/passkey', passkey, c.signIn.passkey)}
</div>`,
    undefined,
    undefined,
    { titlePrefix: problem ? speech(site).t.page.errorPrefix : undefined },
  );
};

/** After a sign-in request, whatever the address: the same words for every one. */
export const checkInboxPage = (site: Brand, email: string) => {
  const { c, say } = words(site);
  return layout(
    site,
    c.signIn.sentTitle,
    html`<div class="notice" role="status"><p>${say(c.signIn.sent, { email })}</p></div>
<p class="actions"><a class="button secondary" href="/admin">${c.signIn.again}</a></p>`,
  );
};

/** GET of a sign-in link: changes nothing; the script posts the form at once, the button does without it. */
export const signInLinkPage = (site: Brand, action: string) => {
  const { c } = words(site);
  return layout(
    site,
    c.signIn.linkTitle,
    html`<p>${c.signIn.linkIntro}</p>
<form method="post" action="${action}" data-autosubmit>
<p class="actions"><button type="submit">${c.signIn.linkButton}</button></p>
</form>`,
  );
};

/** A used, expired or forged link (or passkey): the 400 page, offering a new link. */
export const badLinkPage = (site: Brand, message: string) => {
  const { c } = words(site);
  return layout(
    site,
    c.signIn.badLinkTitle,
    html`<div class="alert" role="alert"><p>${message}</p></div>
<p class="actions"><a class="button" href="/admin">${c.signIn.newLink}</a></p>`,
  );
};

/**
 * A console error page: 400 or 409 (with the problem), 403 (the role does not allow it), 404 (with what was not
 * found) or 429 (with the wait).
 */
export const consoleErrorPage = (site: Brand, status: 400 | 403 | 404 | 409 | 429, detail: { message?: string; retryAfterSeconds?: number }, viewer?: Viewer) => {
  const { c, say, t } = words(site);
  const title = status === 403 ? c.forbidden.title : status === 429 ? c.tooMany.title : status === 404 ? c.notFoundTitle : c.problemTitle;
  const text =
    status === 403
      ? c.forbidden.text
      : status === 429
        ? say(c.tooMany.text, { duration: waitInWords(detail.retryAfterSeconds ?? 60, site) })
        : (detail.message ?? t.errors.messages['400']);
  return layout(
    site,
    title,
    html`<div class="alert" role="alert"><p>${text}</p></div>
<p class="actions"><a class="button secondary" href="/admin">${c.back}</a></p>`,
    viewer,
    undefined,
    { titlePrefix: status === 400 || status === 409 ? t.page.errorPrefix : undefined },
  );
};

/** The periods the dashboard offers, in days (any other from 1 to 400 is read too: `/admin?days=N`). */
export const DASHBOARD_PERIODS = [7, 30, 90, 365] as const;

/** `/admin`: the dashboard, with links to its periods and its charts (each with its table) for the one shown. */
export const dashboardPage = (site: Brand, viewer: Viewer, view: { days: number; sections: Html }) => {
  const { c, lang } = words(site);
  const days = (n: number) => new Intl.NumberFormat(lang, { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(n);
  const periods = html`<nav class="periods" aria-label="${c.dashboard.periods}"><ul>${DASHBOARD_PERIODS.map(
    (n) => html`<li><a href="/admin?days=${n}"${n === view.days ? html` aria-current="page"` : ''}>${days(n)}</a></li>`,
  )}</ul></nav>`;
  return layout(site, c.nav.dashboard, html`${periods}\n${view.sections}`, viewer, 'dashboard');
};

/** `/admin/account`: the editor's passkeys (add, remove) and sessions (sign out everywhere). */
export const accountPage = (site: Brand, viewer: Viewer, data: { passkeys: Passkey[]; sessions: Session[]; registration: { options: unknown; state: string } }) => {
  const { c, say } = words(site);
  const a = c.account;
  const passkeys = data.passkeys.length
    ? html`<ul>${data.passkeys.map(
        (p) => html`<li><span class="mono">${p.id.slice(0, 12)}…</span> · ${say(a.added, { date: when(site, p.createdAt) })}${p.lastUsedAt && `, ${say(a.lastUsed, { date: when(site, p.lastUsedAt) })}`}
<form method="post" action="/admin/account/passkeys/remove" class="inline">${csrf(viewer)}<input type="hidden" name="id" value="${p.id}"><button type="submit" class="secondary">${c.editors.remove}</button></form></li>`,
      )}</ul>`
    : html`<p>${a.noPasskeys}</p>`;
  const sessions = html`<ul>${data.sessions.map(
    (s) =>
      html`<li>${s.idHash === viewer.session.idHash ? html`<strong>${a.thisBrowser}</strong>: ` : ''}${say(a.since, { date: when(site, s.createdAt), method: c.methods[s.method] })}${s.userAgent && html` · <span class="muted">${s.userAgent}</span>`}</li>`,
  )}</ul>`;
  return layout(
    site,
    c.nav.account,
    html`<h2>${a.passkeys}</h2>
<p>${a.passkeysIntro}</p>
${passkeys}
<p data-needs-script class="muted">${a.needsScript}</p>
${passkeyForm(site, 'register', '/admin/account/passkeys', data.registration, a.addPasskey, csrf(viewer))}
<h2>${a.sessions}</h2>
${sessions}
<form method="post" action="/admin/account/signout-everywhere">${csrf(viewer)}<p class="hint">${a.endAllHint}</p><p class="actions"><button type="submit" class="secondary">${a.endAll}</button></p></form>`,
    viewer,
    'account',
  );
};

const roleSelect = (site: Brand, id: string, selected: string | undefined) => {
  const { c } = words(site);
  return html`<select id="${id}" name="role">${ROLES.map((r) => html`<option value="${r}"${r === selected ? html` selected` : ''}>${c.roles[r]}</option>`)}</select>`;
};

/** `/admin/editors` (admins): every editor with their role; add, change a role, remove, sign out everywhere. */
export const editorsPage = (site: Brand, viewer: Viewer, editors: Editor[]) => {
  const { c } = words(site);
  const e = c.editors;
  const rows = editors.map((editor, i) => {
    const hidden = html`${csrf(viewer)}<input type="hidden" name="email" value="${editor.email}">`;
    return html`<tr><th scope="row">${editor.email}${editor.email === viewer.editor.email ? html` <span class="muted">${e.you}</span>` : ''}</th>
<td><form method="post" action="/admin/editors">${hidden}<label class="visually-hidden" for="role-${i}">${e.role}</label>${roleSelect(site, `role-${i}`, editor.role)}<button type="submit" class="secondary">${e.save}</button></form></td>
<td>${when(site, editor.createdAt)}</td>
<td><form method="post" action="/admin/editors/signout-everywhere">${hidden}<button type="submit" class="secondary">${e.endSessions}</button></form><form method="post" action="/admin/editors/remove">${hidden}<button type="submit" class="secondary">${e.remove}</button></form></td></tr>`;
  });
  return layout(
    site,
    c.nav.editors,
    html`<p>${e.intro}</p>
<ul>${ROLES.map((r) => html`<li><strong>${c.roles[r]}</strong>: ${c.roleInfo[r]}</li>`)}</ul>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${c.signIn.email}</th><th scope="col">${e.role}</th><th scope="col">${e.since}</th><th scope="col">${e.actions}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
<h2>${e.add}</h2>
<form method="post" action="/admin/editors" class="inline">${csrf(viewer)}
<div class="field"><label for="new-email">${c.signIn.email}</label><input id="new-email" name="email" type="email" required></div>
<div class="field"><label for="new-role">${e.role}</label>${roleSelect(site, 'new-role', 'viewer')}</div>
<button type="submit">${e.save}</button>
</form>`,
    viewer,
    'editors',
  );
};

/** `/admin/tokens` (admins): the admin API's tokens (never their values), each with a revoke button. */
export const tokensPage = (site: Brand, viewer: Viewer, tokens: AdminTokenRecord[]) => {
  const { c } = words(site);
  const k = c.tokens;
  const table = tokens.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${k.name}</th><th scope="col">${k.created}</th><th scope="col">${k.lastUsed}</th><th scope="col">${k.expires}</th><th scope="col"><span class="visually-hidden">${k.revoke}</span></th></tr></thead>
<tbody>
${tokens.map(
  (token) => html`<tr><th scope="row">${token.name} <span class="mono muted">${token.id}</span></th><td>${when(site, token.createdAt)}</td><td>${token.lastUsedAt ? when(site, token.lastUsedAt) : k.never}</td><td>${token.expiresAt ? when(site, token.expiresAt) : '–'}</td>
<td><form method="post" action="/admin/tokens/revoke">${csrf(viewer)}<input type="hidden" name="id" value="${token.id}"><button type="submit" class="secondary">${k.revoke}</button></form></td></tr>`,
)}
</tbody></table></div>`
    : html`<p>${k.none}</p>`;
  return layout(site, c.nav.tokens, html`<p>${k.intro}</p>\n${table}`, viewer, 'tokens');
};

/** `/admin/audit` (admins): the newest entries of the audit log. */
export const auditPage = (site: Brand, viewer: Viewer, entries: AuditEntry[]) => {
  const { c } = words(site);
  const a = c.audit;
  const table = entries.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${a.when}</th><th scope="col">${a.who}</th><th scope="col">${a.what}</th><th scope="col">${a.on}</th><th scope="col">${a.ip}</th></tr></thead>
<tbody>
${entries.map(
  (entry) => html`<tr><td><time datetime="${entry.at}">${when(site, entry.at)}</time></td><td>${entry.actor}</td><td class="mono">${entry.action}</td><td>${entry.target ?? ''}</td><td class="mono">${entry.ipHash ? entry.ipHash.slice(0, 10) : ''}</td></tr>`,
)}
</tbody></table></div>`
    : html`<p>${a.none}</p>`;
  return layout(site, c.nav.audit, html`<p>${a.intro}</p>\n${table}`, viewer, 'audit');
};
