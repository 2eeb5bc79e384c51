import Stripe from 'stripe';

/** Signs and delivers events to one endpoint, as Stripe does. */
export class WebhookSender {
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}

  /** The `Stripe-Signature` header for a payload, made now (`t=…,v1=…`: HMAC-SHA256 of "t.payload"). */
  sign(payload: string): string {
    return Stripe.webhooks.generateTestHeaderString({ payload, secret: this.secret });
  }

  /** Delivers one event, signed afresh; true when the endpoint answered 2xx. */
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
}
