import { DomainError } from '../shared/errors.js';
import { fractionDigits } from '../shared/money.js';
import type { Language } from '../shared/i18n/index.js';

/** A confirmed reader as a newsletter tool receives them, with the consent evidence it keeps. */
export interface ConnectorSubscriber {
  email: string;
  name?: string;
  lang: Language;
  /** When they asked to join (the signup), and when they confirmed (the double opt-in): instants. */
  signedUpAt?: string;
  confirmedAt: string;
}

/** What a subscriber who gave carries to the newsletter tool, so it can thank donors and stop asking them. */
export interface DonorStatus {
  status: 'donor' | 'monthly donor' | 'former monthly donor';
  /** The last gift's instant (the tools get its date). */
  lastGiftAt: string;
  /** Minor units of `currency`, as everywhere in Appeal. */
  lastGiftAmount: number;
  total: number;
  currency: string;
}

/**
 * What a call to the newsletter tool came to:
 * - `done`: the tool holds what was asked (or, for a removal, the person is not there);
 * - `not_found`: there was no one to update (a donor who never joined the list);
 * - `refused_by_person`: the tool keeps this person's own "no" (they unsubscribed or were cleaned there,
 *   blocklisted, or permanently deleted), which Appeal never overrides: the caller marks its own record unsubscribed;
 * - `retry_later`: the tool is busy or down (429, 5xx, a timeout); try again after `retryAfterSeconds`.
 */
export type ConnectorResult =
  | { outcome: 'done' }
  | { outcome: 'not_found' }
  | { outcome: 'refused_by_person'; reason: 'unsubscribed' | 'cleaned' | 'blocklisted' | 'deleted' }
  | { outcome: 'retry_later'; retryAfterSeconds: number };

/**
 * A newsletter tool (Mailchimp, listmonk) that Appeal keeps in step with its confirmed readers.
 *
 * Each method is safe to repeat: a retried job changes nothing twice. Errors: ConnectorError for a refusal that
 * retrying cannot fix (bad credentials, a merge field the list lacks); ForbiddenTargetError when the tool's URL
 * points somewhere Appeal may not call.
 */
export interface NewsletterConnector {
  /** A confirmation: the reader joins the tool's list, subscribed, with their consent times and name (and donor status). */
  push(subscriber: ConnectorSubscriber, donor?: DonorStatus): Promise<ConnectorResult>;
  /** An unsubscribe or a suppression (bounce, complaint) in Appeal: the tool stops mailing them. */
  unsubscribe(email: string): Promise<ConnectorResult>;
  /** An erase in Appeal: as unsubscribe, and where the tool can forget a person, it does. */
  erase(email: string): Promise<ConnectorResult>;
  /**
   * A gift, refund or cancellation changed the donor status: update it where the person is (never adding them);
   * null clears it (nothing they gave still counts).
   */
  updateDonor(email: string, donor: DonorStatus | null): Promise<ConnectorResult>;
  /**
   * For a tool that tells nothing by itself (listmonk has no webhooks): the addresses that said no there since an
   * instant, for Appeal to unsubscribe; `retry_later` when the tool is busy or down.
   */
  pullRefusals?(since: string): Promise<PulledRefusals | ConnectorResult>;
}

/** The addresses that said no in the tool: unsubscribed from the connector's lists, and blocklisted. */
export interface PulledRefusals {
  unsubscribed: string[];
  blocklisted: string[];
}

/** A refusal by the newsletter tool that a retry would not change. The message holds no address. */
export class ConnectorError extends DomainError {
  readonly code = 'connector_refused';
  constructor(
    message: string,
    readonly status: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `25.00 USD`: an amount as the newsletter's merge fields show it. */
export const moneyText = (minor: number, currency: string) => {
  const digits = fractionDigits(currency);
  return `${(minor / 10 ** digits).toFixed(digits)} ${currency.toUpperCase()}`;
};

/** `YYYY-MM-DD` (UTC) of an instant. */
export const dateOf = (instant: string) => new Date(instant).toISOString().slice(0, 10);
