import { createHash } from 'node:crypto';
import {
  ConnectorError,
  type ConnectorResult,
  type ConnectorSubscriber,
  dateOf,
  type DonorStatus,
  moneyText,
  type NewsletterConnector,
} from '../core/connectors/model.js';
import { type OutboundHttp, OutboundRequestError, type OutboundResponse } from '../core/shared/outbound-http.js';

export interface MailchimpConnectorConfig {
  /** `<key>-<dc>`: the data centre picks the API's host. */
  apiKey: string;
  /** The audience (list) id. */
  listId: string;
  /** Replaces `https://<dc>.api.mailchimp.com` (a stand-in). */
  apiUrl?: string;
}

/**
 * Mailchimp allows an account 10 simultaneous connections, shared with every other tool the newsroom connects:
 * one connector instance keeps to 4.
 */
const MAX_CONCURRENT = 4;
const TIMEOUT_MS = 10_000;
/** When a 429 names no Retry-After: Mailchimp's connection slots free within seconds, a backlog within a minute. */
const DEFAULT_RETRY_AFTER_S = 60;

/** Mailchimp's refusals that are a person's own "no": never overridden, the caller marks its record unsubscribed. */
const REFUSED_BY_PERSON: Record<string, 'unsubscribed' | 'deleted'> = {
  'Member In Compliance State': 'unsubscribed',
  'Forgotten Email Not Subscribed': 'deleted',
};

export const subscriberHash = (email: string) => createHash('md5').update(email.toLowerCase()).digest('hex');

/** Mailchimp's own time format (`2026-11-25T10:00:00+00:00`). */
const mailchimpTime = (instant: string) => new Date(instant).toISOString().replace(/\.\d{3}Z$/, '+00:00');

interface Problem {
  title?: string;
  errors?: { field?: string }[];
}

const problemOf = (response: OutboundResponse): Problem => {
  try {
    const body: unknown = JSON.parse(response.body);
    return typeof body === 'object' && body !== null ? (body as Problem) : {};
  } catch {
    return {};
  }
};

/** The merge fields of a donor status (the list must define DONOR, LASTGIFT, LASTAMT and TOTALGIVEN). */
const donorMergeFields = (donor: DonorStatus) => ({
  DONOR: donor.status,
  LASTGIFT: dateOf(donor.lastGiftAt),
  LASTAMT: moneyText(donor.lastGiftAmount, donor.currency),
  TOTALGIVEN: moneyText(donor.total, donor.currency),
});

/**
 * Mailchimp's Marketing API as a NewsletterConnector, over the guarded client: members are upserted by the MD5 of
 * the lowercased address (PUT, so a retry is the same request), confirmed readers with `status_if_new` and
 * `status` `subscribed`, their name as FNAME, their language and consent times (no IP addresses: Appeal keeps
 * them hashed only); an unsubscribe sets `unsubscribed`; an erase deletes the member permanently.
 */
export class MailchimpConnector implements NewsletterConnector {
  private readonly base: string;
  private readonly authorization: string;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly config: MailchimpConnectorConfig,
    private readonly http: OutboundHttp,
  ) {
    const dc = /-([a-z]+\d+)$/.exec(config.apiKey)?.[1];
    if (!dc) throw new ConnectorError('A Mailchimp API key ends with its data centre, such as -us6.', 0);
    this.base = `${(config.apiUrl ?? `https://${dc}.api.mailchimp.com`).replace(/\/$/, '')}/3.0`;
    this.authorization = `Basic ${Buffer.from(`appeal:${config.apiKey}`).toString('base64')}`;
  }

  private memberPath(email: string) {
    return `/lists/${encodeURIComponent(this.config.listId)}/members/${subscriberHash(email)}`;
  }

  /** A connection slot: a released slot passes straight to the next waiter, so no newcomer can squeeze past the limit. */
  private async acquire() {
    if (this.active < MAX_CONCURRENT) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release() {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }

  private async call(method: 'GET' | 'PUT' | 'PATCH' | 'POST', path: string, body?: unknown): Promise<OutboundResponse | ConnectorResult> {
    await this.acquire();
    try {
      return await this.http.request({
        method,
        url: `${this.base}${path}`,
        headers: { authorization: this.authorization, 'content-type': 'application/json', accept: 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: 256 * 1024,
      });
    } catch (error) {
      if (error instanceof OutboundRequestError) return { outcome: 'retry_later', retryAfterSeconds: DEFAULT_RETRY_AFTER_S };
      throw error;
    } finally {
      this.release();
    }
  }

  /** Maps an answer to a result: 2xx done, the person's refusals, 429 and 5xx later, anything else a ConnectorError. */
  private outcome(response: OutboundResponse | ConnectorResult, notFound: ConnectorResult): ConnectorResult {
    if ('outcome' in response) return response;
    const { status } = response;
    if (status >= 200 && status < 300) return { outcome: 'done' };
    if (status === 429 || status >= 500) {
      const retryAfter = Number(response.headers['retry-after']);
      return { outcome: 'retry_later', retryAfterSeconds: retryAfter > 0 ? retryAfter : DEFAULT_RETRY_AFTER_S };
    }
    if (status === 404) return notFound;
    const problem = problemOf(response);
    const refused = problem.title ? REFUSED_BY_PERSON[problem.title] : undefined;
    if (status === 400 && refused) return { outcome: 'refused_by_person', reason: refused };
    // Mailchimp's detail names the address: only the title and the field names (merge tags) are kept.
    const fields = (problem.errors ?? []).map((e) => e.field).filter((f): f is string => typeof f === 'string' && /^[A-Za-z0-9_.]+$/.test(f));
    throw new ConnectorError(`Mailchimp refused the request: ${problem.title ?? `HTTP ${status}`}${fields.length ? ` (${fields.join(', ')})` : ''}.`, status);
  }

  async push(subscriber: ConnectorSubscriber, donor?: DonorStatus): Promise<ConnectorResult> {
    const mergeFields = { ...(subscriber.name ? { FNAME: subscriber.name } : {}), ...(donor ? donorMergeFields(donor) : {}) };
    const response = await this.call('PUT', this.memberPath(subscriber.email), {
      email_address: subscriber.email,
      status_if_new: 'subscribed',
      status: 'subscribed',
      ...(Object.keys(mergeFields).length ? { merge_fields: mergeFields } : {}),
      language: subscriber.lang,
      ...(subscriber.signedUpAt ? { timestamp_signup: mailchimpTime(subscriber.signedUpAt) } : {}),
      timestamp_opt: mailchimpTime(subscriber.confirmedAt),
    });
    return this.outcome(response, { outcome: 'not_found' });
  }

  async unsubscribe(email: string): Promise<ConnectorResult> {
    // An upsert: an address Mailchimp never had is added as unsubscribed, so no later import can subscribe it.
    const response = await this.call('PUT', this.memberPath(email), { email_address: email, status_if_new: 'unsubscribed', status: 'unsubscribed' });
    const result = this.outcome(response, { outcome: 'done' });
    // Already deleted permanently: nobody left to mail.
    return result.outcome === 'refused_by_person' && result.reason === 'deleted' ? { outcome: 'done' } : result;
  }

  async erase(email: string): Promise<ConnectorResult> {
    const response = await this.call('POST', `${this.memberPath(email)}/actions/delete-permanent`);
    return this.outcome(response, { outcome: 'done' });
  }

  async updateDonor(email: string, donor: DonorStatus | null): Promise<ConnectorResult> {
    // PATCH updates a member and never adds one: a donor who is not on the list stays off it.
    const mergeFields = donor ? donorMergeFields(donor) : { DONOR: '', LASTGIFT: '', LASTAMT: '', TOTALGIVEN: '' };
    const response = await this.call('PATCH', this.memberPath(email), { merge_fields: mergeFields });
    return this.outcome(response, { outcome: 'not_found' });
  }
}
