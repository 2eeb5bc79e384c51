import Stripe from 'stripe';

/**
 * When a failed delivery is tried again, in milliseconds after the previous attempt. Stripe retries a failed
 * delivery for up to three days with exponential backoff; locally the same schedule is scaled down to seconds:
 * 1 s, 2 s, 4 s … doubling, capped at a minute, eight retries (about four minutes in all).
 */
export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000];

/** Signs and delivers events to one endpoint, as Stripe does: a delivery that fails is retried with backoff. */
export class WebhookSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
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
   * Delivers an event and answers once the first attempt is over (true when it succeeded); when it failed (not
   * 2xx, or no connection), the event is tried again in the background after each delay of the schedule, each
   * attempt signed afresh, until one succeeds or the schedule ends.
   */
  async send(event: Stripe.Event): Promise<boolean> {
    const delivered = await this.deliver(event);
    if (!delivered) this.retry(event, 0);
    return delivered;
  }

  private retry(event: Stripe.Event, attempt: number) {
    const delay = this.retryDelaysMs[attempt];
    if (delay === undefined || this.closed) return;
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      if (this.closed) return;
      if (!(await this.deliver(event))) this.retry(event, attempt + 1);
    }, delay);
    this.timers.add(timer);
  }

  /** Retries still waiting. */
  get pendingRetries() {
    return this.timers.size;
  }

  /** Drops the retries still waiting (the simulator is closing). */
  close() {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
