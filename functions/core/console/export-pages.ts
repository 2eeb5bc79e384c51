import { EXPORT_FILE_DAYS } from '../admin/exports/exports.js';
import { DonationStatus, type ExportJob } from '../admin/exports/model.js';
import type { Brand } from '../shared/brand.js';
import { html, type Html } from '../shared/template.js';
import { SubscriberStatus } from '../subscriptions/model.js';
import type { FormProblem } from './campaign-pages.js';
import { exportKinds } from './exports.js';
import { csrf, layout, type Viewer, when, words } from './pages.js';

/** The export form as the editor filled it (blank: no filter). */
export type ExportFormValues = Partial<Record<'kind' | 'status' | 'list' | 'campaign' | 'since' | 'until', string>>;

/** How often a running export's page reloads itself. */
export const PROGRESS_REFRESH_SECONDS = 2;

const STATUSES: Record<string, readonly string[]> = { subscribers: SubscriberStatus.options, donations: DonationStatus.options };

/** A job's filters in a line: `status confirmed · list news · since 1 Nov 2026`. */
const filtersOf = (site: Brand, job: ExportJob): Html => {
  const { c, t } = words(site);
  const f = job.filters;
  const parts: Html[] = [];
  if (f.status) parts.push(html`${c.exports.status} <span class="mono">${f.status}</span>`);
  if (f.list) parts.push(html`${c.exports.list} <span class="mono">${f.list}</span>`);
  if (f.campaign) parts.push(html`${t.dashboard.campaign} <span class="mono">${f.campaign}</span>`);
  if (f.since) parts.push(html`${c.exports.since} ${when(site, f.since)}`);
  if (f.until) parts.push(html`${c.exports.until} ${when(site, f.until)}`);
  return parts.length ? html`${parts.map((part, i) => html`${i ? ' · ' : ''}${part}`)}` : html`<span class="muted">${c.exports.noFilters}</span>`;
};

const kindName = (site: Brand, kind: string) => {
  const kinds: Record<string, string> = words(site).c.exports.kinds;
  return kinds[kind] ?? kind;
};

const stateName = (site: Brand, status: ExportJob['status']) => words(site).c.exports.states[status];

const select = (id: string, label: string, options: Html, hint?: string) =>
  html`<div class="field"><label for="${id}">${label}</label>${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}<select id="${id}" name="${id}"${hint ? html` aria-describedby="${id}-hint"` : ''}>${options}</select></div>`;

const option = (value: string, label: string, selected: string | undefined) => html`<option value="${value}"${value === (selected ?? '') ? html` selected` : ''}>${label}</option>`;

/**
 * `/admin/exports` (exporters): the form with the admin API's filters (a status of the other kind, a list or a
 * campaign that is not there, is refused with the API's words) and the history of past exports: who, when, the
 * filters, the rows, and a download link while the file is kept.
 */
export const exportsPage = (
  site: Brand,
  viewer: Viewer,
  data: { lists: readonly string[]; campaigns: readonly string[]; history: { job: ExportJob; downloadable: boolean }[]; values?: ExportFormValues; problem?: FormProblem | undefined },
) => {
  const { c, say, t } = words(site);
  const k = c.exports;
  const v = data.values ?? {};
  const statuses = html`${option('', k.any, v.status)}${exportKinds().filter((kind) => STATUSES[kind]).map(
    (kind) => html`<optgroup label="${kindName(site, kind)}">${(STATUSES[kind] ?? []).map((s) => option(s, s, v.status))}</optgroup>`,
  )}`;
  const form = html`<form method="post" action="/admin/exports">${csrf(viewer)}
${select('kind', k.kind, html`${exportKinds().map((kind) => option(kind, kindName(site, kind), v.kind ?? exportKinds()[0]))}`)}
${select('status', k.status, statuses, k.statusHint)}
${select('list', k.list, html`${option('', k.any, v.list)}${data.lists.map((list) => option(list, list, v.list))}`, k.listHint)}
${select('campaign', t.dashboard.campaign, html`${option('', k.any, v.campaign)}${data.campaigns.map((id) => option(id, id, v.campaign))}`, k.campaignHint)}
<div class="inline">
<div class="field"><label for="since">${k.since}</label><input id="since" name="since" type="date" value="${v.since ?? ''}"${data.problem?.field === 'since' ? html` aria-invalid="true"` : ''}></div>
<div class="field"><label for="until">${k.until}</label><input id="until" name="until" type="date" value="${v.until ?? ''}"${data.problem?.field === 'until' ? html` aria-invalid="true"` : ''}></div>
</div>
<p class="hint">${k.datesHint}</p>
<p class="actions"><button type="submit">${k.start}</button></p>
</form>`;
  const rows = data.history.map(
    ({ job, downloadable }) => html`<tr><td><a href="/admin/exports/${job.id}"><time datetime="${job.createdAt}">${when(site, job.createdAt)}</time></a></td><td>${job.by ?? html`<span class="muted">${k.unknownWho}</span>`}</td><td>${kindName(site, job.kind)}</td><td>${filtersOf(site, job)}</td><td>${stateName(site, job.status)}</td><td>${job.rows}</td>
<td>${downloadable ? html`<a href="/admin/exports/${job.id}/download">${say(k.download, { kind: kindName(site, job.kind) })}</a>` : job.status === 'done' ? html`<span class="muted">${k.deleted}</span>` : ''}</td></tr>`,
  );
  const history = data.history.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${k.when}</th><th scope="col">${k.who}</th><th scope="col">${k.kind}</th><th scope="col">${k.filters}</th><th scope="col">${c.campaigns.state}</th><th scope="col">${k.rows}</th><th scope="col">${k.file}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`
    : html`<p>${k.none}</p>`;
  return layout(
    site,
    c.nav.exports,
    html`${data.problem && html`<div class="alert" role="alert"><p>${data.problem.message}</p></div>\n`}<p>${k.intro}</p>
${form}
<h2>${k.history}</h2>
<p>${say(k.historyIntro, { days: String(EXPORT_FILE_DAYS) })}</p>
${history}`,
    viewer,
    'exports',
    { titlePrefix: data.problem ? t.page.errorPrefix : undefined },
  );
};

/**
 * `/admin/exports/{id}`: one export. While it runs, the page reloads itself every few seconds (a meta refresh: no
 * script) and says how many rows are written; once done, its download link while the file is kept.
 */
export const exportPage = (site: Brand, viewer: Viewer, data: { job: ExportJob; downloadable: boolean }) => {
  const { c, say } = words(site);
  const k = c.exports;
  const { job } = data;
  const state =
    job.status === 'running'
      ? html`<div class="notice" role="status"><p>${say(k.running, { rows: String(job.rows) })}</p></div>`
      : job.status === 'failed'
        ? html`<div class="alert" role="alert"><p>${k.failed}</p></div>`
        : html`<div class="notice" role="status"><p>${say(k.done, { rows: String(job.rows) })}</p></div>
${data.downloadable ? html`<p class="actions"><a class="button" href="/admin/exports/${job.id}/download">${say(k.download, { kind: kindName(site, job.kind) })}</a></p>` : html`<p>${say(k.deletedLong, { days: String(EXPORT_FILE_DAYS) })}</p>`}`;
  return layout(
    site,
    say(k.exportTitle, { kind: kindName(site, job.kind) }),
    html`${state}
<dl class="facts">
<dt>${k.when}</dt><dd><time datetime="${job.createdAt}">${when(site, job.createdAt)}</time></dd>
<dt>${k.who}</dt><dd>${job.by ?? k.unknownWho}</dd>
<dt>${k.filters}</dt><dd>${filtersOf(site, job)}</dd>
<dt>${c.campaigns.state}</dt><dd>${stateName(site, job.status)}</dd>
<dt>${k.rows}</dt><dd>${job.rows}</dd>
</dl>
<p><a href="/admin/exports">${k.back}</a></p>`,
    viewer,
    'exports',
    { refreshSeconds: job.status === 'running' ? PROGRESS_REFRESH_SECONDS : undefined },
  );
};
