import * as z from 'zod/mini';
import { Frequency } from '../donations/frequency.js';
import { instant, onFirstUse } from '../shared/schema.js';
import { LanguageCode, SubscriberStatus } from '../subscriptions/status.js';

/**
 * The changes that leave Appeal as signed events for the newsroom's own tools (Standard Webhooks), by type. An
 * endpoint subscribes to some of them, or to all with `*`. (`reminder.requested` joins them with the reminders
 * that raise it, and its `data` with it.)
 */
export const SUBSCRIBER_EVENT_TYPES = ['subscriber.confirmed', 'subscriber.unsubscribed', 'subscriber.suppressed'] as const;
export const DONATION_EVENT_TYPES = [
  'donation.paid',
  'donation.refunded',
  'donation.disputed',
  'donation.dispute_closed',
  'monthly.started',
  'monthly.cancelled',
] as const;
export const EVENT_TYPES = [...SUBSCRIBER_EVENT_TYPES, 'subscriber.erased', ...DONATION_EVENT_TYPES] as const;

export const EventType = /* @__PURE__ */ onFirstUse(() => z.enum(EVENT_TYPES));
export type EventType = z.infer<typeof EventType>;

/** What an endpoint listens to: event types, or `*` alone for every type (those added later too). */
export const EventSelection = /* @__PURE__ */ onFirstUse(() => z.union([
  z.tuple([z.literal('*')]),
  z.array(EventType).check(z.minLength(1, 'Name at least one event type, or *.')),
]));
export type EventSelection = z.infer<typeof EventSelection>;

export const listensTo = (selection: EventSelection, type: EventType) =>
  selection[0] === '*' || (selection as readonly string[]).includes(type);

/** `data` of `subscriber.confirmed`, `.unsubscribed` and `.suppressed`: the reader as the newsletter tool needs them. */
export const SubscriberEventData = /* @__PURE__ */ onFirstUse(() => z.object({
  email: z.string(),
  name: z.optional(z.string()),
  lists: z.array(z.string()),
  lang: LanguageCode,
  status: SubscriberStatus,
  confirmedAt: z.optional(instant()),
}));
export type SubscriberEventData = z.infer<typeof SubscriberEventData>;

/** `data` of `subscriber.erased`: only the SHA-256 of the canonical address, so an erase leaves no address behind. */
export const ErasedEventData = /* @__PURE__ */ onFirstUse(() => z.object({ emailHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)) }));
export type ErasedEventData = z.infer<typeof ErasedEventData>;

/**
 * A gift's state as an event tells it: `paid`; after refunds `refunded` or `partially_refunded`; `disputed`; a
 * closed dispute `won` or `lost`; a monthly gift `active` or `cancelled`.
 */
export const DonationEventStatus = /* @__PURE__ */ onFirstUse(() => z.enum(['paid', 'refunded', 'partially_refunded', 'disputed', 'won', 'lost', 'active', 'cancelled']));

/** `data` of `donation.*` and `monthly.*`: amounts in the currency's minor units (2500 = 25.00), as everywhere in the API. */
export const DonationEventData = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  campaign: z.string(),
  amount: z.int().check(z.gte(0)),
  currency: z.string().check(z.regex(/^[a-z]{3}$/)),
  frequency: Frequency,
  status: DonationEventStatus,
  email: z.optional(z.string()),
  name: z.optional(z.string()),
}));
export type DonationEventData = z.infer<typeof DonationEventData>;

const eventOf = <T extends EventType, D extends z.core.$ZodType>(types: readonly T[], data: D) =>
  z.object({ id: z.string().check(z.minLength(1)), type: z.enum(types), timestamp: instant(), data });

/**
 * One event, as it is kept until every endpoint has it: `id` is ours (never sent as such: each endpoint gets its own
 * `webhook-id`, see messageId), `timestamp` is when the change happened.
 */
export const WebhookEvent = /* @__PURE__ */ onFirstUse(() => z.discriminatedUnion('type', [
  eventOf(SUBSCRIBER_EVENT_TYPES, SubscriberEventData),
  eventOf(['subscriber.erased'], ErasedEventData),
  eventOf(DONATION_EVENT_TYPES, DonationEventData),
]));
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/**
 * The body every endpoint receives, `{"type", "timestamp", "data"}` (the Standard Webhooks payload structure),
 * serialised once: the signature covers these exact bytes.
 */
export const eventBody = (event: WebhookEvent): string =>
  JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
