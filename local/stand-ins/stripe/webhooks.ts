import Stripe from 'stripe';
import { own, type StripeStore } from './state.js';

/**
 * When a failed delivery is tried again, in milliseconds after the previous attempt. Stripe retries a failed
 * delivery for up to three days with exponential backoff; locally the same schedule is scaled down to seconds:
 * 1 s, 2 s, 4 s … doubling, capped at a minute, eight retries (about four minutes in all).
 */
export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000];

/** Stripe stops retrying an event's delivery three days after the event. */
const RETRY_WINDOW_MS = 3 * 86_400_000;

/**
 * Signs and delivers events to one endpoint, as Stripe does: a delivery that fails is retried with backoff. The
 * deliveries still to be made are kept in the store (`deliveries`) with the objects, so that they outlive a crash
 * or a stop of the simulator: the next one takes them up (`resume`) at the time each was due.
 */
export class WebhookSender {
  /** The retries waiting, by event id. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly store: StripeStore,
    private readonly url: string,
    private readonly secret: string,
    private readonly retryDelaysMs: readonly number[] = DEFAULT_RETRY_DELAYS_MS,
  ) {}

  /** The `Stripe-Signature` header for a payload, made now (`t=…,v1=…`: HMAC-SHA256 of "t.payload"). */
  sign(payload: string): string {
    return Stripe.webhooks.generateTestHeaderString({ payload, secret: this.secret });
  }

  /** Delivers one event once, signed afresh; true when the endpoint answered 2xx (a manual resend). */
  async deliver(event: Stripe.Event): Promise<boolean> {
    const payload = JSON.stringify(event);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': this.sign(payload),
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
   * Records that these events are to be delivered, now: their deliveries go into the same commit as the change
   * that made the events, so a crash before (or during) the first attempt leaves them to the next start.
   */
  enqueue(events: readonly Stripe.Event[]) {
    const dueAt = Date.now();
    for (const event of events) this.store.put('deliveries', event.id, { attempts: 0, dueAt });
  }

  /**
   * Makes the first attempt of each enqueued event at once, and answers once they are over; an event whose attempt
   * failed (not 2xx, or no connection) is tried again in the background after each delay of the schedule, each
   * attempt signed afresh, until one succeeds or the schedule ends. Each outcome is committed.
   */
  async send(events: readonly Stripe.Event[]): Promise<void> {
    await Promise.all(events.map(async (event) => this.settle(event, await this.deliver(event))));
    if (!this.closed) this.store.commit();
  }

  /**
   * Takes up the deliveries a previous run left (a crash, or a stop with retries waiting): each at the time it was
   * due, or at once if that has passed. Those of events more than three days old are dropped, as Stripe would have.
   */
  resume() {
    const now = Date.now();
    for (const [id, delivery] of Object.entries(this.store.state.deliveries)) {
      const event = this.store.event(id);
      if (!event || event.created * 1000 < now - RETRY_WINDOW_MS) this.store.delete('deliveries', id);
      else this.schedule(event, Math.max(0, delivery.dueAt - now));
    }
    this.store.commit();
  }

  /** Records an attempt's outcome: delivered, or the next attempt due (or none left: Stripe gives up; the event stays listed, for a resend). */
  private settle(event: Stripe.Event, delivered: boolean) {
    const delivery = own(this.store.state.deliveries, event.id);
    if (this.closed || !delivery) return;
    const delay = delivered ? undefined : this.retryDelaysMs[delivery.attempts];
    if (delay === undefined) {
      this.store.delete('deliveries', event.id);
      return;
    }
    this.store.put('deliveries', event.id, { attempts: delivery.attempts + 1, dueAt: Date.now() + delay });
    this.schedule(event, delay);
  }

  private schedule(event: Stripe.Event, delay: number) {
    clearTimeout(this.timers.get(event.id));
    const timer = setTimeout(async () => {
      this.timers.delete(event.id);
      if (this.closed) return;
      this.settle(event, await this.deliver(event));
      if (!this.closed) this.store.commit();
    }, delay);
    this.timers.set(event.id, timer);
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
