import type Stripe from 'stripe';

/**
 * The Stripe events the webhook acts on, and so exactly the events its endpoint enables (`stripe setup` registers
 * these; `doctor` compares the endpoint with them). The webhook's switch is typed by this list: a type added here
 * without a case, or a case without its type here, does not compile.
 */
export const HANDLED_STRIPE_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'invoice.paid',
  'charge.refunded',
  'charge.refund.updated',
  'refund.created',
  'refund.updated',
  'refund.failed',
  'charge.dispute.created',
  'charge.dispute.funds_withdrawn',
  'charge.dispute.funds_reinstated',
  'charge.dispute.closed',
  'customer.subscription.deleted',
  'invoice.payment_failed',
] as const satisfies readonly Stripe.WebhookEndpointCreateParams.EnabledEvent[];

export type HandledStripeEvent = (typeof HANDLED_STRIPE_EVENTS)[number];

const HANDLED: ReadonlySet<string> = new Set(HANDLED_STRIPE_EVENTS);
export const isHandledStripeEvent = (type: string): type is HandledStripeEvent => HANDLED.has(type);
