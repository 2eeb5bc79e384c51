import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type Stripe from 'stripe';

/**
 * What Stripe keeps about a Checkout Session beyond the session object itself: its line item (as the
 * `line_items` sub-resource would list it) and the metadata it was asked to put on the payment intent or the
 * subscription it creates. Never sent to a client: the session the API returns is exactly a Stripe session.
 */
export interface CheckoutSetup {
  productName: string;
  unitAmount: number;
  quantity: number;
  paymentIntentMetadata: Stripe.Metadata;
  subscriptionMetadata: Stripe.Metadata;
}

/** Everything the simulator knows, as one JSON document (its state file). */
export interface SimState {
  sessions: Record<string, Stripe.Checkout.Session>;
  checkouts: Record<string, CheckoutSetup>;
  paymentIntents: Record<string, Stripe.PaymentIntent>;
  charges: Record<string, Stripe.Charge>;
  refunds: Record<string, Stripe.Refund>;
  disputes: Record<string, Stripe.Dispute>;
  customers: Record<string, Stripe.Customer>;
  invoices: Record<string, Stripe.Invoice>;
  subscriptions: Record<string, Stripe.Subscription>;
  /** Customer Portal sessions, each opening the portal page of one customer. */
  portalSessions: Record<string, Stripe.BillingPortal.Session>;
  /**
   * The account's default Customer Portal configuration (`bpc_…`), made with the first portal session: the one
   * Stripe's dashboard saves, with cancelling and changing the card turned on.
   */
  portalConfiguration?: string;
  events: Stripe.Event[];
  /** Idempotency key → the frozen first answer, and the request it answered (method, path, parameters). */
  idempotency: Record<string, { status: number; body: unknown; request?: string }>;
}

const empty = (): SimState => ({
  sessions: {},
  checkouts: {},
  paymentIntents: {},
  charges: {},
  refunds: {},
  disputes: {},
  customers: {},
  invoices: {},
  subscriptions: {},
  portalSessions: {},
  events: [],
  idempotency: {},
});

/** An object of a collection by id, only if it is one of its own (never `__proto__` or another inherited key). */
export const own = <T>(items: Record<string, T>, id: string): T | undefined => (Object.hasOwn(items, id) ? items[id] : undefined);

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
export const now = () => Math.floor(Date.now() / 1000);

/** The simulator's objects, kept in memory and written whole to its state file after every change. */
export class StripeStore {
  readonly state: SimState;

  constructor(private readonly file: string) {
    // A state file from before a collection existed gets that collection empty.
    this.state = { ...empty(), ...(existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<SimState>) : {}) };
  }

  save() {
    writeFileSync(this.file, JSON.stringify(this.state));
  }

  /** The charge of a payment intent (each has exactly one here: no retries of a declined card). */
  chargeOf(paymentIntentId: string): Stripe.Charge | undefined {
    return Object.values(this.state.charges).find((c) => c.payment_intent === paymentIntentId);
  }
}
