import {
  ConnectorError,
  type ConnectorResult,
  type ConnectorSubscriber,
  type DonorStatus,
  type NewsletterConnector,
  type PulledRefusals,
} from '../core/connectors/model.js';
import { type OutboundHttp, OutboundRequestError, type OutboundResponse } from '../core/shared/outbound-http.js';

export interface ListmonkConnectorConfig {
  /** listmonk's base URL (its API is under /api). */
  url: string;
  /** An API user (Admin → Users) with subscribers:manage, subscribers:get_all and subscribers:sql_query. */
  username: string;
  token: string;
  /** The list ids confirmed readers join. */
  lists: readonly number[];
}

const TIMEOUT_MS = 10_000;
const RETRY_AFTER_S = 60;

/** A subscriber as listmonk answers one: only what the connector reads. */
interface ListmonkSubscriber {
  id: number;
  status: string;
  lists: { id: number; subscription_status: string }[];
}

class Later {
  constructor(readonly result: ConnectorResult) {}
}

/** The `donor` attribute: amounts in minor units with their currency, as everywhere in Appeal. */
const donorAttribute = (donor: DonorStatus) => ({
  status: donor.status,
  lastGiftAt: donor.lastGiftAt,
  lastGiftAmount: donor.lastGiftAmount,
  total: donor.total,
  currency: donor.currency,
});

/** A string literal in listmonk's SQL query expressions: single quotes doubled. */
const sqlString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * listmonk's API as a NewsletterConnector, over the guarded client: a confirmed reader is created with
 * `preconfirm_subscriptions` (they confirmed with Appeal: listmonk sends no second opt-in); on 409 (listmonk has
 * the address) the lists are added to the existing subscriber, unless listmonk holds their "no" (blocklisted, or
 * unsubscribed from one of the lists), which is never overridden. An unsubscribe, suppression or erase removes them
 * from the lists.
 */
export class ListmonkConnector implements NewsletterConnector {
  private readonly base: string;
  private readonly authorization: string;

  constructor(
    private readonly config: ListmonkConnectorConfig,
    private readonly http: OutboundHttp,
  ) {
    if (config.lists.length === 0) throw new ConnectorError('Name at least one listmonk list.', 0);
    this.base = `${config.url.replace(/\/$/, '')}/api`;
    this.authorization = `token ${config.username}:${config.token}`;
  }

  /** One call: its JSON `data` on 2xx; 409 and 404 as their status; a Later for 429, 5xx and network trouble. */
  private async call(method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown): Promise<{ status: number; data: unknown }> {
    let response: OutboundResponse;
    try {
      response = await this.http.request({
        method,
        url: `${this.base}${path}`,
        headers: { authorization: this.authorization, 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: 1024 * 1024,
      });
    } catch (error) {
      if (error instanceof OutboundRequestError) throw new Later({ outcome: 'retry_later', retryAfterSeconds: RETRY_AFTER_S });
      throw error;
    }
    const { status } = response;
    if (status === 429 || status >= 500) throw new Later({ outcome: 'retry_later', retryAfterSeconds: Number(response.headers['retry-after']) || RETRY_AFTER_S });
    if (status === 409 || status === 404) return { status, data: undefined };
    let parsed: { data?: unknown; message?: unknown } = {};
    try {
      parsed = JSON.parse(response.body) as typeof parsed;
    } catch {
      // a body that is not JSON: judged by its status alone
    }
    if (status < 200 || status >= 300) {
      // listmonk's messages name no address (they say "Invalid email.", "invalid API credentials").
      throw new ConnectorError(`listmonk refused the request: ${typeof parsed.message === 'string' ? parsed.message : `HTTP ${status}`}`, status);
    }
    return { status, data: parsed.data };
  }

  private async find(email: string): Promise<ListmonkSubscriber | undefined> {
    const query = new URLSearchParams({ query: `subscribers.email = ${sqlString(email.toLowerCase())}`, per_page: '1' });
    const { data } = await this.call('GET', `/subscribers?${query}`);
    const results = (data as { results?: ListmonkSubscriber[] } | undefined)?.results ?? [];
    return results[0];
  }

  private async run(work: () => Promise<ConnectorResult>): Promise<ConnectorResult> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Later) return error.result;
      throw error;
    }
  }

  push(subscriber: ConnectorSubscriber, donor?: DonorStatus): Promise<ConnectorResult> {
    return this.run(async () => {
      const attribs = { lang: subscriber.lang, ...(donor ? { donor: donorAttribute(donor) } : {}) };
      const created = await this.call('POST', '/subscribers', {
        email: subscriber.email,
        name: subscriber.name ?? '',
        status: 'enabled',
        lists: this.config.lists,
        preconfirm_subscriptions: true,
        attribs,
      });
      if (created.status !== 409) return { outcome: 'done' };
      const existing = await this.find(subscriber.email);
      // Gone between the two calls: a retry creates it.
      if (!existing) return { outcome: 'retry_later', retryAfterSeconds: 1 };
      if (existing.status === 'blocklisted') return { outcome: 'refused_by_person', reason: 'blocklisted' };
      const saidNo = existing.lists.some((l) => this.config.lists.includes(l.id) && l.subscription_status === 'unsubscribed');
      if (saidNo) return { outcome: 'refused_by_person', reason: 'unsubscribed' };
      await this.call('PUT', '/subscribers/lists', { ids: [existing.id], action: 'add', target_list_ids: this.config.lists, status: 'confirmed' });
      await this.call('PATCH', `/subscribers/${existing.id}`, { attribs });
      return { outcome: 'done' };
    });
  }

  private removeFromLists(email: string): Promise<ConnectorResult> {
    return this.run(async () => {
      const existing = await this.find(email);
      if (!existing) return { outcome: 'done' };
      await this.call('PUT', '/subscribers/lists', { ids: [existing.id], action: 'remove', target_list_ids: this.config.lists });
      return { outcome: 'done' };
    });
  }

  unsubscribe(email: string): Promise<ConnectorResult> {
    return this.removeFromLists(email);
  }

  erase(email: string): Promise<ConnectorResult> {
    return this.removeFromLists(email);
  }

  updateDonor(email: string, donor: DonorStatus | null): Promise<ConnectorResult> {
    return this.run(async () => {
      const existing = await this.find(email);
      if (!existing) return { outcome: 'not_found' };
      await this.call('PATCH', `/subscribers/${existing.id}`, { attribs: { donor: donor ? donorAttribute(donor) : null } });
      return { outcome: 'done' };
    });
  }

  /**
   * The addresses that said no in listmonk since a time, for Appeal to unsubscribe: unsubscribed from one of the
   * connector's lists, or blocklisted. `since` is an instant; the caller keeps the time of its last run.
   */
  pullRefusals(since: string): Promise<PulledRefusals | ConnectorResult> {
    const all = async (params: URLSearchParams) => {
      const emails: string[] = [];
      for (let page = 1; ; page++) {
        params.set('page', String(page));
        params.set('per_page', '500');
        const { data } = await this.call('GET', `/subscribers?${params}`);
        const { results = [], total = 0 } = (data ?? {}) as { results?: { email: string }[]; total?: number };
        emails.push(...results.map((r) => r.email));
        if (results.length === 0 || page * 500 >= total) return emails;
      }
    };
    const listParams = () => {
      const params = new URLSearchParams({ subscription_status: 'unsubscribed', query: `subscriber_lists.updated_at > ${sqlString(since)}` });
      for (const id of this.config.lists) params.append('list_id', String(id));
      return params;
    };
    return (async () => {
      try {
        const unsubscribed = await all(listParams());
        const blocklisted = await all(new URLSearchParams({ query: `subscribers.status = 'blocklisted' AND subscribers.updated_at > ${sqlString(since)}` }));
        return { unsubscribed: [...new Set(unsubscribed)], blocklisted: [...new Set(blocklisted)] };
      } catch (error) {
        if (error instanceof Later) return error.result;
        throw error;
      }
    })();
  }
}
