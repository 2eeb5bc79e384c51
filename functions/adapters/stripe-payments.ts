import Stripe from 'stripe';
import * as z from 'zod';
import { Frequency, type PaymentEvent } from '../core/donations/model.js';
import { parseEmailAddress } from '../core/shared/email-address.js';
import { InvalidSignatureError, TransientError } from '../core/shared/errors.js';
import type { CheckoutParams, PaymentEvents, Payments } from '../core/donations/ports.js';

export interface StripeOptions {
  secretKey: string;
  /** Only to reach a stand-in (the dev server's simulator); production talks to api.stripe.com. */
  apiUrl?: string | undefined;
}

export const stripeClient = (options: StripeOptions) => {
  const url = options.apiUrl ? new URL(options.apiUrl) : undefined;
  return new Stripe(options.secretKey, {
    maxNetworkRetries: 2,
    timeout: 8000,
    telemetry: false,
    ...(url ? { host: url.hostname, port: url.port, protocol: url.protocol === 'http:' ? 'http' : 'https' } : {}),
  });
};

/** Our metadata on every session, subscription and payment: all strings, as Stripe stores them. */
const Metadata = z.object({
  campaign: z.string().optional(),
  frequency: Frequency.catch('once'),
  subscribe: z.enum(['true', 'false']).catch('false'),
});

const retryable = (error: unknown) =>
  error instanceof Stripe.errors.StripeConnectionError ||
  error instanceof Stripe.errors.StripeAPIError ||
  error instanceof Stripe.errors.StripeRateLimitError;

/** Stripe's failures that a retry may fix become TransientError; the message never carries Stripe's text. */
const translate = (error: unknown): never => {
  if (retryable(error)) throw new TransientError('the payment service is unavailable', { cause: error });
  throw error;
};

export class StripePayments implements Payments {
  constructor(private readonly stripe: Stripe) {}

  async createCheckout(params: CheckoutParams, idempotencyKey: string) {
    const metadata = { campaign: params.campaign.id, frequency: params.frequency, subscribe: String(params.subscribe) };
    const product = { name: `Donation to ${params.campaign.title}` };
    const common = {
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: params.currency,
            unit_amount: params.amount,
            product_data: product,
            ...(params.mode === 'subscription' ? { recurring: { interval: 'month' as const } } : {}),
          },
        },
      ],
      metadata,
      customer_email: params.email,
      success_url: params.successUrl,
      cancel_url: params.cancelUrl,
    };
    const session = await this.stripe.checkout.sessions
      .create(
        params.mode === 'payment'
          ? { ...common, mode: 'payment', submit_type: 'donate', payment_intent_data: { metadata } }
          : { ...common, mode: 'subscription', subscription_data: { metadata } },
        { idempotencyKey },
      )
      .catch(translate);
    return { id: session.id, url: session.url, open: session.status === 'open' };
  }

  async describeCheckout(sessionId: string) {
    try {
      const session = await this.stripe.checkout.sessions.retrieve(sessionId);
      if (session.amount_total === null || !session.currency) return undefined;
      const meta = Metadata.parse(session.metadata ?? {});
      return {
        complete: session.status === 'complete',
        amount: session.amount_total,
        currency: session.currency,
        frequency: session.mode === 'subscription' ? ('monthly' as const) : ('once' as const),
        campaign: meta.campaign,
      };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return undefined; // no such session
      return translate(error);
    }
  }
}

/**
 * The donor's address as Stripe has it (typed by the donor at Checkout), in the canonical form that readers'
 * addresses take; one we could not mail is dropped, and the gift is counted without a donor address.
 */
const donorEmail = (raw: string | null | undefined) => parseEmailAddress(raw ?? undefined);

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : value?.id);

/**
 * Verifies a webhook (the raw body, as Stripe signed it) and translates the event into what it means for a gift.
 * Events of the other mode (test vs live) and types we do not use are ignored, not errors.
 */
export class StripePaymentEvents implements PaymentEvents {
  constructor(
    private readonly stripe: Stripe,
    private readonly webhookSecret: string,
    private readonly livemode: boolean,
  ) {}

  async read(rawBody: string, signature: string | undefined): Promise<PaymentEvent> {
    if (!signature) throw new InvalidSignatureError('The Stripe-Signature header is missing.');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret);
    } catch (cause) {
      throw new InvalidSignatureError('The webhook signature is not valid or too old.', { cause });
    }
    if (event.livemode !== this.livemode) return { kind: 'ignored', reason: 'other mode' };
    const at = new Date(event.created * 1000);
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
      case 'checkout.session.async_payment_failed': {
        const session = event.data.object;
        const meta = Metadata.parse(session.metadata ?? {});
        if (session.mode === 'subscription') {
          // Each month, first included, is counted from its invoice.paid; the session only starts the gift.
          const subscription = idOf(session.subscription);
          if (!subscription) return { kind: 'ignored', reason: 'subscription session without subscription' };
          return { kind: 'subscription', subscription, status: 'active', campaign: meta.campaign, at };
        }
        const key = idOf(session.payment_intent);
        if (!key || session.amount_total === null || !session.currency) return { kind: 'ignored', reason: 'session without payment' };
        const status =
          event.type === 'checkout.session.async_payment_failed'
            ? 'failed'
            : event.type === 'checkout.session.async_payment_succeeded' || session.payment_status === 'paid'
              ? 'paid'
              : 'processing';
        return {
          kind: 'payment',
          key,
          status,
          campaign: meta.campaign,
          frequency: 'once',
          amount: session.amount_total,
          currency: session.currency,
          email: donorEmail(session.customer_details?.email ?? session.customer_email),
          name: session.customer_details?.name ?? undefined,
          subscribe: meta.subscribe === 'true',
          offersSignup: true,
          checkoutSession: session.id,
          at,
        };
      }
      case 'invoice.paid': {
        // The invoice's payments are not in the event: fetch the invoice to learn its payment intent.
        const invoice = await this.stripe.invoices.retrieve(event.data.object.id, { expand: ['payments'] }).catch(translate);
        const details = invoice.parent?.subscription_details;
        const subscription = idOf(details?.subscription);
        const payment = invoice.payments?.data.find((p) => p.status === 'paid') ?? invoice.payments?.data[0];
        const key = idOf(payment?.payment.payment_intent);
        if (!subscription || !key) return { kind: 'ignored', reason: 'invoice without subscription or payment' };
        const meta = Metadata.parse(details?.metadata ?? {});
        return {
          kind: 'payment',
          key,
          status: 'paid',
          campaign: meta.campaign,
          frequency: 'monthly',
          amount: invoice.amount_paid,
          currency: invoice.currency,
          email: donorEmail(invoice.customer_email),
          name: invoice.customer_name ?? undefined,
          subscribe: meta.subscribe === 'true',
          offersSignup: invoice.billing_reason === 'subscription_create',
          invoice: invoice.id,
          subscription,
          at,
        };
      }
      case 'charge.refunded': {
        const charge = event.data.object;
        const key = idOf(charge.payment_intent);
        if (!key) return { kind: 'ignored', reason: 'charge without payment intent' };
        return { kind: 'refund', key, refunded: charge.amount_refunded, at };
      }
      case 'charge.dispute.created': {
        const key = idOf(event.data.object.payment_intent);
        if (!key) return { kind: 'ignored', reason: 'dispute without payment intent' };
        return { kind: 'dispute', key, at };
      }
      case 'customer.subscription.deleted': {
        const subscription = event.data.object;
        return { kind: 'subscription', subscription: subscription.id, status: 'ended', campaign: Metadata.parse(subscription.metadata ?? {}).campaign, at };
      }
      default:
        return { kind: 'ignored', reason: `type ${event.type}` };
    }
  }
}
