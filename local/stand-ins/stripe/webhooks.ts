import Stripe from 'stripe';
import { own, type PendingDelivery, type StoredWebhookEndpoint, type StripeStore } from './state.js';

/**
 * When a failed delivery is tried again, in milliseconds after the previous attempt. Stripe retries a failed
 * delivery for up to three days with exponential backoff; locally the same schedule is scaled down to seconds:
 * 1 s, 2 s, 4 s … doubling, capped at a minute, eight retries (about four minutes in all).
 */
export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000];

/** Stripe stops retrying an event's delivery three days after the event. */
const RETRY_WINDOW_MS = 3 * 86_400_000;

/**
 * A listener that gets every event, signed with its own secret, whatever endpoints are registered: what
 * `stripe listen --forward-to URL` does on a developer's machine.
 */
export interface WebhookListener {
  url: string;
  secret: string;
}

/** Where one delivery goes: a registered endpoint (`id`) or the listener (no id). */
interface Target {
  id?: string;
  url: string;
  secret: string;
}

/** One delivery to make: the event to one target, under its key in the store's `deliveries`. */
export interface Delivery {
  key: string;
  event: Stripe.Event;
}

/** An endpoint gets the events it enables (`*`: all of them), while it is enabled. */
export const listensTo = (endpoint: Stripe.WebhookEndpoint, type: string) =>
  endpoint.status === 'enabled' && (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type));

const keyOf = (eventId: string, endpointId: string | undefined) => (endpointId ? `${eventId}>${endpointId}` : eventId);

/**
 * Signs and delivers events as Stripe does: each to every enabled webhook endpoint that enables its type, signed
 * with that endpoint's secret (and to the listener, when there is one); a delivery that fails is retried with
 * backoff. The deliveries still to be made are kept in the store (`deliveries`) with the objects, so that they
 * outlive a crash or a stop of the simulator: the next one takes them up (`resume`) at the time each was due. The
 * events are in the API version the simulator builds its objects in; an endpoint can ask for no other (see
 * settings-api.ts), so every endpoint gets them as they are.
 */
export class WebhookSender {
  /** The retries waiting, by delivery key. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  /**
   * `reach`: the address this machine reaches an endpoint's URL at (the dev server's public URL is its own port
   * here, whatever host name the links carry).
   */
  constructor(
    private readonly store: StripeStore,
    private readonly listener: WebhookListener | undefined,
    private readonly retryDelaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS,
    private readonly reach: (url: string) => string = (url) => url,
  ) {}

  /** The endpoints (and the listener) an event of this type goes to now. */
  private targetsFor(type: string): Target[] {
    const endpoints = Object.values(this.store.state.webhookEndpoints).filter((e) => listensTo(e, type));
    return [...(this.listener ? [this.listener] : []), ...endpoints.map((e) => ({ id: e.id, url: e.url, secret: e.secret }))];
  }

  private target(delivery: PendingDelivery): Target | undefined {
    if (delivery.endpoint === undefined) return this.listener;
    const endpoint: StoredWebhookEndpoint | undefined = own(this.store.state.webhookEndpoints, delivery.endpoint);
    // A deleted or disabled endpoint gets no more attempts, as in Stripe.
    return endpoint && endpoint.status === 'enabled' ? { id: endpoint.id, url: endpoint.url, secret: endpoint.secret } : undefined;
  }

  /** The `Stripe-Signature` header for a payload, made now (`t=…,v1=…`: HMAC-SHA256 of "t.payload"). */
  static sign(payload: string, secret: string): string {
    return Stripe.webhooks.generateTestHeaderString({ payload, secret });
  }

  private async post(event: Stripe.Event, target: Target): Promise<boolean> {
    const payload = JSON.stringify(event);
    try {
      const response = await fetch(this.reach(target.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': WebhookSender.sign(payload, target.secret),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  /**
   * Delivers one event once more to every endpoint that takes it now, each signed afresh (a manual resend); true
   * when each answered 2xx (so also when no endpoint enables its type: there is nothing to deliver).
   */
  async deliver(event: Stripe.Event): Promise<boolean> {
    const outcomes = await Promise.all(this.targetsFor(event.type).map((target) => this.post(event, target)));
    return outcomes.every(Boolean);
  }

  /**
   * Records that these events are to be delivered, now, to each endpoint that takes them: their deliveries go into
   * the same commit as the change that made the events, so a crash before (or during) the first attempt leaves
   * them to the next start. Answers the deliveries, for `send`.
   */
  enqueue(events: readonly Stripe.Event[]): Delivery[] {
    const dueAt = Date.now();
    const deliveries: Delivery[] = [];
    for (const event of events) {
      for (const target of this.targetsFor(event.type)) {
        const key = keyOf(event.id, target.id);
        this.store.put('deliveries', key, { attempts: 0, dueAt, event: event.id, ...(target.id ? { endpoint: target.id } : {}) });
        deliveries.push({ key, event });
      }
    }
    return deliveries;
  }

  /**
   * Makes the first attempt of each enqueued delivery at once, and answers once they are over; a delivery whose
   * attempt failed (not 2xx, or no connection) is tried again in the background after each delay of the schedule,
   * each attempt signed afresh, until one succeeds or the schedule ends. Each outcome is committed.
   */
  async send(deliveries: readonly Delivery[]): Promise<void> {
    await Promise.all(deliveries.map(async ({ key, event }) => this.settle(key, event, await this.attempt(key, event))));
    if (!this.closed) this.store.commit();
  }

  private async attempt(key: string, event: Stripe.Event): Promise<boolean | undefined> {
    const delivery = own(this.store.state.deliveries, key);
    const target = delivery && this.target(delivery);
    return target ? this.post(event, target) : undefined;
  }

  /**
   * Takes up the deliveries a previous run left (a crash, or a stop with retries waiting): each at the time it was
   * due, or at once if that has passed. Those of events more than three days old are dropped, as Stripe would have.
   * One kept by an earlier version (to the one URL it delivered to) goes to the listener if there is one, else to
   * each endpoint that takes the event now.
   */
  resume() {
    const now = Date.now();
    for (const [key, delivery] of Object.entries(this.store.state.deliveries)) {
      const event = this.store.event(delivery.event ?? key);
      if (!event || event.created * 1000 < now - RETRY_WINDOW_MS) {
        this.store.delete('deliveries', key);
        continue;
      }
      const wait = Math.max(0, delivery.dueAt - now);
      if (delivery.event === undefined && !this.listener) {
        this.store.delete('deliveries', key);
        for (const target of this.targetsFor(event.type)) {
          const moved = keyOf(event.id, target.id);
          this.store.put('deliveries', moved, { ...delivery, event: event.id, ...(target.id ? { endpoint: target.id } : {}) });
          this.schedule(moved, event, wait);
        }
      } else this.schedule(key, event, wait);
    }
    this.store.commit();
  }

  /**
   * Records an attempt's outcome: delivered, or the next attempt due, or none left (Stripe gives up; the event stays
   * listed, for a resend), or no endpoint to go to any more (`undefined`).
   */
  private settle(key: string, event: Stripe.Event, delivered: boolean | undefined) {
    const delivery = own(this.store.state.deliveries, key);
    if (this.closed || !delivery) return;
    const delay = delivered === false ? this.retryDelaysMs[delivery.attempts] : undefined;
    if (delay === undefined) {
      this.store.delete('deliveries', key);
      return;
    }
    this.store.put('deliveries', key, { ...delivery, attempts: delivery.attempts + 1, dueAt: Date.now() + delay });
    this.schedule(key, event, delay);
  }

  private schedule(key: string, event: Stripe.Event, delay: number) {
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(async () => {
      this.timers.delete(key);
      if (this.closed) return;
      this.settle(key, event, await this.attempt(key, event));
      if (!this.closed) this.store.commit();
    }, delay);
    this.timers.set(key, timer);
  }

  /** Retries still waiting. */
  get pendingRetries() {
    return this.timers.size;
  }

  /**
   * Stops retrying (the simulator is closing). The deliveries still to be made stay in the store, for the next
   * start; an attempt in flight is not recorded, so it is made again then (at least once, as Stripe).
   */
  close() {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
