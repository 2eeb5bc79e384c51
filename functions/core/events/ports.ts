import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';
import type { WebhookEndpoint } from './endpoint.js';
import { type DonationEventData, EventType, type WebhookEvent } from './model.js';
import type { EndpointSecrets } from './signing.js';

/** Why a delivery failed for good without (another) attempt: its endpoint went, or its event can no longer be told. */
export const DeliveryStop = /* @__PURE__ */ onFirstUse(() => z.enum(['endpoint_removed', 'endpoint_disabled', 'event_gone']));

/**
 * One event to one endpoint, and what became of it: the delivery log's line. It holds ids and outcomes, never the
 * event's data (the body is built from the kept event at each attempt), so an erase has nothing to take out of it.
 * `id` is the `webhook-id` every attempt carries. `generation` grows with each manual retry or replay: a queued
 * attempt of an earlier generation is dropped.
 */
export const Delivery = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  type: EventType,
  status: z.enum(['pending', 'delivered', 'failed']),
  /** Attempts made in this generation. */
  attempts: z.int().check(z.gte(0)),
  generation: z.int().check(z.gte(0)),
  createdAt: instant(),
  /** The last attempt's time (the creation's before any). */
  at: instant(),
  nextAttemptAt: z.optional(instant()),
  responseStatus: z.optional(z.int()),
  latencyMs: z.optional(z.int()),
  error: z.optional(z.enum(['status', 'timeout', 'network', 'forbidden_target', 'endpoint_removed', 'endpoint_disabled', 'event_gone'])),
}));
export type Delivery = z.infer<typeof Delivery>;

/** What one attempt (or a stop) wrote to a delivery. */
export type DeliveryUpdate = Pick<Delivery, 'status' | 'attempts' | 'at'> & Partial<Pick<Delivery, 'nextAttemptAt' | 'responseStatus' | 'latencyMs' | 'error'>>;

/** The newsroom's endpoints. Secrets are kept sealed by the adapter, and open only in memory. */
export interface WebhookEndpoints {
  create(endpoint: WebhookEndpoint): Promise<void>;
  get(id: string): Promise<WebhookEndpoint | undefined>;
  /** Every endpoint, oldest first (a newsroom has a few). */
  list(): Promise<WebhookEndpoint[]>;
  /** False when there was none. */
  remove(id: string): Promise<boolean>;
  saveSecrets(id: string, secrets: EndpointSecrets): Promise<void>;
  /** Records a failure: `failingSince` is set unless it is already (the first failure since the last success). */
  markFailing(id: string, since: string): Promise<void>;
  /** Records a success: the endpoint is failing no more. */
  markSucceeded(id: string): Promise<void>;
  /** Disables the endpoint; true only for the call that disabled it (so its admins are told once). */
  disable(id: string, at: string): Promise<boolean>;
  /** Enables a disabled endpoint again, its failures forgotten; false when there is none. */
  enable(id: string): Promise<boolean>;
}

/**
 * The events themselves, kept for their deliveries and for replays for EVENT_RETENTION_MS. An event about a
 * person is filed under the person's keyed hash (`subject`), so that an erase finds and scrubs every one.
 */
export interface OutboundEvents {
  /** Keeps an event; keeping it again changes nothing (its id comes from the change, so a change read twice is one event). */
  put(event: WebhookEvent, subject: string | undefined, now: Date): Promise<void>;
  /** The event, or undefined when it is unknown, scrubbed or past its retention. */
  get(id: string, now: Date): Promise<WebhookEvent | undefined>;
  /** Removes every event kept about a person (their address with it); answers how many. */
  scrub(subject: string): Promise<number>;
  /** Whether the person is erased (their address is then never put in an event). */
  isErased(subject: string): Promise<boolean>;
  /**
   * Records that a monthly gift started, with what its event told, by the paid month (`by`, a gift's key) seen
   * first; true when that month is `by` (now or on an earlier run that may have died before telling it), so
   * `monthly.started` is raised for one month only, whichever is seen first.
   */
  startMonthly(subscription: string, data: DonationEventData, subject: string | undefined, options: { by: string; now: Date }): Promise<boolean>;
  /** What a monthly gift's start told, for its cancellation; undefined when none was told (or it was scrubbed). */
  monthly(subscription: string): Promise<DonationEventData | undefined>;
}

export interface DeliveryLog {
  /** Creates a pending delivery; false (and nothing changed) when it exists already. */
  create(delivery: Delivery): Promise<boolean>;
  get(id: string): Promise<Delivery | undefined>;
  /**
   * Takes a pending delivery for one attempt, for `leaseMs`: only if it is still pending, at `attempts` in
   * `generation`, and nobody holds it. False when any of those is not so (another worker has it, or it moved on).
   */
  claim(id: string, expected: { attempts: number; generation: number }, now: Date, leaseMs: number): Promise<boolean>;
  /** Writes an attempt's outcome and lets the delivery go, only if it is still in `generation`. */
  record(id: string, generation: number, update: DeliveryUpdate): Promise<void>;
  /** Makes a delivery pending again, now, as a new generation (a manual retry or a replay); undefined when unknown. */
  rearm(id: string, now: Date): Promise<Delivery | undefined>;
  /** An endpoint's deliveries, newest first, at most `limit`, created at or after `since` when given. */
  list(webhookId: string, options: { limit: number; since?: string }): Promise<Delivery[]>;
}

/** One queued attempt: a delivery id and its generation, never the event's data. */
export interface DeliveryJob {
  delivery: string;
  generation: number;
}

/** The delivery queue: each job is handed to the delivery worker after `delaySeconds` (0 to 900, as SQS allows). */
export interface DeliveryQueue {
  send(jobs: readonly (DeliveryJob & { delaySeconds: number })[]): Promise<void>;
}

/**
 * The address an erase must still reach the newsletter tools with, after Appeal has forgotten it: one sealed copy
 * per connector delivery of `subscriber.erased` (whose event tells only the address's hash), kept for
 * ERASED_ADDRESS_TTL_MS at most and dropped as soon as that delivery is done. Sealed under the stage's key, bound
 * to the delivery, so neither the table, a backup nor the queue holds the address in clear.
 */
export interface ErasedAddresses {
  /** Keeps the sealed copy for one delivery; keeping it again changes nothing. */
  keep(deliveryId: string, email: string, now: Date): Promise<void>;
  /** The address, or undefined once it is dropped or past its time. */
  open(deliveryId: string, now: Date): Promise<string | undefined>;
  drop(deliveryId: string): Promise<void>;
}

/** Long enough for every retry of the schedule (about 28 hours), short enough that a forgotten copy goes soon. */
export const ERASED_ADDRESS_TTL_MS = 3 * 24 * 60 * 60 * 1000;
