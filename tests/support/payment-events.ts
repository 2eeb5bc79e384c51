import type { DisputeState, PaymentEvent } from '../../functions/core/donations/model.js';

const at = new Date('2026-11-25T10:00:00Z');

/** Builders for the domain's payment events, as the Stripe adapter produces them. */
export const paid = (key: string, overrides: Partial<Extract<PaymentEvent, { kind: 'payment' }>> = {}): PaymentEvent => ({
  kind: 'payment',
  key,
  status: 'paid',
  campaign: 'ukraine',
  frequency: 'once',
  amount: 2500,
  currency: 'usd',
  email: 'donor@example.org',
  name: 'Dee Donor',
  subscribe: false,
  offersSignup: true,
  checkoutSession: `cs_${key}`,
  at,
  ...overrides,
});

export const processing = (key: string, overrides: Partial<Extract<PaymentEvent, { kind: 'payment' }>> = {}) =>
  paid(key, { status: 'processing', ...overrides });

/** A `charge.refunded` that lists no refunds: only the charge's cumulative figure. */
export const refund = (key: string, refunded: number): PaymentEvent => ({ kind: 'refund', key, refunded, refunds: [], at });
/** An event naming one refund (`refund.created`, `charge.refund.updated`…), optionally with the charge's figure. */
export const refundOf = (key: string, id: string, amount: number, failed = false, refunded?: number): PaymentEvent => ({
  kind: 'refund',
  key,
  refunded,
  refunds: [{ id, amount, failed }],
  at,
});
export const dispute = (key: string, state: DisputeState = 'open', id = `dp_${key}`): PaymentEvent => ({ kind: 'dispute', key, dispute: id, state, at });
