import * as z from 'zod/mini';
import { onFirstUse, parse } from '../core/shared/schema.js';
import { CurrencyCode, type PaymentEvent } from '../core/donations/model.js';
import { idOf, Metadata } from './stripe-client.js';
import type { HandledStripeEvent } from './stripe-handled-events.js';
import { Amount, donorEmail, type EventEnvelope, IdRef, type Ignored, ObjectMetadata, readObject, Timestamp } from './stripe-payment-events.js';

// What Stripe tells us after a gift is made: refunds, disputes, the end of a monthly gift and a failed renewal.
// Loaded by stripe-payment-events.ts with the first such event: the cold start is for the gifts themselves.

const RefundObject = /* @__PURE__ */ onFirstUse(() => z.object({ id: z.string(), amount: Amount(), status: z.nullish(z.string()), payment_intent: IdRef }));

const ChargeObject = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  payment_intent: IdRef,
  amount: z.optional(Amount()),
  amount_refunded: Amount(),
  refunds: z.nullish(z.object({ data: z.array(RefundObject) })),
}));

const DisputeObject = /* @__PURE__ */ onFirstUse(() => z.object({ id: z.string(), payment_intent: IdRef, status: z.string(), amount: z.optional(Amount()) }));

const SubscriptionObject = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  metadata: ObjectMetadata,
  ended_at: z.nullish(Timestamp()),
  canceled_at: z.nullish(Timestamp()),
  customer: z.optional(IdRef),
  cancellation_details: z.nullish(z.object({ reason: z.nullish(z.string()) })),
}));

/** The invoice in an `invoice.payment_failed` event: read as sent (nothing needs fetching to tell the donor). */
const FailedInvoiceObject = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  amount_due: Amount(),
  currency: CurrencyCode,
  customer: IdRef,
  customer_email: z.nullish(z.string()),
  billing_reason: z.nullish(z.string()),
  /** When Stripe tries again; null once it has given up (its last attempt failed). */
  next_payment_attempt: z.nullish(Timestamp()),
  parent: z.nullish(z.object({ subscription_details: z.nullish(z.object({ subscription: IdRef, metadata: ObjectMetadata })) })),
}));

/** A refund as we keep it: a failed or canceled one returned no money, and never will (a retry is a new refund). */
const refundReport = (refund: z.infer<typeof RefundObject>) => ({
  id: refund.id,
  amount: refund.amount,
  failed: refund.status === 'failed' || refund.status === 'canceled',
});

/** The event types this module reads (stripe-payment-events.ts reads the gifts themselves). */
type LaterEventType = Exclude<HandledStripeEvent, 'checkout.session.completed' | 'checkout.session.async_payment_succeeded' | 'checkout.session.async_payment_failed' | 'invoice.paid'>;

/**
 * What a verified event after a gift means for it. `customerEmail` looks up the address a customer has now (the
 * subscription that ended for non-payment carries none).
 */
export const translateLaterEvent = async (
  type: LaterEventType,
  event: z.infer<typeof EventEnvelope>,
  at: Date,
  customerEmail: (customer: string | undefined) => Promise<string | undefined>,
): Promise<PaymentEvent | Ignored> => {
  switch (type) {
    case 'charge.refunded': {
      // In the API version the `stripe` package pins, the charge's `refunds` list is not part of the event (it
      // must be expanded). We take what the event has: `amount_refunded`, the cumulative figure at that moment
      // (a lower bound: it counts refunds that may still fail), and each refund in `refunds.data` when present.
      // Which refunds fail comes from the events that carry one refund each (below).
      const read = readObject(ChargeObject, event.data.object);
      if (!('object' in read)) return read;
      const charge = read.object;
      const key = idOf(charge.payment_intent);
      if (!key) return { kind: 'ignored', reason: 'charge without payment intent' };
      return { kind: 'refund', key, refunded: charge.amount_refunded, refunds: (charge.refunds?.data ?? []).map(refundReport), at };
    }
    case 'charge.refund.updated':
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed': {
      // One refund, with its id and status: a `failed` (or `canceled`) one gives the money back.
      const read = readObject(RefundObject, event.data.object);
      if (!('object' in read)) return read;
      const refund = read.object;
      const key = idOf(refund.payment_intent);
      if (!key) return { kind: 'ignored', reason: 'refund without payment intent' };
      return { kind: 'refund', key, refunds: [refundReport(refund)], at };
    }
    case 'charge.dispute.created':
    case 'charge.dispute.funds_withdrawn':
    case 'charge.dispute.funds_reinstated':
    case 'charge.dispute.closed': {
      const read = readObject(DisputeObject, event.data.object);
      if (!('object' in read)) return read;
      const dispute = read.object;
      const key = idOf(dispute.payment_intent);
      if (!key) return { kind: 'ignored', reason: 'dispute without payment intent' };
      // Closed `won` (or `warning_closed`: an inquiry that never became a chargeback) gives the money back.
      const state =
        event.type === 'charge.dispute.funds_reinstated'
          ? 'won'
          : event.type === 'charge.dispute.closed'
            ? dispute.status === 'lost'
              ? 'lost'
              : 'won'
            : 'open';
      return { kind: 'dispute', key, dispute: dispute.id, state, at };
    }
    case 'customer.subscription.deleted': {
      // The end of a monthly gift (cancelled in the Customer Portal, in the dashboard, or after failed payments):
      // recorded once, at the time Stripe ended it, however often and whenever the event arrives.
      const read = readObject(SubscriptionObject, event.data.object);
      if (!('object' in read)) return read;
      const subscription = read.object;
      const endedAt = subscription.ended_at ?? subscription.canceled_at ?? event.created;
      const campaign = subscription.metadata?.campaign;
      const ended = { kind: 'subscription', subscription: subscription.id, status: 'ended', campaign, at: new Date(endedAt * 1000) } as const;
      if (subscription.cancellation_details?.reason !== 'payment_failed') return ended;
      // Stripe gave up collecting: the donor is told, at the address their customer has (the subscription has none).
      return { ...ended, endedFor: 'payment_failed', email: await customerEmail(idOf(subscription.customer)), lang: subscription.metadata?.lang };
    }
    case 'invoice.payment_failed': {
      const read = readObject(FailedInvoiceObject, event.data.object);
      if (!('object' in read)) return read;
      const invoice = read.object;
      const details = invoice.parent?.subscription_details;
      const subscription = idOf(details?.subscription);
      // A renewal that failed: the first payment fails on Checkout's own page, in front of the donor.
      if (!subscription || invoice.billing_reason !== 'subscription_cycle') return { kind: 'ignored', reason: 'failed invoice not a renewal' };
      const meta = details?.metadata ?? parse(Metadata, {});
      return {
        kind: 'payment-failed',
        invoice: invoice.id,
        subscription,
        campaign: meta.campaign,
        customer: idOf(invoice.customer),
        email: donorEmail(invoice.customer_email),
        amount: invoice.amount_due,
        currency: invoice.currency,
        lang: meta.lang,
        willRetry: invoice.next_payment_attempt != null,
        at,
      };
    }
    default: {
      const unhandled: never = type;
      return { kind: 'ignored', reason: `type ${unhandled}` };
    }
  }
};
