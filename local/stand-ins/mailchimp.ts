import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileAtomic } from './journal.js';

/**
 * A local stand-in for the part of Mailchimp's Marketing API (3.0) that the connector uses, built from Mailchimp's
 * published OpenAPI document (`Add or update list member`, `Update list member`, `Get member info`, `Delete list
 * member permanently`)
 * and its error glossary: Basic auth with the API key (its `-dc` suffix must be this data centre's), members keyed
 * by the MD5 of the lowercased address, `status_if_new` and `status`, merge fields checked against the list's
 * (an unknown tag is refused), and Mailchimp's refusals as problem+json bodies (`type`, `title`, `status`,
 * `detail`, `instance`): a member who unsubscribed themselves or was cleaned cannot be set to `subscribed` by the API
 * ("Member In Compliance State"; `pending`, which mails them a confirmation, can), a permanently deleted address
 * cannot be imported again ("Forgotten Email Not Subscribed"), and more than 10 simultaneous connections are
 * answered 429.
 */

export type MemberStatus = 'subscribed' | 'unsubscribed' | 'cleaned' | 'pending' | 'transactional';
const STATUSES: readonly string[] = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'];

export interface MailchimpMember {
  id: string;
  email_address: string;
  unique_email_id: string;
  contact_id: string;
  web_id: number;
  email_type: string;
  status: MemberStatus;
  merge_fields: Record<string, string | number>;
  language: string;
  timestamp_signup: string;
  timestamp_opt: string;
  ip_signup: string;
  ip_opt: string;
  last_changed: string;
  list_id: string;
  source: string;
}

interface ListState {
  members: Record<string, MailchimpMember>;
  /** Subscriber hashes of permanently deleted members. */
  forgotten: string[];
  /** Subscriber hashes of members who unsubscribed themselves (by Mailchimp's link), as against by the API. */
  optedOut: string[];
  /** How many opt-in confirmation emails Mailchimp would have sent (a member set to `pending`). */
  confirmationEmails: number;
}

export interface MailchimpStandInOptions {
  /** The account's API key, `<32 hex>-<dc>`. */
  apiKey: string;
  /** The audiences (lists) by id, with the merge field tags each defines (FNAME, LNAME... as the newsroom set them up). */
  lists: Record<string, { name: string; mergeFields: readonly string[] }>;
  /** Where to keep the members between runs (a JSON file); in memory only when absent. */
  stateFile?: string;
  /** Milliseconds to hold each API request before answering: lets a test keep connections open at once. */
  holdMs?: number;
}

/** Mailchimp's limit on one account's simultaneous connections. */
export const MAX_CONNECTIONS = 10;

const ERRORS_DOC = 'https://mailchimp.com/developer/marketing/docs/errors/';

export const subscriberHash = (email: string) => createHash('md5').update(email.toLowerCase()).digest('hex');

/** Mailchimp writes times as `2026-11-25T10:00:00+00:00`. */
const mailchimpTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, '+00:00');

// The shape Mailchimp accepts for an address; it refuses more than this in practice, but never less.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/;

class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: { field: string; message: string }[],
  ) {
    super(detail);
  }
}

const invalidResource = (errors: { field: string; message: string }[]) =>
  new Problem(400, 'Invalid Resource', "The resource submitted could not be validated. For field-specific details, see the 'errors' array.", errors);
const notFound = () => new Problem(404, 'Resource Not Found', 'The requested resource could not be found.');

export class MailchimpStandIn {
  private readonly state: Record<string, ListState> = {};
  private server: Server | undefined;
  private inFlight = 0;
  private nextWebId = 100001;
  /** The most connections it served at once, and how many it refused for the limit (429): what a test checks. */
  readonly connections = { peak: 0, refused: 0 };

  constructor(private readonly options: MailchimpStandInOptions) {
    if (!/-[a-z]+\d+$/.test(options.apiKey)) throw new Error('A Mailchimp API key ends with its data centre, such as -us6.');
    for (const id of Object.keys(options.lists)) this.state[id] = { members: {}, forgotten: [], optedOut: [], confirmationEmails: 0 };
    if (options.stateFile && existsSync(options.stateFile)) {
      const saved = JSON.parse(readFileSync(options.stateFile, 'utf8')) as Record<string, ListState>;
      for (const [id, list] of Object.entries(saved)) if (this.state[id]) this.state[id] = list;
    }
  }

  /** The data centre of the key, as in `https://<dc>.api.mailchimp.com`. */
  get dataCenter() {
    return this.options.apiKey.split('-').at(-1) ?? '';
  }

  /** Starts on a free local port; answers the base URL that replaces `https://<dc>.api.mailchimp.com`. */
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
   * Answers one request as Mailchimp would; `pathname` is the API's path (`/3.0/…`) when the stand-in is mounted
   * under a prefix of another server (the dev server's `/_local/mailchimp`).
   */
  async serve(req: IncomingMessage, res: ServerResponse, pathname?: string) {
    await this.handle(req, res, pathname).catch(() => this.problem(res, new Problem(500, 'Internal Server Error', 'An unexpected internal error has occurred.')));
  }

  /** The audiences it serves, with their merge fields. */
  get lists() {
    return this.options.lists;
  }

  /** A list's members as Mailchimp holds them, for tests and the dev server's pages. */
  members(listId: string): MailchimpMember[] {
    return Object.values(this.state[listId]?.members ?? {});
  }

  member(listId: string, email: string): MailchimpMember | undefined {
    return this.state[listId]?.members[subscriberHash(email)];
  }

  /** Whether an address was permanently deleted from a list. */
  isForgotten(listId: string, email: string) {
    return this.state[listId]?.forgotten.includes(subscriberHash(email)) ?? false;
  }

  confirmationEmails(listId: string) {
    return this.state[listId]?.confirmationEmails ?? 0;
  }

  /** What a reader does in Mailchimp itself: unsubscribes by its link, or bounces (cleaned). */
  setStatusAsReader(listId: string, email: string, status: 'unsubscribed' | 'cleaned') {
    const member = this.member(listId, email);
    if (!member) throw new Error('No such member.');
    member.status = status;
    member.last_changed = mailchimpTime(new Date());
    const state = this.state[listId];
    if (state && status === 'unsubscribed' && !state.optedOut.includes(member.id)) state.optedOut.push(member.id);
    this.save();
  }

  private save() {
    if (this.options.stateFile) writeFileAtomic(this.options.stateFile, JSON.stringify(this.state));
  }

  private problem(res: ServerResponse, problem: Problem) {
    if (res.headersSent) return;
    const body = {
      type: ERRORS_DOC,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: randomUUID(),
      ...(problem.errors ? { errors: problem.errors } : {}),
    };
    res.writeHead(problem.status, { 'content-type': 'application/problem+json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  private json(res: ServerResponse, status: number, body?: unknown) {
    if (body === undefined) {
      res.writeHead(status).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  private authenticate(req: IncomingMessage) {
    const header = req.headers.authorization;
    if (!header) throw new Problem(401, 'API Key Missing', 'Your request did not include an API key.');
    const [scheme, encoded = ''] = header.split(' ');
    const decoded = scheme?.toLowerCase() === 'basic' ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const key = decoded.slice(decoded.indexOf(':') + 1);
    if (!decoded.includes(':') || key !== this.options.apiKey) {
      throw new Problem(401, 'API Key Invalid', "Your API key may be invalid, or you've attempted to access the wrong datacenter.");
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse, path?: string) {
    this.inFlight += 1;
    const overLimit = this.inFlight > MAX_CONNECTIONS;
    if (overLimit) this.connections.refused += 1;
    else this.connections.peak = Math.max(this.connections.peak, this.inFlight);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (overLimit) {
        throw new Problem(429, 'Too Many Requests', `You have exceeded the limit of ${MAX_CONNECTIONS} simultaneous connections.`);
      }
      if (this.options.holdMs) await new Promise((resolve) => setTimeout(resolve, this.options.holdMs));
      this.authenticate(req);
      const raw = Buffer.concat(chunks).toString('utf8');
      const pathname = path ?? new URL(req.url ?? '/', 'http://local').pathname;
      await this.route(req.method ?? 'GET', pathname, raw, res);
    } catch (error) {
      if (error instanceof Problem) this.problem(res, error);
      else throw error;
    } finally {
      this.inFlight -= 1;
    }
  }

  private async route(method: string, path: string, raw: string, res: ServerResponse) {
    if (path === '/3.0/ping') {
      if (method !== 'GET') throw methodNotAllowed();
      return this.json(res, 200, { health_status: "Everything's Chimpy!" });
    }
    const list = /^\/3\.0\/lists\/([^/]+)\/?$/.exec(path);
    if (list) {
      if (method !== 'GET') throw methodNotAllowed();
      const id = decodeURIComponent(list[1] ?? '');
      const config = this.options.lists[id];
      if (!config) throw notFound();
      return this.json(res, 200, { id, name: config.name, stats: { member_count: this.members(id).filter((m) => m.status === 'subscribed').length } });
    }
    const remove = /^\/3\.0\/lists\/([^/]+)\/members\/([^/]+)\/actions\/delete-permanent$/.exec(path);
    if (remove) {
      if (method !== 'POST') throw methodNotAllowed();
      const [listId, hash] = this.memberPath(remove[1], remove[2]);
      const state = this.listState(listId);
      if (!state.members[hash]) throw notFound();
      delete state.members[hash];
      state.optedOut = state.optedOut.filter((h) => h !== hash);
      if (!state.forgotten.includes(hash)) state.forgotten.push(hash);
      this.save();
      return this.json(res, 204);
    }
    const member = /^\/3\.0\/lists\/([^/]+)\/members\/([^/]+)$/.exec(path);
    if (member) {
      const [listId, hash] = this.memberPath(member[1], member[2]);
      const state = this.listState(listId);
      if (method === 'GET') {
        const found = state.members[hash];
        if (!found) throw notFound();
        return this.json(res, 200, found);
      }
      if (method === 'PUT') return this.json(res, 200, this.upsert(listId, state, hash, raw));
      if (method === 'PATCH') {
        // Update list member: the member must exist (PATCH never adds one).
        if (!state.members[hash]) throw notFound();
        return this.json(res, 200, this.upsert(listId, state, hash, raw));
      }
      throw methodNotAllowed();
    }
    throw notFound();
  }

  private memberPath(rawList: string | undefined, rawHash: string | undefined): [string, string] {
    const listId = decodeURIComponent(rawList ?? '');
    const given = decodeURIComponent(rawHash ?? '');
    // The path takes the hash, or (as the API also accepts) the address itself.
    return [listId, given.includes('@') ? subscriberHash(given) : given.toLowerCase()];
  }

  private listState(listId: string): ListState {
    const state = this.state[listId];
    if (!state) throw notFound();
    return state;
  }

  private upsert(listId: string, state: ListState, hash: string, raw: string): MailchimpMember {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      throw new Problem(400, 'JSON Parse Error', 'We encountered an unspecified JSON parsing error.');
    }
    const errors: { field: string; message: string }[] = [];
    const text = (field: string) => {
      const value = body[field];
      if (value !== undefined && typeof value !== 'string') errors.push({ field, message: 'Schema describes string, ' + typeof value + ' found instead' });
      return typeof value === 'string' ? value : undefined;
    };
    const email = text('email_address');
    const statusIfNew = text('status_if_new');
    const status = text('status');
    const language = text('language');
    const emailType = text('email_type');
    const timestampSignup = text('timestamp_signup');
    const timestampOpt = text('timestamp_opt');
    const ipSignup = text('ip_signup');
    const ipOpt = text('ip_opt');
    for (const [field, value] of [['status_if_new', statusIfNew], ['status', status]] as const) {
      if (value !== undefined && !STATUSES.includes(value)) errors.push({ field, message: 'Value is not one of enum values' });
    }
    for (const [field, value] of [['timestamp_signup', timestampSignup], ['timestamp_opt', timestampOpt]] as const) {
      if (value !== undefined && value !== '' && (!ISO_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
        errors.push({ field, message: 'This value is not a valid date-time.' });
      }
    }
    if (emailType !== undefined && emailType !== 'html' && emailType !== 'text') errors.push({ field: 'email_type', message: 'Value is not one of enum values' });
    const known = new Set(this.options.lists[listId]?.mergeFields ?? []);
    const mergeFields = body.merge_fields;
    if (mergeFields !== undefined && (typeof mergeFields !== 'object' || mergeFields === null || Array.isArray(mergeFields))) {
      errors.push({ field: 'merge_fields', message: 'Schema describes object, ' + (Array.isArray(mergeFields) ? 'array' : typeof mergeFields) + ' found instead' });
    }
    if (errors.length > 0) throw invalidResource(errors);
    const merge = (mergeFields ?? {}) as Record<string, unknown>;
    const mergeErrors = Object.entries(merge).flatMap(([tag, value]) =>
      !known.has(tag)
        ? [{ field: tag, message: 'This merge field does not exist.' }]
        : typeof value !== 'string' && typeof value !== 'number'
          ? [{ field: tag, message: 'Please enter a value' }]
          : [],
    );
    if (mergeErrors.length > 0) throw new Problem(400, 'Invalid Resource', 'Your merge fields were invalid.', mergeErrors);

    const existing = state.members[hash];
    if (email !== undefined) {
      if (!EMAIL.test(email)) throw new Problem(400, 'Invalid Resource', `${email} looks fake or invalid, please enter a real email address.`);
      if (subscriberHash(email) !== hash) {
        throw invalidResource([{ field: 'email_address', message: 'The email address does not match the subscriber hash in the URL.' }]);
      }
    }
    const now = mailchimpTime(new Date());
    if (!existing) {
      if (email === undefined) throw invalidResource([{ field: 'email_address', message: 'This value should not be blank.' }]);
      if (state.forgotten.includes(hash)) {
        throw new Problem(
          400,
          'Forgotten Email Not Subscribed',
          `${email} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.`,
        );
      }
      const initial = status ?? statusIfNew;
      if (initial === undefined) throw invalidResource([{ field: 'status_if_new', message: 'This value should not be blank.' }]);
      const created: MailchimpMember = {
        id: hash,
        email_address: email,
        unique_email_id: randomUUID().replace(/-/g, '').slice(0, 10),
        contact_id: randomUUID().replace(/-/g, ''),
        web_id: this.nextWebId++,
        email_type: emailType ?? 'html',
        status: initial as MemberStatus,
        merge_fields: Object.fromEntries([...known].map((tag) => [tag, ''])),
        language: language ?? '',
        timestamp_signup: timestampSignup ? mailchimpTime(new Date(timestampSignup)) : '',
        timestamp_opt: timestampOpt ? mailchimpTime(new Date(timestampOpt)) : initial === 'subscribed' ? now : '',
        ip_signup: ipSignup ?? '',
        ip_opt: ipOpt ?? '',
        last_changed: now,
        list_id: listId,
        source: 'API - Generic',
      };
      Object.assign(created.merge_fields, merge);
      if (initial === 'pending') state.confirmationEmails += 1;
      state.members[hash] = created;
      this.save();
      return created;
    }
    // Mailchimp keeps a person's own unsubscribe and a clean: the API may not subscribe that address again (only a
    // confirmation the person answers can), whatever else the request changes. A member the API unsubscribed, it
    // may subscribe again.
    const optedOut = existing.status === 'unsubscribed' && state.optedOut.includes(hash);
    if (status === 'subscribed' && (optedOut || existing.status === 'cleaned')) {
      throw new Problem(
        400,
        'Member In Compliance State',
        `${existing.email_address} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.`,
      );
    }
    if (status === 'pending' && existing.status === 'cleaned') {
      throw new Problem(
        400,
        'Member In Compliance State',
        `${existing.email_address} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.`,
      );
    }
    if (status !== undefined && status !== existing.status) {
      if (status === 'pending') state.confirmationEmails += 1;
      if (existing.status === 'unsubscribed') state.optedOut = state.optedOut.filter((h) => h !== hash);
      if (status === 'subscribed') existing.timestamp_opt = timestampOpt ? mailchimpTime(new Date(timestampOpt)) : now;
      existing.status = status as MemberStatus;
    }
    Object.assign(existing.merge_fields, merge);
    if (language !== undefined) existing.language = language;
    if (emailType !== undefined) existing.email_type = emailType;
    if (timestampSignup) existing.timestamp_signup = mailchimpTime(new Date(timestampSignup));
    if (timestampOpt && status === undefined) existing.timestamp_opt = mailchimpTime(new Date(timestampOpt));
    existing.last_changed = now;
    this.save();
    return existing;
  }
}

const methodNotAllowed = () =>
  new Problem(405, 'Method Not Allowed', "The requested method and resource are not compatible. See the Allow header for this resource's available methods.");
