import type { WebhookEvent } from '../events/model.js';
import type { EventType } from '../events/model.js';
import type { Language } from '../shared/i18n/index.js';
import type { Clock } from '../shared/ports.js';
import { retryOnConflict } from '../shared/retry.js';
import type { SubscriberRepository } from '../subscriptions/ports.js';
import type { Connector, ConnectorStore } from './admin.js';
import type { ConnectorResult, DonorStatus, NewsletterConnector } from './model.js';
import type { ErasedAddresses } from '../events/ports.js';
import { type DonorLedger, donorStatusOf } from './donors.js';
import { addressKey } from '../shared/email-address.js';
import type { Keys } from '../shared/secrets.js';

/**
 * The events a connector acts on: a confirmation pushes, an unsubscribe or a suppression follows, and a gift, refund
 * or monthly start or end updates the donor's status. (`subscriber.erased` too, when its address could be kept
 * sealed for the connectors: see publishChanges.)
 */
export const CONNECTOR_EVENT_TYPES: readonly EventType[] = [
  'subscriber.confirmed',
  'subscriber.unsubscribed',
  'subscriber.suppressed',
  'donation.paid',
  'donation.refunded',
  'monthly.started',
  'monthly.cancelled',
];

const DONOR_EVENT_TYPES: readonly EventType[] = ['donation.paid', 'donation.refunded', 'monthly.started', 'monthly.cancelled'];

export interface ConnectorSyncDeps {
  clock: Clock;
  connectors: Pick<ConnectorStore, 'get'>;
  /** The tool's client for a connector (built on first use, then reused: Mailchimp's connection limit is per client). */
  connectorFor: (connector: Connector) => Promise<NewsletterConnector>;
  subscribers: Pick<SubscriberRepository, 'get' | 'save'>;
  /** The site's language: a subscriber's whose own is not known. */
  language: Language;
  /** The sealed copies of erased addresses, one per connector delivery of `subscriber.erased`. */
  erasedAddresses?: Pick<ErasedAddresses, 'open' | 'drop'>;
  /** A person's donor status from the ledger: undefined when they never gave, null when nothing they gave counts. */
  donorStatus?: (email: string) => Promise<DonorStatus | null | undefined>;
}

/** A person's donor status, from their gifts filed under their keyed hash (one Query): see donorStatusOf. */
export const readDonorStatus = async (deps: { keys: Pick<Keys, 'email'>; donors: Pick<DonorLedger, 'read'> }, email: string) => {
  const record = await deps.donors.read(addressKey(deps.keys, email));
  return record.gifts.length === 0 ? undefined : donorStatusOf(record);
};

/**
 * The tool keeps this person's own "no" (they unsubscribed or were cleaned there, or are blocklisted): Appeal never
 * overrides it, and marks its own record unsubscribed instead (a pending or confirmed one; a bounce or complaint
 * already stops all mail).
 */
export const markSaidNo = (deps: Pick<ConnectorSyncDeps, 'clock' | 'subscribers'>, email: string) =>
  retryOnConflict(async () => {
    const existing = await deps.subscribers.get(email);
    if (!existing || (existing.status !== 'pending' && existing.status !== 'confirmed')) return false;
    const at = deps.clock.now().toISOString();
    const { requests: _requests, ...record } = existing;
    await deps.subscribers.save({ ...record, status: 'unsubscribed', unsubscribedAt: at, updatedAt: at }, existing);
    return true;
  });

/**
 * Brings one event to a connector's tool, from the subscriber as they are now (events come in any order): a
 * confirmation pushes them, with their name, language and consent times, only while they are still confirmed; an
 * unsubscribe or a suppression unsubscribes them there. A refusal that is the person's own "no" marks Appeal's
 * record unsubscribed. Safe to repeat: each call to the tool is an upsert or a removal. Throws ConnectorError for a
 * refusal a retry cannot fix.
 */
export const syncEvent = async (deps: ConnectorSyncDeps, connector: Connector, event: WebhookEvent, deliveryId: string): Promise<ConnectorResult> => {
  if (event.type === 'subscriber.erased') {
    // The event tells only a hash: the address comes from the delivery's sealed copy, gone once it is done or old.
    const erased = await deps.erasedAddresses?.open(deliveryId, deps.clock.now());
    return erased ? (await deps.connectorFor(connector)).erase(erased) : { outcome: 'done' };
  }
  const email = 'email' in event.data ? event.data.email : undefined;
  if (!CONNECTOR_EVENT_TYPES.includes(event.type) || !email) return { outcome: 'done' };
  const tool = await deps.connectorFor(connector);
  if (DONOR_EVENT_TYPES.includes(event.type)) {
    // The status as the ledger tells it now (events come in any order); someone not on the tool's list stays off it.
    const donor = await deps.donorStatus?.(email);
    if (donor === undefined) return { outcome: 'done' };
    const result = await tool.updateDonor(email, donor);
    return result.outcome === 'not_found' ? { outcome: 'done' } : result;
  }
  if (event.type !== 'subscriber.confirmed') return tool.unsubscribe(email);
  const subscriber = await deps.subscribers.get(email);
  // Left since (its own event follows), or erased: nothing to push.
  if (subscriber?.status !== 'confirmed') return { outcome: 'done' };
  const donor = await deps.donorStatus?.(subscriber.email);
  const result = await tool.push(
    {
      email: subscriber.email,
      ...(subscriber.name ? { name: subscriber.name } : {}),
      lang: subscriber.lang ?? deps.language,
      signedUpAt: subscriber.createdAt,
      confirmedAt: subscriber.confirmedAt ?? subscriber.updatedAt,
    },
    donor ?? undefined,
  );
  if (result.outcome === 'refused_by_person') await markSaidNo(deps, subscriber.email);
  return result;
};
