import type { IncomingMessage, ServerResponse } from 'node:http';
import type { deliveryView, endpointView } from '../../functions/core/events/admin.js';
import { prefersHtml } from '../../functions/platform/http/accept.js';
import { html, join } from '../../functions/core/shared/template.js';
import { localPage } from './local-page.js';

// Every webhook endpoint's deliveries, as the outbox shows mail (never deployed): `GET /_local/webhooks` is JSON for
// tools, a page for a browser. The same log the admin API gives (`GET /v1/admin/webhooks/{id}/deliveries`), for
// every endpoint at once and without a token: the dev server's data is the developer's own.

export type EndpointLog = ReturnType<typeof endpointView> & { deliveries: ReturnType<typeof deliveryView>[] };

const STYLE = `
  .meta { color: #4a4a4a; font-size: 0.9rem; margin: 0 0 0.5rem; overflow-wrap: anywhere; }
  .table { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: 0.9rem; }
  th, td { text-align: left; border: 1px solid #d0d0cc; padding: 0.3rem 0.5rem; vertical-align: top; }
  td.id { font-family: ui-monospace, monospace; font-size: 0.8rem; overflow-wrap: anywhere; }
  .delivered { color: #1e6b2e; } .failed { color: #a4161a; } .pending { color: #7a5300; }
`;

const when = (iso: string) => html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}</time>`;

export const webhooksPage = (logs: readonly EndpointLog[]) => {
  const sections = logs.map((endpoint) => {
    const rows = endpoint.deliveries.map(
      (d) =>
        html`<tr><td class="id">${d.id}</td><td>${d.type}</td><td>${d.attempt}</td><td class="${d.status}">${d.status}</td><td>${d.responseStatus ?? d.error ?? '–'}</td><td>${d.latencyMs === undefined ? '–' : `${d.latencyMs} ms`}</td><td>${when(d.at)}</td></tr>`,
    );
    const table = rows.length
      ? html`<div class="table"><table><thead><tr><th scope="col">Delivery (webhook-id)</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Status</th><th scope="col">Answer</th><th scope="col">Latency</th><th scope="col">At</th></tr></thead>
<tbody>
${join(rows, '\n')}
</tbody></table></div>`
      : html`<p>No delivery yet.</p>`;
    return html`<section>
<h2>${endpoint.url}</h2>
<p class="meta">${endpoint.id} · ${endpoint.status}${endpoint.failingSince ? html` · failing since ${when(endpoint.failingSince)}` : ''} · ${endpoint.events.join(', ')}${endpoint.description ? ` · ${endpoint.description}` : ''}</p>
${table}
</section>`;
  });
  const body = logs.length
    ? join(sections, '\n')
    : html`<p>No endpoint yet. Add one with <code>npm run admin -- webhook add --url http://127.0.0.1:PORT/ --events '*'</code>, then reload this page.</p>`;
  return localPage({
    title: 'Webhook deliveries',
    about: 'every signed event and what each endpoint answered',
    style: STYLE,
    body: html`<h1>Webhook deliveries</h1>
<p>Each endpoint's last 100 deliveries, newest first. Tools get the same as JSON here (<code>Accept: application/json</code>).</p>
${body}`,
  });
};

/** Answers `/_local/webhooks`; false for any other path. */
export const serveWebhooks = async (req: IncomingMessage, res: ServerResponse, pathname: string, load: () => Promise<EndpointLog[]>) => {
  if (pathname !== '/_local/webhooks') return false;
  const logs = await load();
  const wantsHtml = prefersHtml(req.headers.accept);
  res.writeHead(200, {
    'content-type': wantsHtml ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    vary: 'accept',
    'x-content-type-options': 'nosniff',
  });
  res.end(wantsHtml ? webhooksPage(logs) : JSON.stringify(logs, null, 2));
  return true;
};
