import type Stripe from 'stripe';
import { type CheckoutSetup, newId, now } from './state.js';

/**
 * Factories for the objects the simulator keeps, each typed with the `stripe` package's own type so that the
 * compiler asks for every field real Stripe always sends. Fields that only matter to features Appeal does not use
 * (tax, shipping, Connect, promotion codes, ...) get the value Stripe sends when the feature is off.
 */

const API_VERSION = '2026-10-28.endive';
const MONTH = 30 * 86400;

const list = <T>(data: T[], url: string): Stripe.ApiList<T> => ({ object: 'list', data, has_more: false, url });

/** Metadata as Stripe stores it: string values only; a key sent empty is not set (Stripe's way to unset one). */
export const toMetadata = (value: unknown): Stripe.Metadata =>
  Object.fromEntries(
    Object.entries(typeof value === 'object' && value !== null ? value : {})
      .map(([key, v]) => [key, String(v)])
      .filter(([, v]) => v !== ''),
  );

/**
 * Stripe's limits on metadata (https://docs.stripe.com/api/metadata): at most 50 keys, keys up to 40 characters,
 * values up to 500, each a string. The first broken one, worded as Stripe words it; undefined when it is fine.
 */
export const metadataProblem = (value: unknown, param: string): string | undefined => {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `Invalid hash: ${param}`;
  const entries = Object.entries(value);
  if (entries.length > 50) return `Metadata can have up to 50 keys, but you passed in ${entries.length} keys.`;
  for (const [key, v] of entries) {
    if (typeof v !== 'string') return `Invalid string: ${param}[${key}]`;
    if (key.length > 40) return `Metadata keys can have up to 40 characters, but you passed in a key that is ${key.length} characters.`;
    if (v.length > 500) return `Metadata values can have up to 500 characters, but you passed in a value that is ${v.length} characters.`;
  }
  return undefined;
};

export interface SessionParams {
  mode: 'payment' | 'subscription';
  currency: string;
  amount: number;
  metadata: Stripe.Metadata;
  customerEmail: string | null;
  submitType: Stripe.Checkout.Session.SubmitType | null;
  /** `required`: Checkout asks for the full billing address (and the name), which `customer_details` then carries. */
  billingAddressCollection?: Stripe.Checkout.Session.BillingAddressCollection | null | undefined;
  /** Hosted Checkout's ways back; embedded Checkout has neither (the donor never leaves the page). */
  successUrl: string | null;
  cancelUrl: string | null;
  url: (id: string) => string;
  /**
   * `hosted_page` (Stripe's page, at `url`) or `embedded_page` (Stripe.js's form in the merchant's page: a
   * `client_secret` instead of a `url`, and a `return_url`), as the API version the `stripe` package pins names them.
   */
  uiMode?: 'hosted_page' | 'embedded_page' | undefined;
  returnUrl?: string | undefined;
  redirectOnCompletion?: Stripe.Checkout.Session.RedirectOnCompletion | undefined;
  /** The locale asked for (`auto` kept as such); null when none was. */
  locale?: Stripe.Checkout.Session.Locale | null | undefined;
  /**
   * Adaptive Pricing: on by default for accounts that have it (Stripe may then show the donor another currency),
   * off only when the request says `adaptive_pricing[enabled]=false`.
   */
  adaptivePricing: boolean;
}

export const checkoutSession = (p: SessionParams): Stripe.Checkout.Session => {
  const id = newId('cs_test');
  const embedded = p.uiMode === 'embedded_page';
  return {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: p.adaptivePricing },
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: null,
    amount_subtotal: p.amount,
    amount_total: p.amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: p.billingAddressCollection ?? null,
    cancel_url: p.cancelUrl,
    client_reference_id: null,
    // Stripe.js takes the session by its client secret: the session's id, then a secret part.
    client_secret: embedded ? `${id}_secret_${newId('s').slice(2)}` : null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now(),
    currency: p.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: null,
    customer_account: null,
    customer_creation: p.mode === 'payment' ? 'if_required' : 'always',
    customer_details: null,
    customer_email: p.customerEmail,
    discounts: [],
    expires_at: now() + 86400,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: p.locale ?? null,
    managed_payments: null,
    metadata: p.metadata,
    mode: p.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: p.mode === 'subscription' ? 'always' : null,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: p.submitType,
    subscription: null,
    success_url: p.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: p.uiMode ?? 'hosted_page',
    url: embedded ? null : p.url(id),
    wallet_options: null,
    ...(embedded ? { redirect_on_completion: p.redirectOnCompletion ?? 'always', ...(p.returnUrl ? { return_url: p.returnUrl } : {}) } : {}),
  };
};

export const customerDetails = (email: string, name: string | null, address: Stripe.Address | null = null): Stripe.Checkout.Session.CustomerDetails => ({
  address,
  business_name: null,
  email,
  individual_name: null,
  name,
  phone: null,
  tax_exempt: 'none',
  tax_ids: [],
});

export const customer = (email: string, name: string | null): Stripe.Customer => ({
  id: newId('cus'),
  object: 'customer',
  balance: 0,
  created: now(),
  default_source: null,
  description: null,
  email,
  invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
  livemode: false,
  metadata: {},
  name,
  shipping: null,
});

export interface PaymentParams {
  amount: number;
  currency: string;
  metadata: Stripe.Metadata;
  /** false while an asynchronous method (a bank debit) is still processing. */
  succeeded: boolean;
  customer: Stripe.Customer | null;
  email: string;
  name: string | null;
}

/** A payment intent paid by card, with its one charge. */
export const payment = (p: PaymentParams): { paymentIntent: Stripe.PaymentIntent; charge: Stripe.Charge } => {
  const piId = newId('pi');
  const paymentMethod = newId('pm');
  const created = now();
  const charge: Stripe.Charge = {
    id: newId('ch'),
    object: 'charge',
    amount: p.amount,
    amount_captured: p.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: p.succeeded ? newId('txn') : null,
    billing_details: { address: null, email: p.email, name: p.name, phone: null, tax_id: null },
    calculated_statement_descriptor: 'APPEAL',
    captured: true,
    created,
    currency: p.currency,
    customer: p.customer?.id ?? null,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: piId,
    payment_method: paymentMethod,
    payment_method_details: null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: p.succeeded ? 'succeeded' : 'pending',
    transfer_data: null,
    transfer_group: null,
  };
  const paymentIntent: Stripe.PaymentIntent = {
    id: piId,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: p.amount,
    amount_capturable: 0,
    amount_received: p.succeeded ? p.amount : 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${piId}_secret_${newId('x').slice(2)}`,
    confirmation_method: 'automatic',
    created,
    currency: p.currency,
    customer: p.customer?.id ?? null,
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: charge.id,
    livemode: false,
    managed_payments: null,
    metadata: p.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: p.succeeded ? 'succeeded' : 'processing',
    transfer_group: null,
  };
  return { paymentIntent, charge };
};

/** A monthly subscription of one inline price (`price_data`), as Checkout creates it. */
export const subscription = (setup: CheckoutSetup, currency: string, owner: Stripe.Customer): Stripe.Subscription => {
  const id = newId('sub');
  const created = now();
  const product = newId('prod');
  const recurring: Stripe.Price.Recurring = { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' };
  const price: Stripe.Price = {
    id: newId('price'),
    object: 'price',
    active: false, // an inline price is never listed as active
    billing_scheme: 'per_unit',
    created,
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product,
    recurring,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: setup.unitAmount,
    unit_amount_decimal: null,
  };
  const plan: Stripe.Plan = {
    id: price.id,
    object: 'plan',
    active: false,
    amount: setup.unitAmount,
    amount_decimal: null,
    billing_scheme: 'per_unit',
    created,
    currency,
    interval: 'month',
    interval_count: 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
  const item: Stripe.SubscriptionItem = {
    id: newId('si'),
    object: 'subscription_item',
    billing_thresholds: null,
    created,
    current_period_end: created + MONTH,
    current_period_start: created,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan,
    price,
    quantity: setup.quantity,
    subscription: id,
    tax_rates: [],
  };
  return {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: created,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created,
    currency,
    customer: owner.id,
    customer_account: null,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
    items: list([item], `/v1/subscription_items?subscription=${id}`),
    latest_invoice: null,
    livemode: false,
    managed_payments: null,
    metadata: setup.subscriptionMetadata,
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: created,
    status: 'active',
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: { end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' } },
    trial_start: null,
  };
};

export interface PortalSessionParams {
  customer: string;
  configuration: string;
  returnUrl: string | null;
  locale: Stripe.BillingPortal.Session.Locale | null;
  /** The hosted portal page of a session. */
  url: (id: string) => string;
}

/**
 * A Customer Portal session as `POST /v1/billing_portal/sessions` answers it: the portal's home (no `flow`), for
 * a customer of the platform account itself (no `customer_account`, no `on_behalf_of`).
 */
export const portalSession = (p: PortalSessionParams): Stripe.BillingPortal.Session => {
  const id = newId('bps');
  return {
    id,
    object: 'billing_portal.session',
    configuration: p.configuration,
    created: now(),
    customer: p.customer,
    customer_account: null,
    flow: null,
    livemode: false,
    locale: p.locale,
    on_behalf_of: null,
    return_url: p.returnUrl,
    url: p.url(id),
  };
};

/** What one month of a subscription costs: its one item's price times quantity. */
export const monthlyAmount = (sub: Stripe.Subscription) => {
  const item = sub.items.data[0];
  return (item?.price.unit_amount ?? 0) * (item?.quantity ?? 1);
};

/** A paid invoice for the subscription's current period, paid by the given payment intent. */
export const paidInvoice = (
  sub: Stripe.Subscription,
  owner: Stripe.Customer | undefined,
  paymentIntent: Stripe.PaymentIntent,
  billingReason: Stripe.Invoice.BillingReason,
): Stripe.Invoice => {
  const id = newId('in');
  const created = now();
  const amount = monthlyAmount(sub);
  const item = sub.items.data[0];
  const period = { start: item?.current_period_start ?? created, end: item?.current_period_end ?? created + MONTH };
  const line: Stripe.InvoiceLineItem = {
    id: newId('il'),
    object: 'line_item',
    amount,
    currency: sub.currency,
    description: `${item?.quantity ?? 1} × monthly donation`,
    discount_amounts: [],
    discountable: true,
    discounts: [],
    invoice: id,
    livemode: false,
    metadata: sub.metadata,
    parent: {
      invoice_item_details: null,
      subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: item?.id ?? '' },
      type: 'subscription_item_details',
    },
    period,
    pretax_credit_amounts: [],
    pricing: { type: 'price_details', price_details: { price: item?.price.id ?? '', product: String(item?.price.product ?? '') }, unit_amount_decimal: null },
    quantity: item?.quantity ?? 1,
    quantity_decimal: null,
    subscription: sub.id,
    subtotal: amount,
    taxes: [],
  };
  const invoicePayment: Stripe.InvoicePayment = {
    id: newId('inpay'),
    object: 'invoice_payment',
    amount_paid: amount,
    amount_requested: amount,
    created,
    currency: sub.currency,
    invoice: id,
    is_default: true,
    livemode: false,
    payment: { type: 'payment_intent', payment_intent: paymentIntent.id },
    status: 'paid',
    status_transitions: { canceled_at: null, paid_at: created },
  };
  return {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: null,
    account_tax_ids: null,
    amount_due: amount,
    amount_overpaid: 0,
    amount_paid: amount,
    amount_remaining: 0,
    amount_shipping: 0,
    application: null,
    attempt_count: 1,
    attempted: true,
    auto_advance: false,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: billingReason,
    collection_method: 'charge_automatically',
    created,
    currency: sub.currency,
    custom_fields: null,
    customer: typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
    customer_account: null,
    customer_address: owner?.address ?? null,
    customer_email: owner?.email ?? null,
    customer_name: owner?.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: created,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: list([line], `/v1/invoices/${id}/lines`),
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: sub.id, metadata: sub.metadata } },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    // Kept here; the API answers it only when the request expands it, as Stripe does (see `invoiceView`).
    payments: list([invoicePayment], `/v1/invoice_payments?invoice=${id}`),
    period_end: period.end,
    period_start: period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'paid',
    status_transitions: { finalized_at: created, marked_uncollectible_at: null, paid_at: created, voided_at: null },
    subtotal: amount,
    subtotal_excluding_tax: amount,
    test_clock: null,
    total: amount,
    total_discount_amounts: [],
    total_excluding_tax: amount,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: created,
  };
};

/**
 * An invoice as Stripe renders it: `payments` is an includable field, present only when the request expands it
 * (`expand[]=payments`), and never in an event.
 */
export const invoiceView = (invoice: Stripe.Invoice, expand: readonly string[] = []): Stripe.Invoice => {
  if (expand.includes('payments')) return invoice;
  const { payments: _payments, ...rest } = invoice;
  return rest;
};

/**
 * A charge as Stripe renders it since API version 2022-11-15: `refunds` only when expanded (`expand[]=refunds`),
 * and never in an event.
 */
export const chargeView = (charge: Stripe.Charge, refunds: Stripe.Refund[], expand: readonly string[] = []): Stripe.Charge => {
  const { refunds: _refunds, ...rest } = charge;
  return expand.includes('refunds') ? { ...rest, refunds: list(refunds, `/v1/charges/${charge.id}/refunds`) } : rest;
};

/** A card refund of part or all of a charge: card refunds succeed at once (a bank may fail one later). */
export const refund = (charge: Stripe.Charge, amount: number, reason: Stripe.Refund.Reason | null): Stripe.Refund => ({
  id: newId('re'),
  object: 'refund',
  amount,
  balance_transaction: newId('txn'),
  charge: charge.id,
  created: now(),
  currency: charge.currency,
  customer: charge.customer,
  customer_account: null,
  destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
  metadata: {},
  payment_intent: charge.payment_intent,
  payment_method: charge.payment_method,
  reason,
  receipt_number: null,
  source_transfer_reversal: null,
  status: 'succeeded',
  transfer_reversal: null,
});

/** A list answer of the API (`GET /v1/refunds?...`). */
export const apiList = list;

export const dispute = (charge: Stripe.Charge): Stripe.Dispute => ({
  id: newId('dp'),
  object: 'dispute',
  amount: charge.amount,
  balance_transactions: [],
  charge: charge.id,
  created: now(),
  currency: charge.currency,
  enhanced_eligibility_types: [],
  evidence: {
    access_activity_log: null,
    billing_address: null,
    cancellation_policy: null,
    cancellation_policy_disclosure: null,
    cancellation_rebuttal: null,
    customer_communication: null,
    customer_email_address: null,
    customer_name: null,
    customer_purchase_ip: null,
    customer_signature: null,
    duplicate_charge_documentation: null,
    duplicate_charge_explanation: null,
    duplicate_charge_id: null,
    enhanced_evidence: {},
    product_description: null,
    receipt: null,
    refund_policy: null,
    refund_policy_disclosure: null,
    refund_refusal_explanation: null,
    service_date: null,
    service_documentation: null,
    shipping_address: null,
    shipping_carrier: null,
    shipping_date: null,
    shipping_documentation: null,
    shipping_tracking_number: null,
    uncategorized_file: null,
    uncategorized_text: null,
  },
  evidence_details: { due_by: now() + 7 * 86400, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
  intended_submission_method: null,
  is_charge_refundable: !charge.refunded,
  livemode: false,
  metadata: {},
  payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : (charge.payment_intent?.id ?? null),
  reason: 'fraudulent',
  status: 'needs_response',
});

export type EventType = Stripe.Event['type'];
export type EventOf<T extends EventType> = Extract<Stripe.Event, { type: T }>;

/** The fields every event has, whatever it carries. */
type Envelope = Pick<Stripe.Event, 'id' | 'object' | 'api_version' | 'created' | 'livemode' | 'pending_webhooks' | 'request'>;

/** An event of the given type; the compiler checks that the object is the kind that type carries. */
export const event = <T extends EventType>(type: T, object: EventOf<T>['data']['object']): EventOf<T> => {
  const envelope: Envelope = {
    id: newId('evt'),
    object: 'event',
    api_version: API_VERSION,
    created: now(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  };
  // TypeScript cannot narrow the union of events by a generic type; the signature above does the checking.
  return { ...envelope, data: { object: structuredClone(object) }, type } as unknown as EventOf<T>;
};

/**
 * A renewal invoice whose payment the card's bank declined, as Stripe leaves it after a failed attempt: `open`,
 * nothing paid, the payment intent back at `requires_payment_method` with its error, the charge `failed`, and
 * `next_payment_attempt` when Stripe will retry (null once it has given up: its last attempt).
 */
export const failedInvoice = (
  sub: Stripe.Subscription,
  owner: Stripe.Customer | undefined,
  paid: { paymentIntent: Stripe.PaymentIntent; charge: Stripe.Charge },
  nextAttempt: number | null,
): Stripe.Invoice => {
  const error = { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.', type: 'card_error' } as const;
  Object.assign(paid.paymentIntent, { status: 'requires_payment_method', amount_received: 0, last_payment_error: error });
  Object.assign(paid.charge, { status: 'failed', paid: false, captured: false, balance_transaction: null, failure_code: 'card_declined', failure_message: error.message });
  paid.charge.outcome = { ...(paid.charge.outcome as Stripe.Charge.Outcome), network_status: 'declined_by_network', reason: 'insufficient_funds', seller_message: 'The bank returned the decline code `insufficient_funds`.', type: 'issuer_declined' };
  const invoice = paidInvoice(sub, owner, paid.paymentIntent, 'subscription_cycle');
  const payment = invoice.payments?.data[0];
  if (payment) Object.assign(payment, { amount_paid: 0, status: 'open', status_transitions: { canceled_at: null, paid_at: null } });
  return Object.assign(invoice, {
    amount_paid: 0,
    amount_remaining: invoice.amount_due,
    status: 'open',
    next_payment_attempt: nextAttempt,
    status_transitions: { ...invoice.status_transitions, paid_at: null },
  });
};
