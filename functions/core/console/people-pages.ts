import type { Brand } from '../shared/brand.js';
import { formatAmount } from '../shared/i18n/format.js';
import { html, type Html } from '../shared/template.js';
import type { ConsentEvent } from '../subscriptions/model.js';
import type { FormProblem } from './campaign-pages.js';
import { csrf, layout, type Viewer, when, words } from './pages.js';
import type { HeldRecord } from './people.js';

const alert = (problem: FormProblem | undefined) => problem && html`<div class="alert" role="alert"><p>${problem.message}</p></div>\n`;

const searchForm = (site: Brand, viewer: Viewer, problem?: FormProblem) => {
  const { c } = words(site);
  return html`<form method="post" action="/admin/people" class="inline">${csrf(viewer)}
<div class="field"><label for="email">${c.signIn.email}</label><input id="email" name="email" type="email" required autocomplete="off"${problem ? html` aria-invalid="true"` : ''}></div>
<button type="submit">${c.people.find}</button>
</form>`;
};

/**
 * `/admin/people` (exporters): find an address. The search is a POST, so that no address is ever in a URL (nor in
 * a log of one), and each is recorded in the audit log.
 */
export const peoplePage = (site: Brand, viewer: Viewer, problem?: FormProblem) => {
  const { c, t } = words(site);
  return layout(site, c.nav.people, html`${alert(problem)}<p>${c.people.intro}</p>\n${searchForm(site, viewer, problem)}`, viewer, 'people', {
    titlePrefix: problem ? t.page.errorPrefix : undefined,
  });
};

const row = (label: string, value: Html | string | undefined) => (value === undefined || value === '' ? '' : html`<dt>${label}</dt><dd>${value}</dd>\n`);

const consentRows = (site: Brand, label: string, event: ConsentEvent | undefined) => {
  const p = words(site).c.people;
  if (!event) return '';
  return html`<tr><th scope="row">${label}</th><td><time datetime="${event.at}">${when(site, event.at)}</time></td><td>${event.source ?? ''}</td><td class="mono">${event.wordingVersion}</td><td>${event.userAgent ?? ''}</td><td class="mono">${event.ipHash ? event.ipHash.slice(0, 10) : ''}</td><td>${event.origin ? p.origins[event.origin] : ''}</td></tr>`;
};

/**
 * The data request's answer for one address: the subscriber record and its consent evidence, a suppression marker,
 * the gifts held (which an erase keeps), and the whole record as stored; then the erase button (whose next page
 * asks to type the address again). Without a record: that nothing is held.
 */
export const personPage = (site: Brand, viewer: Viewer, email: string, held: HeldRecord | undefined) => {
  const { c, say, t } = words(site);
  const p = c.people;
  const eraseForm = html`<h2>${p.eraseTitle}</h2>
<p>${p.eraseIntro}</p>
<form method="post" action="/admin/people/erase">${csrf(viewer)}<input type="hidden" name="email" value="${email}"><p class="actions"><button type="submit" class="secondary">${say(p.erase, { email })}</button></p></form>`;
  if (!held) {
    return layout(site, email, html`<div class="notice" role="status"><p>${p.nothing}</p></div>\n${eraseForm}\n<h2>${p.another}</h2>\n${searchForm(site, viewer)}`, viewer, 'people');
  }
  const record = held as Partial<Record<string, unknown>> & HeldRecord;
  const text = (name: string) => (typeof record[name] === 'string' ? (record[name] as string) : undefined);
  const date = (name: string) => {
    const at = text(name);
    return at ? html`<time datetime="${at}">${when(site, at)}</time>` : undefined;
  };
  const lists = Array.isArray(record.lists) ? (record.lists as string[]).join(', ') : undefined;
  const consent = record.consent as { signup?: ConsentEvent; confirmation?: ConsentEvent } | undefined;
  const suppression = record.suppression as { reason: string; at: string } | undefined;
  const facts = html`<dl class="facts">
${row(c.exports.status, text('status'))}${row(t.widget.signup.name, text('name'))}${row(p.lists, lists)}${row(p.lang, text('lang'))}${row(p.source, text('source'))}${row(p.subscribedAt, date('subscribedAt'))}${row(p.confirmedAt, date('confirmedAt'))}${row(p.unsubscribedAt, date('unsubscribedAt'))}${row(p.suppressed, suppression && html`${suppression.reason}, <time datetime="${suppression.at}">${when(site, suppression.at)}</time>`)}</dl>`;
  const evidence = consent
    ? html`<h2>${p.consent}</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">${p.step}</th><th scope="col">${c.audit.when}</th><th scope="col">${p.page}</th><th scope="col">${p.wording}</th><th scope="col">${p.browser}</th><th scope="col">${c.audit.ip}</th><th scope="col">${p.how}</th></tr></thead>
<tbody>
${consentRows(site, p.signup, consent.signup)}${consentRows(site, p.confirmation, consent.confirmation)}
</tbody></table></div>`
    : '';
  const donations = held.donations.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${c.audit.when}</th><th scope="col">${t.dashboard.campaign}</th><th scope="col">${p.amount}</th><th scope="col">${p.frequency}</th><th scope="col">${c.exports.status}</th><th scope="col">${t.dashboard.refundedColumn}</th><th scope="col">${t.widget.signup.name}</th></tr></thead>
<tbody>
${held.donations.map(
  (gift) => html`<tr><td><time datetime="${gift.createdAt}">${when(site, gift.createdAt)}</time></td><td class="mono">${gift.campaign ?? ''}</td><td>${gift.amount !== undefined && gift.currency ? formatAmount(t.locale.numbers, gift.amount, gift.currency) : ''}</td><td>${gift.frequency ?? ''}</td><td class="mono">${gift.status}</td><td>${gift.refunded && gift.currency ? formatAmount(t.locale.numbers, gift.refunded, gift.currency) : ''}</td><td>${gift.name ?? ''}</td></tr>`,
)}
</tbody></table></div>
<p class="hint">${p.donationsKept}</p>`
    : html`<p>${p.noDonations}</p>`;
  return layout(
    site,
    email,
    html`<p>${p.heldIntro}</p>
${facts}
${evidence}
<h2>${c.exports.kinds.donations}</h2>
${donations}
<details class="chart-data"><summary>${p.asStored}</summary><pre class="mono">${JSON.stringify(held, null, 2)}</pre></details>
${eraseForm}
<h2>${p.another}</h2>
${searchForm(site, viewer)}`,
    viewer,
    'people',
  );
};

/**
 * The erase's second step: names the address, says what an erase does and keeps, and asks for the address again
 * (typed, not pasted from a link), so that nobody erases the wrong person with one click.
 */
export const confirmErasePage = (site: Brand, viewer: Viewer, email: string, problem?: FormProblem) => {
  const { c, say, t } = words(site);
  const p = c.people;
  return layout(
    site,
    say(p.confirmTitle, { email }),
    html`${alert(problem)}<div class="notice"><p>${p.confirmText}</p></div>
<form method="post" action="/admin/people/erase">${csrf(viewer)}<input type="hidden" name="email" value="${email}">
<div class="field"><label for="confirm">${say(p.confirmLabel, { email })}</label><input id="confirm" name="confirm" type="email" required autocomplete="off"${problem ? html` aria-invalid="true"` : ''}></div>
<p class="actions"><button type="submit">${say(p.erase, { email })}</button> <a href="/admin/people">${p.cancel}</a></p>
</form>`,
    viewer,
    'people',
    { titlePrefix: problem ? t.page.errorPrefix : undefined },
  );
};

/** After an erase: what was done. */
export const erasedPage = (site: Brand, viewer: Viewer, email: string) => {
  const { c, say } = words(site);
  const p = c.people;
  return layout(site, p.erasedTitle, html`<div class="notice" role="status"><p>${say(p.erased, { email })}</p></div>\n<h2>${p.another}</h2>\n${searchForm(site, viewer)}`, viewer, 'people');
};
