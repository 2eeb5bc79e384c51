import type { IncomingMessage, ServerResponse } from 'node:http';
import { join as joinPath } from 'node:path';
import { html, join } from '../../functions/core/shared/template.js';
import { localPage } from './local-page.js';
import { prefersHtml } from '../../functions/platform/http/accept.js';
import { ListmonkStandIn } from '../stand-ins/listmonk.js';
import { MailchimpStandIn } from '../stand-ins/mailchimp.js';

// The newsletter tools' stand-ins (never deployed): Mailchimp's Marketing API under `/_local/mailchimp/3.0/…` and
// listmonk's under `/_local/listmonk/api/…`, on the demo site's port (the newsroom's side): Appeal never calls its
// own API's address, the guard against server-side request forgery refuses it, so the tools cannot live there.
// Each keeps its members in the data folder (`mailchimp.json`, `listmonk.json`, replaced atomically at each
// change). `GET /_local/connectors` on the API's port lists what each holds, as the outbox lists mail.

/** The local Mailchimp account: its API key (data centre `us1`) and one audience with the merge fields Appeal fills. */
export const LOCAL_MAILCHIMP = {
  apiKey: 'appeal0local0mailchimp0key000000-us1',
  list: 'appeal1',
  mergeFields: ['FNAME', 'LNAME', 'DONOR', 'LASTGIFT', 'LASTAMT', 'TOTALGIVEN'],
} as const;

/** The local listmonk: its API user and token, and its one list. */
export const LOCAL_LISTMONK = {
  username: 'appeal',
  token: 'appeal-local-listmonk-token',
  lists: [{ id: 1, name: 'Newsletter', type: 'public', optin: 'double' }],
} as const;

export const MAILCHIMP_PREFIX = '/_local/mailchimp';
export const LISTMONK_PREFIX = '/_local/listmonk';

export interface ConnectorStandIns {
  mailchimp: MailchimpStandIn;
  listmonk: ListmonkStandIn;
}

/** Both stand-ins, their state taken up from the data folder. */
export const openConnectorStandIns = (dataDir: string): ConnectorStandIns => ({
  mailchimp: new MailchimpStandIn({
    apiKey: LOCAL_MAILCHIMP.apiKey,
    lists: { [LOCAL_MAILCHIMP.list]: { name: 'Appeal readers (local)', mergeFields: LOCAL_MAILCHIMP.mergeFields } },
    stateFile: joinPath(dataDir, 'mailchimp.json'),
  }),
  listmonk: new ListmonkStandIn({
    username: LOCAL_LISTMONK.username,
    token: LOCAL_LISTMONK.token,
    lists: LOCAL_LISTMONK.lists.map((l) => ({ ...l })),
    stateFile: joinPath(dataDir, 'listmonk.json'),
  }),
});

/** Answers a request to one of the tools' APIs (any method); false for any other path. */
export const serveConnectorApis = async (req: IncomingMessage, res: ServerResponse, standIns: ConnectorStandIns) => {
  const { pathname } = new URL(req.url ?? '/', 'http://local');
  for (const [prefix, standIn] of [
    [MAILCHIMP_PREFIX, standIns.mailchimp],
    [LISTMONK_PREFIX, standIns.listmonk],
  ] as const) {
    if (pathname.startsWith(`${prefix}/`)) {
      await standIn.serve(req, res, pathname.slice(prefix.length));
      return true;
    }
  }
  return false;
};

/** What `GET /_local/connectors` shows: how to connect each tool, and whom each holds. */
export const connectorStandInsView = (standIns: ConnectorStandIns, toolsUrl: string) => ({
  mailchimp: {
    apiUrl: `${toolsUrl}${MAILCHIMP_PREFIX}`,
    apiKey: LOCAL_MAILCHIMP.apiKey,
    list: LOCAL_MAILCHIMP.list,
    members: standIns.mailchimp.members(LOCAL_MAILCHIMP.list),
  },
  listmonk: {
    url: `${toolsUrl}${LISTMONK_PREFIX}`,
    username: LOCAL_LISTMONK.username,
    token: LOCAL_LISTMONK.token,
    lists: LOCAL_LISTMONK.lists,
    subscribers: standIns.listmonk.subscribers(),
  },
});

type View = ReturnType<typeof connectorStandInsView>;

const STYLE = `
  pre { background: #fff; border: 1px solid #d0d0cc; padding: 0.5rem; overflow-x: auto; font-size: 0.85rem; }
  .table { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: 0.9rem; }
  th, td { text-align: left; border: 1px solid #d0d0cc; padding: 0.3rem 0.5rem; vertical-align: top; overflow-wrap: anywhere; }
  code { font-family: ui-monospace, monospace; font-size: 0.85rem; }
`;

const table = (heads: readonly string[], rows: readonly (readonly string[])[], empty: string) =>
  rows.length
    ? html`<div class="table"><table><thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${join(rows.map((cells) => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`), '\n')}
</tbody></table></div>`
    : html`<p>${empty}</p>`;

export const connectorStandInsPage = (view: View) => {
  const { mailchimp, listmonk } = view;
  const members = mailchimp.members.map((m) => [
    m.email_address,
    m.status,
    Object.entries(m.merge_fields).map(([k, v]) => `${k}=${String(v)}`).join(' '),
    m.language,
    m.timestamp_signup,
    m.timestamp_opt,
  ]);
  const subscribers = listmonk.subscribers.map((s) => [
    s.email,
    s.name,
    s.status,
    s.subscriptions.map((l) => `list ${l.listId}: ${l.status}`).join(', '),
    JSON.stringify(s.attribs),
  ]);
  return localPage({
    title: 'Newsletter tools',
    about: 'the local Mailchimp and listmonk',
    style: STYLE,
    body: html`<h1>Newsletter tools</h1>
<p>What the local stand-ins of Mailchimp and listmonk hold. Tools get the same as JSON here (<code>Accept: application/json</code>).</p>
<h2>Mailchimp: audience ${mailchimp.list}</h2>
<pre>npm run admin -- connector add mailchimp --api-key ${mailchimp.apiKey} --list ${mailchimp.list} --api-url ${mailchimp.apiUrl}</pre>
${table(['Address', 'Status', 'Merge fields', 'Language', 'Signed up', 'Opted in'], members, 'No member yet.')}
<h2>listmonk</h2>
<pre>npm run admin -- connector add listmonk --url ${listmonk.url} --username ${listmonk.username} --token ${listmonk.token} --lists ${listmonk.lists.map((l) => l.id).join(',')}</pre>
${table(['Address', 'Name', 'Status', 'Lists', 'Attributes'], subscribers, 'No subscriber yet.')}`,
  });
};

/** Answers `GET /_local/connectors`; false for any other request. */
export const serveConnectorStandInsPage = (req: IncomingMessage, res: ServerResponse, view: () => View) => {
  const { pathname } = new URL(req.url ?? '/', 'http://local');
  if (pathname !== '/_local/connectors' || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const wantsHtml = prefersHtml(req.headers.accept);
  res.writeHead(200, {
    'content-type': wantsHtml ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    vary: 'accept',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : wantsHtml ? connectorStandInsPage(view()) : JSON.stringify(view(), null, 2));
  return true;
};
