import { addressKey } from '../shared/email-address.js';
import type { Language } from '../shared/i18n/index.js';
import type { Clock } from '../shared/ports.js';
import { keyedHash, type Keys } from '../shared/secrets.js';
import type { ConnectorStore } from '../connectors/admin.js';
import { CONNECTOR_EVENT_TYPES } from '../connectors/sync.js';
import { type Derived, deriveEvents, type ItemChange } from './changes.js';
import type { WebhookEndpoint } from './endpoint.js';
import { type DonationEventData, listensTo, WebhookEvent } from './model.js';
import type { DeliveryJob, DeliveryLog, DeliveryQueue, ErasedAddresses, OutboundEvents, WebhookEndpoints } from './ports.js';
import type { DonorLedger } from '../connectors/donors.js';
import { messageId } from './signing.js';
import { parse } from '../shared/schema.js';

export interface PublishDeps {
  clock: Clock;
  keys: Pick<Keys, 'email'>;
  endpoints: Pick<WebhookEndpoints, 'list'>;
  events: OutboundEvents;
  deliveries: Pick<DeliveryLog, 'create'>;
  queue: DeliveryQueue;
  /** The site's language: a subscriber's whose own is not known. */
  language: Language;
  /** The newsletter tools: each listens to the subscriber events it acts on, as an endpoint with its own delivery. */
  connectors?: Pick<ConnectorStore, 'list'>;
  /** Where an erase keeps, sealed and briefly, the address each connector's delivery must still erase. */
  erasedAddresses?: Pick<ErasedAddresses, 'keep'>;
  /** Each donor's gifts and monthly gifts, for the status the newsletter tools carry. */
  donors?: Pick<DonorLedger, 'recordGift' | 'recordMonthly'>;
}

/** An event's id: from what made it (never the address itself), so the same change read twice makes the same event. */
const eventIdOf = (keys: Pick<Keys, 'email'>, material: string) => `evt_${keyedHash(keys.email, `event:${material}`).slice(0, 32)}`;

const subjectOf = (keys: Pick<Keys, 'email'>, email: string | undefined) => {
  if (!email) return undefined;
  try {
    return addressKey(keys, email);
  } catch {
    return undefined; // an address we would not mail: nothing can erase it by address either
  }
};

/** A donation event about an erased person tells the gift without them. */
const withoutPerson = (data: DonationEventData): DonationEventData => {
  const { email: _e, name: _n, ...rest } = data;
  return rest;
};

/**
 * Publishes what a batch of item changes means (see deriveEvents): each event that an enabled endpoint listens to
 * is kept, and for each such endpoint a pending delivery is created and an attempt queued. An erase scrubs every
 * kept event about the person first. Safe to run again on the same changes (a stream record read twice): the
 * event and its deliveries are keyed by what made them, so nothing is created twice, and a queued attempt of a
 * delivery that is no longer pending is dropped by the worker. Answers how many events and deliveries it made.
 */
export const publishChanges = async (deps: PublishDeps, changes: readonly ItemChange[]) => {
  const now = deps.clock.now();
  let endpoints: WebhookEndpoint[] | undefined;
  let connectorIds: string[] | undefined;
  const jobs: DeliveryJob[] = [];
  let published = 0;
  for (const change of changes) {
    for (const derived of deriveEvents(change, deps.language)) {
      const events = await resolve(deps, derived);
      for (const { event, subject, erasedEmail } of events) {
        endpoints ??= (await deps.endpoints.list()).filter((e) => !e.disabledAt);
        const listening = endpoints.filter((e) => listensTo(e.events, event.type)).map((e) => e.id);
        // An erase reaches a tool only with the address: without a place to keep it sealed, the tools are not told.
        const toConnectors = event.type === 'subscriber.erased' ? Boolean(erasedEmail && deps.erasedAddresses) : CONNECTOR_EVENT_TYPES.includes(event.type);
        let connectorListeners: string[] = [];
        if (deps.connectors && toConnectors) {
          connectorIds ??= (await deps.connectors.list()).map((c) => c.id);
          connectorListeners = connectorIds;
          listening.push(...connectorIds);
        }
        // An event nobody listens to is not kept: no copy of a reader's data without a use.
        if (listening.length === 0) continue;
        await deps.events.put(event, subject, now);
        published += 1;
        for (const listener of listening) {
          const id = messageId(event.id, listener);
          const at = now.toISOString();
          const sealsAddress = erasedEmail !== undefined && connectorListeners.includes(listener);
          // Kept before the delivery exists, so no delivery ever waits without its address.
          if (sealsAddress) await deps.erasedAddresses?.keep(id, erasedEmail, now);
          // Queued below even when it exists: for an erase read again after its delivery was over, the worker then
          // drops the copy just kept.
          await deps.deliveries.create({ id, webhookId: listener, eventId: event.id, type: event.type, status: 'pending', attempts: 0, generation: 0, createdAt: at, at });
          // Queued whether or not it was just created: a run that died between the two left it without an attempt.
          jobs.push({ delivery: id, generation: 0 });
        }
      }
    }
  }
  if (jobs.length > 0) await deps.queue.send(jobs.map((job) => ({ ...job, delaySeconds: 0 })));
  return { events: published, deliveries: jobs.length };
};

/** The events a derived change comes to, with the subject each is filed under; an erase does its scrub here. */
const resolve = async (deps: PublishDeps, derived: Derived): Promise<{ event: WebhookEvent; subject: string | undefined; erasedEmail?: string }[]> => {
  const now = deps.clock.now();
  if (derived.kind === 'erased') {
    const subject = derived.subject ?? subjectOf(deps.keys, derived.email);
    if (subject) await deps.events.scrub(subject);
    return [];
  }
  if (derived.kind === 'monthly-ended') {
    const started = await deps.events.monthly(derived.subscription);
    // A monthly gift that never had a paid month never started, so it does not end either.
    if (!started) return [];
    const startedSubject = subjectOf(deps.keys, started.email);
    if (startedSubject) await deps.donors?.recordMonthly(startedSubject, derived.subscription, 'ended', now);
    const event = parse(WebhookEvent, {
      id: eventIdOf(deps.keys, `MONTHLY#${derived.subscription}|cancelled`),
      type: 'monthly.cancelled',
      timestamp: derived.timestamp,
      data: { ...started, status: 'cancelled' },
    });
    return [{ event, subject: startedSubject }];
  }
  let subject = subjectOf(deps.keys, derived.email);
  let data = derived.data;
  // A gift's events are told after the gift's own write, from another table's stream: the person may have been
  // erased in between. Their address then stays out.
  if (subject && derived.type.startsWith('donation.') && (await deps.events.isErased(subject))) {
    data = withoutPerson(data as DonationEventData);
    subject = undefined;
  }
  if (subject && derived.gift) await deps.donors?.recordGift(subject, derived.gift, now);
  const event = parse(WebhookEvent, { id: eventIdOf(deps.keys, derived.material), type: derived.type, timestamp: derived.timestamp, data });
  const out: { event: WebhookEvent; subject: string | undefined; erasedEmail?: string }[] = [
    { event, subject, ...(derived.erasedEmail ? { erasedEmail: derived.erasedEmail } : {}) },
  ];
  if (derived.startsMonthly && subject) await deps.donors?.recordMonthly(subject, derived.startsMonthly, 'active', now);
  if (derived.startsMonthly) {
    const started: DonationEventData = { ...(data as DonationEventData), id: derived.startsMonthly, frequency: 'monthly', status: 'active' };
    if (await deps.events.startMonthly(derived.startsMonthly, started, subject, { by: (data as DonationEventData).id, now })) {
      const monthly = parse(WebhookEvent, {
        id: eventIdOf(deps.keys, `MONTHLY#${derived.startsMonthly}|started`),
        type: 'monthly.started',
        timestamp: derived.timestamp,
        data: started,
      });
      out.push({ event: monthly, subject });
    }
  }
  return out;
};
