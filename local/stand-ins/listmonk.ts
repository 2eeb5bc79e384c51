import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileAtomic } from './journal.js';

/**
 * A local stand-in for the part of listmonk's API that the connector uses, built from listmonk's swagger file
 * (docs/swagger/collections.yaml), its API docs and its handlers and queries: an API user's credentials as Basic
 * auth or `Authorization: token user:token` (anything else is 403, as listmonk answers it), `POST /api/subscribers`
 * (`preconfirm_subscriptions`, `status`, `lists`, `attribs`; 409 "E-mail already exists." for a known address,
 * whatever its case), `PATCH /api/subscribers/{id}` (attributes merged), `PUT /api/subscribers/lists` (`add`,
 * `remove`, `unsubscribe`), `GET /api/subscribers` with list and status filters and the few SQL conditions the
 * connector sends (any other expression is refused, where listmonk would run it), blocklisting, and listmonk's
 * error body `{"message": ...}`. A blocklisted subscriber's subscriptions are `unsubscribed`, as listmonk's
 * queries make them.
 */

export type SubscriberStatus = 'enabled' | 'disabled' | 'blocklisted';
export type SubscriptionStatus = 'unconfirmed' | 'confirmed' | 'unsubscribed';
const SUBSCRIBER_STATUSES: readonly string[] = ['enabled', 'disabled', 'blocklisted'];
const SUBSCRIPTION_STATUSES: readonly string[] = ['unconfirmed', 'confirmed', 'unsubscribed'];

export interface ListmonkList {
  id: number;
  name: string;
  type: 'public' | 'private';
  optin: 'single' | 'double';
}

interface Subscription {
  listId: number;
  status: SubscriptionStatus;
  createdAt: string;
  updatedAt: string;
}

export interface ListmonkSubscriber {
  id: number;
  uuid: string;
  email: string;
  name: string;
  attribs: Record<string, unknown>;
  status: SubscriberStatus;
  created_at: string;
  updated_at: string;
  subscriptions: Subscription[];
}

interface State {
  nextId: number;
  subscribers: ListmonkSubscriber[];
}

export interface ListmonkStandInOptions {
  /** The API user and its token (Admin → Users in listmonk). */
  username: string;
  token: string;
  lists: readonly ListmonkList[];
  /** Where to keep the subscribers between runs (a JSON file); in memory only when absent. */
  stateFile?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** listmonk writes times with microseconds and an offset: `2026-11-25T10:00:00.000000+00:00`. */
const listmonkTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
const instantOf = (time: string) => Date.parse(time.replace(/(\.\d{3})\d{3}/, '$1'));

// listmonk's own check (net/mail's ParseAddress) accepts at least this much; it never accepts less.
const EMAIL = /^[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+$/;

/** The conditions of `GET /api/subscribers?query=` the stand-in evaluates: column, operator, quoted value. */
const CONDITION = /^\s*(subscribers\.email|subscribers\.status|subscribers\.updated_at|subscribers\.created_at|subscriber_lists\.updated_at)\s*(=|>=|>|<=|<)\s*'((?:[^']|'')*)'\s*$/i;

export class ListmonkStandIn {
  private state: State = { nextId: 1, subscribers: [] };
  private server: Server | undefined;

  constructor(private readonly options: ListmonkStandInOptions) {
    if (options.stateFile && existsSync(options.stateFile)) this.state = JSON.parse(readFileSync(options.stateFile, 'utf8')) as State;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => void this.serve(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close() {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server ? this.server.close(() => resolve()) : resolve();
    });
  }

  /**
   * Answers one request as listmonk would; `pathname` is the API's path (`/api/…`) when the stand-in is mounted
   * under a prefix of another server (the dev server's `/_local/listmonk`).
   */
  async serve(req: IncomingMessage, res: ServerResponse, pathname?: string) {
    await this.handle(req, res, pathname).catch((error: unknown) => this.send(res, 500, { message: error instanceof Error ? error.message : 'error' }));
  }

  /** The lists it serves. */
  get lists() {
    return this.options.lists;
  }

  /** The subscribers as listmonk holds them, for tests and the dev server's pages. */
  subscribers(): ListmonkSubscriber[] {
    return this.state.subscribers;
  }

  subscriber(email: string): ListmonkSubscriber | undefined {
    return this.state.subscribers.find((s) => s.email === email.toLowerCase());
  }

  /** What a reader does in listmonk itself: unsubscribes from a list by its link, or from everything (blocklisted). */
  unsubscribeAsReader(email: string, options: { listId?: number; blocklist?: boolean }, at = new Date()) {
    const subscriber = this.subscriber(email);
    if (!subscriber) throw new Error('No such subscriber.');
    const time = listmonkTime(at);
    for (const sub of subscriber.subscriptions) {
      if (options.blocklist || sub.listId === options.listId) {
        sub.status = 'unsubscribed';
        sub.updatedAt = time;
      }
    }
    if (options.blocklist) {
      subscriber.status = 'blocklisted';
      subscriber.updated_at = time;
    }
    this.save();
  }

  private save() {
    if (this.options.stateFile) writeFileAtomic(this.options.stateFile, JSON.stringify(this.state));
  }

  private send(res: ServerResponse, status: number, body: unknown) {
    if (res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(`${JSON.stringify(body)}\n`);
  }

  /**
   * listmonk's auth middleware: any failure is 403. A header it cannot parse carries the parser's error as echo
   * prints it (`code=400, message=...`), wrapped in the 403.
   */
  private authenticate(req: IncomingMessage) {
    const header = (req.headers.authorization ?? '').trim();
    if (!header) throw new HttpError(403, 'invalid session');
    const unparsable = (message: string) => new HttpError(403, `code=400, message=${message}`);
    let pair: string[];
    if (header.startsWith('token')) {
      pair = header.slice('token'.length).trim().split(/:(.*)/s, 2);
    } else if (header.startsWith('Basic')) {
      const encoded = header.slice('Basic'.length).trim();
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw unparsable('invalid Base64 value in Basic Authorization header');
      pair = Buffer.from(encoded, 'base64').toString('utf8').split(/:(.*)/s, 2);
    } else {
      throw unparsable('unknown Authorization scheme');
    }
    if (pair.length < 2) throw unparsable('api_key:token missing');
    if (!pair[0] || !pair[1]) throw unparsable('empty `api_key` or `token`');
    if (pair[0] !== this.options.username || pair[1] !== this.options.token) throw new HttpError(403, 'invalid API credentials');
  }

  private async handle(req: IncomingMessage, res: ServerResponse, pathname?: string) {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      this.authenticate(req);
      const url = new URL(req.url ?? '/', 'http://local');
      if (pathname !== undefined) url.pathname = pathname;
      const raw = Buffer.concat(chunks).toString('utf8');
      const data = this.route(req.method ?? 'GET', url, raw);
      this.send(res, 200, { data });
    } catch (error) {
      if (error instanceof HttpError) this.send(res, error.status, { message: error.message });
      else throw error;
    }
  }

  private body(raw: string): Record<string, unknown> {
    try {
      const parsed: unknown = JSON.parse(raw || '{}');
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // answered below, as echo's binder answers a body it cannot read
    }
    throw new HttpError(400, 'Request body can not be unmarshalled');
  }

  private route(method: string, url: URL, raw: string): unknown {
    const path = url.pathname.replace(/\/$/, '');
    if (path === '/api/health' && method === 'GET') return true;
    if (path === '/api/lists' && method === 'GET') {
      const results = this.options.lists.map((l) => ({ ...l, uuid: `00000000-0000-4000-8000-${String(l.id).padStart(12, '0')}`, tags: [] }));
      return { results, total: results.length, per_page: results.length, page: 1 };
    }
    if (path === '/api/subscribers' && method === 'GET') return this.query(url.searchParams);
    if (path === '/api/subscribers' && method === 'POST') return this.create(this.body(raw));
    if (path === '/api/subscribers/lists' && method === 'PUT') return this.manageLists(this.body(raw));
    if (path === '/api/subscribers/blocklist' && method === 'PUT') return this.blocklist(this.ids(this.body(raw).ids));
    const one = /^\/api\/subscribers\/(\d+)(\/blocklist)?$/.exec(path);
    if (one) {
      const subscriber = this.byId(Number(one[1]));
      if (one[2] && method === 'PUT') return this.blocklist([subscriber.id]);
      if (!one[2] && method === 'GET') return this.view(subscriber);
      if (!one[2] && method === 'PATCH') return this.patch(subscriber, this.body(raw));
      if (!one[2] && method === 'DELETE') {
        this.state.subscribers = this.state.subscribers.filter((s) => s !== subscriber);
        this.save();
        return true;
      }
      throw new HttpError(405, 'Method Not Allowed');
    }
    throw new HttpError(404, 'Not Found');
  }

  private byId(id: number) {
    if (!(id >= 1)) throw new HttpError(400, 'Invalid ID(s)');
    const subscriber = this.state.subscribers.find((s) => s.id === id);
    if (!subscriber) throw new HttpError(404, 'Subscriber not found.');
    return subscriber;
  }

  private ids(value: unknown): number[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value) || !value.every((n) => Number.isInteger(n) && n > 0)) {
      throw new HttpError(400, 'One or more IDs are invalid: expected positive integers');
    }
    return value as number[];
  }

  private view(s: ListmonkSubscriber) {
    return {
      id: s.id,
      created_at: s.created_at,
      updated_at: s.updated_at,
      uuid: s.uuid,
      email: s.email,
      name: s.name,
      attribs: s.attribs,
      status: s.status,
      lists: s.subscriptions.flatMap((sub) => {
        const list = this.options.lists.find((l) => l.id === sub.listId);
        return list
          ? [{ subscription_status: sub.status, id: list.id, name: list.name, type: list.type, optin: list.optin, created_at: sub.createdAt, updated_at: sub.updatedAt }]
          : [];
      }),
    };
  }

  private knownLists(ids: number[]) {
    return ids.filter((id) => this.options.lists.some((l) => l.id === id));
  }

  private create(body: Record<string, unknown>) {
    const email = typeof body.email === 'string' ? body.email.trim() : '';
    if (email.length > 1000 || !EMAIL.test(email)) throw new HttpError(400, 'Invalid email.');
    const lower = email.toLowerCase();
    const status = body.status === undefined || body.status === '' ? 'enabled' : body.status;
    if (typeof status !== 'string' || !SUBSCRIBER_STATUSES.includes(status)) {
      throw new HttpError(500, `Error creating subscriber: invalid input value for enum subscriber_status: "${String(status)}"`);
    }
    if (body.attribs !== undefined && (typeof body.attribs !== 'object' || body.attribs === null || Array.isArray(body.attribs))) {
      throw new HttpError(400, 'Request body can not be unmarshalled');
    }
    const lists = this.knownLists(this.ids(body.lists));
    if (this.state.subscribers.some((s) => s.email === lower)) throw new HttpError(409, 'E-mail already exists.');
    const name =
      typeof body.name === 'string' && body.name.trim() !== ''
        ? body.name.trim()
        : (lower.split('@')[0] ?? '')
            .split('.')
            .filter(Boolean)
            .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
            .join(' ');
    const now = listmonkTime(new Date());
    const subscriptionStatus: SubscriptionStatus =
      status === 'blocklisted' ? 'unsubscribed' : body.preconfirm_subscriptions === true ? 'confirmed' : 'unconfirmed';
    const subscriber: ListmonkSubscriber = {
      id: this.state.nextId++,
      uuid: randomUUID(),
      email: lower,
      name,
      attribs: (body.attribs as Record<string, unknown> | undefined) ?? {},
      status: status as SubscriberStatus,
      created_at: now,
      updated_at: now,
      subscriptions: lists.map((listId) => ({ listId, status: subscriptionStatus, createdAt: now, updatedAt: now })),
    };
    this.state.subscribers.push(subscriber);
    this.save();
    return this.view(subscriber);
  }

  private patch(subscriber: ListmonkSubscriber, body: Record<string, unknown>) {
    if (body.email !== undefined) {
      if (typeof body.email !== 'string' || !EMAIL.test(body.email.trim())) throw new HttpError(400, 'Invalid email.');
      const lower = body.email.trim().toLowerCase();
      if (this.state.subscribers.some((s) => s !== subscriber && s.email === lower)) throw new HttpError(409, 'E-mail already exists.');
      subscriber.email = lower;
    }
    if (body.name !== undefined) {
      if (typeof body.name !== 'string' || body.name.trim() === '') throw new HttpError(400, 'Invalid length for name.');
      subscriber.name = body.name.trim();
    }
    if (body.status !== undefined) {
      if (typeof body.status !== 'string' || !SUBSCRIBER_STATUSES.includes(body.status)) {
        throw new HttpError(500, `Error updating subscriber: invalid input value for enum subscriber_status: "${String(body.status)}"`);
      }
      subscriber.status = body.status as SubscriberStatus;
    }
    if (body.attribs !== undefined) {
      if (typeof body.attribs !== 'object' || body.attribs === null || Array.isArray(body.attribs)) throw new HttpError(400, 'Request body can not be unmarshalled');
      // jsonb's || : a shallow merge, each given key replacing the stored one.
      subscriber.attribs = { ...subscriber.attribs, ...(body.attribs as Record<string, unknown>) };
    }
    const now = listmonkTime(new Date());
    if (body.lists !== undefined) {
      const lists = this.knownLists(this.ids(body.lists));
      const status: SubscriptionStatus = body.preconfirm_subscriptions === true ? 'confirmed' : 'unconfirmed';
      subscriber.subscriptions = lists.map(
        (listId) => subscriber.subscriptions.find((s) => s.listId === listId) ?? { listId, status, createdAt: now, updatedAt: now },
      );
    }
    if (subscriber.status === 'blocklisted') {
      for (const sub of subscriber.subscriptions) sub.status = 'unsubscribed';
    }
    subscriber.updated_at = now;
    this.save();
    return this.view(subscriber);
  }

  private manageLists(body: Record<string, unknown>) {
    const ids = this.ids(body.ids);
    if (ids.length === 0) throw new HttpError(400, 'No IDs given.');
    const listIds = this.ids(body.target_list_ids);
    if (listIds.length === 0) throw new HttpError(400, 'No lists given.');
    const subscribers = ids.map((id) => this.byId(id));
    const action = body.action;
    const now = listmonkTime(new Date());
    const status = body.status === undefined ? '' : body.status;
    if (action === 'add' && (typeof status !== 'string' || (status !== '' && !SUBSCRIPTION_STATUSES.includes(status)))) {
      throw new HttpError(500, `Error updating subscribers: invalid input value for enum subscription_status: "${String(status)}"`);
    }
    const known = this.knownLists(listIds);
    for (const subscriber of subscribers) {
      if (action === 'add') {
        // As listmonk's add-subscribers-to-lists query: a given status is set, none keeps an existing one.
        for (const listId of known) {
          const existing = subscriber.subscriptions.find((s) => s.listId === listId);
          if (existing) {
            if (status !== '') existing.status = status as SubscriptionStatus;
          } else {
            subscriber.subscriptions.push({ listId, status: (status || 'unconfirmed') as SubscriptionStatus, createdAt: now, updatedAt: now });
          }
        }
      } else if (action === 'remove') {
        subscriber.subscriptions = subscriber.subscriptions.filter((s) => !known.includes(s.listId));
      } else if (action === 'unsubscribe') {
        for (const sub of subscriber.subscriptions) {
          if (known.includes(sub.listId)) {
            sub.status = 'unsubscribed';
            sub.updatedAt = now;
          }
        }
      } else {
        throw new HttpError(400, 'Invalid action.');
      }
    }
    this.save();
    return true;
  }

  private blocklist(ids: number[]) {
    if (ids.length === 0) throw new HttpError(400, 'No IDs given.');
    const now = listmonkTime(new Date());
    for (const subscriber of ids.map((id) => this.byId(id))) {
      subscriber.status = 'blocklisted';
      subscriber.updated_at = now;
      for (const sub of subscriber.subscriptions) {
        sub.status = 'unsubscribed';
        sub.updatedAt = now;
      }
    }
    this.save();
    return true;
  }

  /** `GET /api/subscribers`: list and subscription-status filters, AND-ed conditions, ordering and pages. */
  private query(params: URLSearchParams) {
    const listIds = params.getAll('list_id').map(Number);
    if (listIds.some((id) => !Number.isInteger(id) || id < 1)) throw new HttpError(400, 'Invalid ID(s)');
    const subscriptionStatus = params.get('subscription_status') ?? '';
    if (subscriptionStatus !== '' && !SUBSCRIPTION_STATUSES.includes(subscriptionStatus)) {
      throw new HttpError(400, `Error preparing subscriber query: invalid input value for enum subscription_status: "${subscriptionStatus}"`);
    }
    const query = (params.get('query') ?? '').trim();
    const conditions = query === '' ? [] : query.split(/\s+AND\s+/i).map((part) => {
      const found = CONDITION.exec(part);
      if (!found) throw new HttpError(400, `Error preparing subscriber query: the stand-in does not evaluate "${part.trim()}"`);
      return { column: (found[1] ?? '').toLowerCase(), op: found[2] ?? '=', value: (found[3] ?? '').replace(/''/g, "'") };
    });
    if (conditions.some((c) => c.column.startsWith('subscriber_lists.')) && listIds.length === 0) {
      throw new HttpError(400, 'Error preparing subscriber query: missing FROM-clause entry for table "subscriber_lists"');
    }
    const compare = (left: string, op: string, right: string, asTime: boolean) => {
      const [a, b] = asTime ? [instantOf(left), Date.parse(right)] : [left, right];
      if (op === '=') return a === b;
      if (op === '>') return a > b;
      if (op === '>=') return a >= b;
      if (op === '<') return a < b;
      return a <= b;
    };
    const rows = this.state.subscribers.flatMap((s) => {
      // The LEFT JOIN on subscriber_lists: one row per matching subscription when lists are given.
      const joined = listIds.length === 0 ? [undefined] : s.subscriptions.filter((sub) => listIds.includes(sub.listId) && (subscriptionStatus === '' || sub.status === subscriptionStatus));
      return joined
        .filter((sub) =>
          conditions.every(({ column, op, value }) => {
            if (column === 'subscribers.email') return compare(s.email, op, value, false);
            if (column === 'subscribers.status') return compare(s.status, op, value, false);
            if (column === 'subscribers.updated_at') return compare(s.updated_at, op, value, true);
            if (column === 'subscribers.created_at') return compare(s.created_at, op, value, true);
            return sub !== undefined && compare(sub.updatedAt, op, value, true);
          }),
        )
        .map(() => s);
    });
    const unique = [...new Set(rows)];
    const orderBy = params.get('order_by') ?? '';
    const key = ['name', 'status', 'created_at', 'updated_at'].includes(orderBy) ? (orderBy as 'name' | 'status' | 'created_at' | 'updated_at') : 'id';
    const ascending = params.get('order') === 'ASC';
    unique.sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0) * (ascending ? 1 : -1));
    const perPageRaw = params.get('per_page');
    const perPage = perPageRaw === 'all' ? 0 : Math.min(Math.max(Number(perPageRaw) || 20, 1), 1000);
    const page = Math.max(Number(params.get('page')) || 1, 1);
    const results = perPage === 0 ? unique : unique.slice((page - 1) * perPage, page * perPage);
    return { results: results.map((s) => this.view(s)), query, search: '', total: unique.length, per_page: perPage === 0 ? unique.length : perPage, page };
  }
}
