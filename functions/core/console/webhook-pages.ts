import type { Brand } from '../shared/brand.js';
import { formatCount } from '../shared/i18n/format.js';
import { html, type Html } from '../shared/template.js';
import type { FormProblem } from './campaign-pages.js';
import { csrf, layout, type Viewer, when, words } from './pages.js';
import { type ConnectorListing, DELIVERY_PAGE, type WebhookFormValues } from './webhooks.js';

/** An endpoint as the admin API shows it (endpointView): never its secrets. */
export interface EndpointListing {
  id: string;
  url: string;
  events: readonly string[];
  description?: string;
  createdAt: string;
  status: string;
  disabledAt?: string;
  failingSince?: string;
}

/** A line of the delivery log as the admin API shows it (deliveryView). */
export interface DeliveryListing {
  id: string;
  type: string;
  attempt: number;
  status: 'delivered' | 'failed' | 'pending';
  responseStatus: number | null;
  at: string;
  latencyMs?: number;
  error?: string;
  nextAttemptAt?: string;
}

const alert = (problem: FormProblem | undefined) => problem && html`<div class="alert" role="alert"><p>${problem.message}</p></div>\n`;
const notice = (text: string | undefined) => text && html`<div class="notice" role="status"><p>${text}</p></div>\n`;
const time = (site: Brand, iso: string) => html`<time datetime="${iso}">${when(site, iso)}</time>`;

const field = (id: string, label: string, input: Html, hint?: string) =>
  html`<div class="field"><label for="${id}">${label}</label>${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}${input}</div>`;

/** An endpoint's state in words: enabled, failing since, or disabled since. */
const endpointState = (site: Brand, e: EndpointListing) => {
  const { say, c } = words(site);
  const k = c.webhooks;
  if (e.disabledAt) return html`<strong>${say(k.disabledSince, { date: when(site, e.disabledAt) })}</strong>`;
  return e.failingSince ? html`${k.enabled}<br><span class="muted">${say(k.failingSince, { date: when(site, e.failingSince) })}</span>` : k.enabled;
};

/**
 * `/admin/webhooks` (admins): every endpoint (URL, events, state, created) with its delivery log, a new secret and
 * removal (asked again on its own page); then the form to add one, with what was typed and its problem after a
 * refused post. `eventTypes` are the types an endpoint may listen to, `*` first.
 */
export const webhooksPage = (
  site: Brand,
  viewer: Viewer,
  data: { endpoints: EndpointListing[]; eventTypes: readonly string[]; values?: WebhookFormValues | undefined; problem?: FormProblem | undefined },
) => {
  const { c, say, t } = words(site);
  const k = c.webhooks;
  const rows = data.endpoints.map(
    (e) => html`<tr><th scope="row"><span class="mono">${e.url}</span>${e.description ? html`<br><span class="muted">${e.description}</span>` : ''}</th>
<td class="mono">${e.events.join(', ')}</td><td>${endpointState(site, e)}</td><td>${time(site, e.createdAt)}</td>
<td><a href="/admin/webhooks/${e.id}">${say(k.deliveriesOf, { url: e.url })}</a><br>
<form method="post" action="/admin/webhooks/${e.id}/rotate">${csrf(viewer)}<button type="submit" class="secondary">${say(k.rotate, { url: e.url })}</button></form><form method="post" action="/admin/webhooks/${e.id}/remove">${csrf(viewer)}<button type="submit" class="secondary">${say(k.removeNamed, { url: e.url })}</button></form></td></tr>`,
  );
  const table = data.endpoints.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${k.url}</th><th scope="col">${k.events}</th><th scope="col">${c.exports.status}</th><th scope="col">${c.tokens.created}</th><th scope="col">${c.editors.actions}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`
    : html`<p>${k.none}</p>`;
  const values = data.values ?? { url: '', events: [], description: '' };
  const invalid = (name: string) => (data.problem?.field?.split('.')[0] === name ? html` aria-invalid="true"` : '');
  const boxes = data.eventTypes.map(
    (type, i) =>
      html`<div class="choice"><input type="checkbox" id="event-${i}" name="events" value="${type}"${values.events.includes(type) ? html` checked` : ''}><label for="event-${i}">${type === '*' ? html`<span class="mono">*</span> ${k.allEvents}` : html`<span class="mono">${type}</span>`}</label></div>`,
  );
  const form = html`<h2>${k.add}</h2>
<form method="post" action="/admin/webhooks">${csrf(viewer)}
${field('url', k.url, html`<input id="url" name="url" type="url" required maxlength="2048" value="${values.url}" aria-describedby="url-hint"${invalid('url')}>`, k.urlHint)}
<fieldset aria-describedby="events-hint"${invalid('events')}><legend>${k.events}</legend><p class="hint" id="events-hint">${k.eventsHint}</p>
${boxes}
</fieldset>
${field('description', k.description, html`<input id="description" name="description" maxlength="200" value="${values.description}"${invalid('description')}>`)}
<p class="actions"><button type="submit">${k.addButton}</button></p>
</form>`;
  return layout(site, c.nav.webhooks, html`${alert(data.problem)}<p>${k.intro}</p>\n${table}\n${form}`, viewer, 'webhooks', {
    titlePrefix: data.problem ? t.page.errorPrefix : undefined,
  });
};

/**
 * The signing secret, shown this once: after an endpoint is added, or after a rotation (when the old secret keeps
 * signing until `previousExpiresAt`). Never cached, never shown again.
 */
export const webhookSecretPage = (site: Brand, viewer: Viewer, data: { endpoint: { id: string; url: string }; secret: string; previousExpiresAt?: string | undefined }) => {
  const { c, say } = words(site);
  const k = c.webhooks;
  return layout(
    site,
    data.previousExpiresAt ? k.rotatedTitle : k.addedTitle,
    html`<p class="mono">${data.endpoint.url}</p>
<div class="notice" role="status"><p>${k.secretOnce}</p></div>
<h2>${k.secretLabel}</h2>
<pre class="mono" id="secret">${data.secret}</pre>
${data.previousExpiresAt ? html`<p>${say(k.oldSecret, { date: when(site, data.previousExpiresAt) })}</p>\n` : ''}<p class="actions"><a class="button" href="/admin/webhooks/${data.endpoint.id}">${say(k.deliveriesOf, { url: data.endpoint.url })}</a> <a href="/admin/webhooks">${k.backToList}</a></p>`,
    viewer,
    'webhooks',
  );
};

/** The second step of removing an endpoint: the page names its URL and what removing does. */
export const removeWebhookPage = (site: Brand, viewer: Viewer, endpoint: EndpointListing) => {
  const { c, say } = words(site);
  const k = c.webhooks;
  return layout(
    site,
    say(k.confirmRemoveTitle, { url: endpoint.url }),
    html`<div class="notice"><p>${say(k.confirmRemoveText, { url: endpoint.url })}</p></div>
<form method="post" action="/admin/webhooks/${endpoint.id}/remove">${csrf(viewer)}<input type="hidden" name="confirm" value="yes">
<p class="actions"><button type="submit">${say(k.removeNamed, { url: endpoint.url })}</button> <a href="/admin/webhooks">${k.keep}</a></p>
</form>`,
    viewer,
    'webhooks',
  );
};

const deliveryRow = (site: Brand, viewer: Viewer, endpointId: string, d: DeliveryListing) => {
  const { c, say, lang } = words(site);
  const k = c.webhooks;
  const ms = (n: number) => new Intl.NumberFormat(lang, { style: 'unit', unit: 'millisecond', unitDisplay: 'short' }).format(n);
  const why = d.error && d.error in k.errors ? k.errors[d.error as keyof typeof k.errors] : d.error;
  const next = d.status === 'pending' && d.nextAttemptAt ? html`<br><span class="muted">${say(k.nextAttempt, { date: when(site, d.nextAttemptAt) })}</span>` : '';
  return html`<tr><th scope="row"><span class="mono">${d.type}</span><br><span class="mono muted">${d.id}</span></th>
<td>${k.statuses[d.status]}${why ? html`<br><span class="muted">${why}</span>` : ''}${next}</td><td>${d.responseStatus ?? '–'}</td><td>${d.latencyMs === undefined ? '–' : ms(d.latencyMs)}</td><td>${d.attempt}</td><td>${time(site, d.at)}</td>
<td><form method="post" action="/admin/webhooks/${endpointId}/deliveries/${d.id}/retry">${csrf(viewer)}<button type="submit" class="secondary" aria-label="${say(k.retryNamed, { id: d.id })}">${k.retry}</button></form></td></tr>`;
};

/**
 * `/admin/webhooks/{id}`: the endpoint's state (enabling it again when disabled), "replay everything since" a time,
 * and its delivery log, newest first, each line with a retry button. `done` says what a retry or replay just did.
 */
export const webhookPage = (
  site: Brand,
  viewer: Viewer,
  data: { endpoint: EndpointListing; deliveries: DeliveryListing[]; done?: string | undefined; since?: string | undefined; problem?: FormProblem | undefined },
) => {
  const { c, say, t } = words(site);
  const k = c.webhooks;
  const { endpoint } = data;
  const disabled =
    endpoint.disabledAt &&
    html`<div class="notice"><p>${say(k.disabledNotice, { date: when(site, endpoint.disabledAt) })}</p></div>
<form method="post" action="/admin/webhooks/${endpoint.id}/enable">${csrf(viewer)}<p class="actions"><button type="submit">${say(k.enable, { url: endpoint.url })}</button></p></form>
`;
  const log = data.deliveries.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${k.event}</th><th scope="col">${c.exports.status}</th><th scope="col">${k.response}</th><th scope="col">${k.latency}</th><th scope="col">${k.attempt}</th><th scope="col">${c.audit.when}</th><th scope="col"><span class="visually-hidden">${k.retry}</span></th></tr></thead>
<tbody>
${data.deliveries.map((d) => deliveryRow(site, viewer, endpoint.id, d))}
</tbody></table></div>`
    : html`<p>${k.noDeliveries}</p>`;
  const invalid = data.problem?.field === 'since' ? html` aria-invalid="true"` : '';
  return layout(
    site,
    say(k.deliveriesOf, { url: endpoint.url }),
    html`${alert(data.problem)}${notice(data.done)}<dl class="facts">
<dt>${k.events}</dt><dd class="mono">${endpoint.events.join(', ')}</dd>
<dt>${c.exports.status}</dt><dd>${endpointState(site, endpoint)}</dd>
<dt>${c.tokens.created}</dt><dd>${time(site, endpoint.createdAt)}</dd>
${endpoint.description ? html`<dt>${k.description}</dt><dd>${endpoint.description}</dd>\n` : ''}</dl>
${disabled || ''}<h2>${k.replayTitle}</h2>
<p>${k.replayIntro}</p>
<form method="post" action="/admin/webhooks/${endpoint.id}/replay" class="inline">${csrf(viewer)}
${field('since', k.since, html`<input id="since" name="since" type="datetime-local" required value="${data.since ?? ''}"${invalid}>`)}
<button type="submit" class="secondary">${k.replayButton}</button>
</form>
<h2>${k.logTitle}</h2>
<p>${say(k.logIntro, { n: DELIVERY_PAGE })}</p>
${log}
<p class="actions"><a href="/admin/webhooks">${k.backToList}</a></p>`,
    viewer,
    'webhooks',
    { titlePrefix: data.problem ? t.page.errorPrefix : undefined },
  );
};

/** What a replay did, in words. */
export const replayedText = (site: Brand, count: number) => {
  const { c, lang } = words(site);
  return formatCount(lang, count, c.webhooks.replayed);
};

/** A connector's name as the pages say it: Mailchimp's audience, or listmonk's address. */
export const connectorName = (site: Brand, connector: ConnectorListing) => {
  const { c, say } = words(site);
  return connector.kind === 'mailchimp' ? say(c.connectors.mailchimpName, { list: connector.list }) : say(c.connectors.listmonkName, { url: connector.url });
};

const backfillLine = (site: Brand, connector: ConnectorListing) => {
  const { c, say, lang } = words(site);
  const k = c.connectors;
  const b = connector.backfill;
  if (!b) return k.noBackfill;
  const number = (n: number) => new Intl.NumberFormat(lang).format(n);
  const values = { state: k.backfillStates[b.state], pushed: number(b.pushed), date: when(site, b.startedAt) };
  const line = b.total === undefined ? say(k.progressNoTotal, values) : say(k.progress, { ...values, total: number(b.total) });
  const percent = b.total ? Math.min(100, Math.floor((b.pushed / b.total) * 100)) : undefined;
  return html`${line}${b.finishedAt ? `, ${say(k.finished, { date: when(site, b.finishedAt) })}` : ''}${percent === undefined ? '' : html`<br><progress max="100" value="${percent}" aria-label="${line}">${percent}%</progress>`}${b.error ? html`<br><span class="muted">${say(k.failedBecause, { error: b.error })}</span>` : ''}`;
};

export type ConnectorKind = 'mailchimp' | 'listmonk';

/**
 * `/admin/connectors` (admins): every connector (tool, lists, created, its backfill's progress when it has one)
 * with a backfill of every confirmed reader (started, resumed or nudged) and removal (asked again on its own page); then a form for each tool, with what was typed (never a key or a
 * token) and its problem after a refused post.
 */
export const connectorsPage = (
  site: Brand,
  viewer: Viewer,
  data: { connectors: ConnectorListing[]; kind?: ConnectorKind | undefined; values?: Readonly<Record<string, string | undefined>> | undefined; problem?: FormProblem | undefined },
) => {
  const { c, say, t } = words(site);
  const k = c.connectors;
  const rows = data.connectors.map((cn) => {
    const name = connectorName(site, cn);
    const lists = cn.kind === 'mailchimp' ? cn.list : cn.lists.join(', ');
    return html`<tr><th scope="row">${name}<br><span class="mono muted">${cn.id}</span></th><td class="mono">${lists}</td><td>${time(site, cn.createdAt)}</td><td>${backfillLine(site, cn)}</td>
<td><form method="post" action="/admin/connectors/${cn.id}/backfill">${csrf(viewer)}<button type="submit">${say(k.backfillNamed, { name })}</button></form>
<form method="post" action="/admin/connectors/${cn.id}/remove">${csrf(viewer)}<button type="submit" class="secondary">${say(k.removeNamed, { name })}</button></form></td></tr>`;
  });
  const table = data.connectors.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${k.tool}</th><th scope="col">${k.lists}</th><th scope="col">${c.tokens.created}</th><th scope="col">${k.backfill}</th><th scope="col">${c.editors.actions}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`
    : html`<p>${k.none}</p>`;
  // Only the form that was posted shows its values and problem; keys and tokens are never written back.
  const of = (kind: ConnectorKind) => (data.kind === kind ? { values: data.values ?? {}, problem: data.problem } : { values: {}, problem: undefined });
  const input = (kind: ConnectorKind, name: string, label: string, attributes: Html, hint?: string) => {
    const { values, problem } = of(kind);
    const id = `${kind}-${name}`;
    const secret = name === 'apiKey' || name === 'token';
    return field(
      id,
      label,
      html`<input id="${id}" name="${name}"${secret ? '' : html` value="${values[name] ?? ''}"`}${attributes}${hint ? html` aria-describedby="${id}-hint"` : ''}${problem?.field === name ? html` aria-invalid="true"` : ''}>`,
      hint,
    );
  };
  const problemOf = (kind: ConnectorKind) => alert(of(kind).problem);
  const forms = html`<h2 id="add-mailchimp">${k.addMailchimp}</h2>
${problemOf('mailchimp')}<form method="post" action="/admin/connectors" aria-labelledby="add-mailchimp">${csrf(viewer)}<input type="hidden" name="kind" value="mailchimp">
${input('mailchimp', 'apiKey', k.apiKey, html` type="password" required autocomplete="off"`, k.apiKeyHint)}
${input('mailchimp', 'list', k.audience, html` required autocomplete="off"`)}
${input('mailchimp', 'apiUrl', k.apiUrl, html` type="url"`, k.apiUrlHint)}
<p class="actions"><button type="submit">${k.addButton}</button></p>
</form>
<h2 id="add-listmonk">${k.addListmonk}</h2>
${problemOf('listmonk')}<form method="post" action="/admin/connectors" aria-labelledby="add-listmonk">${csrf(viewer)}<input type="hidden" name="kind" value="listmonk">
${input('listmonk', 'url', k.listmonkUrl, html` type="url" required`)}
${input('listmonk', 'username', k.username, html` required autocomplete="off"`)}
${input('listmonk', 'token', k.token, html` type="password" required autocomplete="off"`)}
${input('listmonk', 'lists', k.listIds, html` required inputmode="numeric"`, k.listIdsHint)}
<p class="actions"><button type="submit">${k.addButton}</button></p>
</form>`;
  return layout(site, c.nav.connectors, html`<p>${k.intro}</p>\n${table}\n${forms}`, viewer, 'connectors', {
    titlePrefix: data.problem ? t.page.errorPrefix : undefined,
  });
};

/** After adding a connector: for Mailchimp its list webhook's URL, shown this once (it carries the secret). */
export const connectorAddedPage = (site: Brand, viewer: Viewer, connector: ConnectorListing, webhookUrl: string | undefined) => {
  const { c } = words(site);
  const k = c.connectors;
  const next = webhookUrl
    ? html`<h2>${k.webhookUrl}</h2>
<p>${k.webhookIntro}</p>
<pre class="mono" id="webhook-url">${webhookUrl}</pre>`
    : html`<p>${k.listmonkAdded}</p>`;
  return layout(
    site,
    k.addedTitle,
    html`<p>${connectorName(site, connector)} <span class="mono muted">${connector.id}</span></p>
${next}
<p class="actions"><a class="button secondary" href="/admin/connectors">${k.backToList}</a></p>`,
    viewer,
    'connectors',
  );
};

/** The second step of removing a connector: the page names the tool and what removing does. */
export const removeConnectorPage = (site: Brand, viewer: Viewer, connector: ConnectorListing) => {
  const { c, say } = words(site);
  const k = c.connectors;
  const name = connectorName(site, connector);
  return layout(
    site,
    say(k.confirmRemoveTitle, { name }),
    html`<div class="notice"><p>${say(k.confirmRemoveText, { name })}</p></div>
<form method="post" action="/admin/connectors/${connector.id}/remove">${csrf(viewer)}<input type="hidden" name="confirm" value="yes">
<p class="actions"><button type="submit">${say(k.removeNamed, { name })}</button> <a href="/admin/connectors">${c.webhooks.keep}</a></p>
</form>`,
    viewer,
    'connectors',
  );
};
