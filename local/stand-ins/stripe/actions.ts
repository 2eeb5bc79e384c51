import type { IncomingMessage, ServerResponse } from 'node:http';
import type Stripe from 'stripe';
import { prefersHtml } from '../../../functions/platform/http/accept.js';
import { resourceMissing, sendJson, stripeError } from './http.js';
import { chargeView, refund as createRefund, customer, customerDetails, subscription as createSubscription, dispute, type EventOf, type EventType, event, failedInvoice, invoiceView, monthlyAmount, paidInvoice, payment } from './objects.js';
import { type CheckoutSetup, idOfConfiguration, newId, own, type StripeStore } from './state.js';
import type { WebhookSender } from './webhooks.js';

type Input = Record<string, unknown>;

/**
 * A billing address as the checkout form sends it (`address[line1]`… or JSON `address`), as Stripe keeps it: every
 * field a string or null, the country upper-case. Undefined without line 1, city and a two-letter country, or
 * without the postcode in a country that has them (Stripe's form asks for it in GB, US and most others).
 */
const billingAddress = (raw: unknown): Stripe.Address | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const field = (name: string) => {
    const value = (raw as Record<string, unknown>)[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  const country = field('country')?.toUpperCase() ?? null;
  const address = { line1: field('line1'), line2: field('line2'), city: field('city'), postal_code: field('postal_code'), state: field('state'), country };
  const withoutPostcodes = ['IE', 'HK', 'AE'];
  if (!address.line1 || !address.city || !country || !/^[A-Z]{2}$/.test(country)) return undefined;
  if (!address.postal_code && !withoutPostcodes.includes(country)) return undefined;
  return address;
};

/** A subscription Stripe has ended for good: canceled, or never paid (`incomplete_expired`). */
const isEnded = (sub: Stripe.Subscription) => sub.status === 'canceled' || sub.status === 'incomplete_expired';

/**
 * What a donor on the Checkout page or a person in Stripe's dashboard would do (pay, cancel, settle a bank
 * debit, refund, dispute, renew, cancel a subscription, resend an event). Each one changes the objects (handing
 * each changed one to the store's `keep`), records the events Stripe would send, commits, then delivers those
 * events signed before it answers.
 */
export class StripeActions {
  constructor(
    private readonly store: StripeStore,
    private readonly webhooks: WebhookSender,
  ) {}

  private get state() {
    return this.store.state;
  }

  private record<T extends EventType>(type: T, object: EventOf<T>['data']['object']): Stripe.Event {
    const recorded = event(type, object);
    this.store.addEvent(recorded);
    return recorded;
  }

  /**
   * Commits the action's changes with the events and their deliveries (one journal line: all or, after a crash
   * that cut it off, none), then delivers the events all at once, as Stripe does (it promises no order: a refund's
   * events, or a monthly gift's invoice and its checkout, may arrive either way round), each one's first attempt
   * before the action answers; a failed delivery is retried with backoff in the background (and stays listed, for
   * a resend).
   */
  private async publish(...events: Stripe.Event[]) {
    const deliveries = this.webhooks.enqueue(events);
    this.store.commit();
    await this.webhooks.send(deliveries);
  }

  private remember(paid: { paymentIntent: Stripe.PaymentIntent; charge: Stripe.Charge }) {
    this.store.keep(paid.paymentIntent, paid.charge);
    return paid;
  }

  async complete(req: IncomingMessage, res: ServerResponse, sessionId: string, input: Input) {
    const session = this.state.sessions[sessionId];
    const setup = this.state.checkouts[sessionId];
    if (!session || !setup) return stripeError(res, 404, 'No such checkout session');
    if (session.status !== 'open') return stripeError(res, 409, `This checkout is ${session.status}`);
    // An embedded session is paid through Stripe.js, which holds its client secret: nothing else may pay it.
    const embedded = session.ui_mode === 'embedded_page';
    if (embedded && (typeof input.client_secret !== 'string' || input.client_secret !== session.client_secret)) {
      return stripeError(res, 401, 'Invalid client secret for this embedded checkout session.', 'client_secret');
    }
    const email = String(input.email || session.customer_email || 'donor@example.org');
    const name = typeof input.name === 'string' && input.name.trim() !== '' ? input.name.trim() : null;
    // A session that requires the billing address cannot be paid without it (Checkout's form will not submit):
    // the name and a full address (line 1, city, country, and the postcode where the country has them).
    const address = billingAddress(input.address);
    if (session.billing_address_collection === 'required' && (!name || !address)) {
      return stripeError(res, 400, 'This checkout requires the billing name and a full billing address (address[line1], address[city], address[postal_code], address[country]).', 'address');
    }
    const isAsync = input.async === true || input.async === 'true';
    const amount = Number(session.amount_total);
    const currency = String(session.currency);
    const owner = session.mode === 'subscription' ? customer(email, name) : null;
    // Checkout keeps a required billing address on the customer it creates (as Stripe does), which its invoices copy.
    if (owner && session.billing_address_collection === 'required' && address) owner.address = address;
    const { paymentIntent } = this.remember(
      payment({
        amount,
        currency,
        metadata: session.mode === 'payment' ? setup.paymentIntentMetadata : {},
        succeeded: !isAsync,
        customer: owner,
        email,
        name,
      }),
    );
    session.status = 'complete';
    session.customer_details = customerDetails(email, name, session.billing_address_collection === 'required' ? address : null);
    session.payment_status = isAsync ? 'unpaid' : 'paid';
    this.store.keep(session);
    const events: Stripe.Event[] = [];
    let subscriptionId: string | undefined;
    if (!owner) {
      session.payment_intent = paymentIntent.id;
      if (!isAsync) events.push(this.record('payment_intent.succeeded', paymentIntent));
      events.push(this.record('checkout.session.completed', session));
    } else {
      this.store.keep(owner);
      const sub = this.subscription(setup, currency, owner);
      subscriptionId = sub.id;
      const invoice = this.invoice(sub, paymentIntent, 'subscription_create');
      Object.assign(session, { customer: owner.id, subscription: sub.id, invoice: invoice.id });
      events.push(this.record('customer.subscription.created', sub));
      events.push(this.record('checkout.session.completed', session));
      events.push(this.record('invoice.paid', invoiceView(invoice)));
    }
    await this.publish(...events);
    // Where the donor goes now: hosted Checkout's success URL, or the page embedded Checkout returns them to (none
    // when it never redirects), with Stripe's template filled in.
    const next = (embedded ? session.return_url : session.success_url)?.replace('{CHECKOUT_SESSION_ID}', sessionId);
    if (!embedded && next && prefersHtml(req.headers.accept)) {
      res.writeHead(303, { location: next });
      return res.end();
    }
    return sendJson(res, 200, {
      status: 'complete',
      paymentIntent: paymentIntent.id,
      ...(subscriptionId ? { subscription: subscriptionId } : {}),
      ...(embedded ? { redirectOnCompletion: session.redirect_on_completion ?? 'always', ...(next ? { returnUrl: next } : {}) } : {}),
    });
  }

  private subscription(setup: CheckoutSetup, currency: string, owner: Stripe.Customer) {
    const sub = createSubscription(setup, currency, owner);
    this.store.keep(sub);
    return sub;
  }

  private invoice(sub: Stripe.Subscription, paymentIntent: Stripe.PaymentIntent, reason: Stripe.Invoice.BillingReason) {
    const owner = this.state.customers[typeof sub.customer === 'string' ? sub.customer : sub.customer.id];
    const invoice = paidInvoice(sub, owner, paymentIntent, reason);
    sub.latest_invoice = invoice.id;
    this.store.keep(invoice, sub);
    return invoice;
  }

  async cancel(req: IncomingMessage, res: ServerResponse, sessionId: string) {
    const session = this.state.sessions[sessionId];
    if (!session) return stripeError(res, 404, 'No such checkout session');
    // Embedded Checkout has no way back (the donor is still on the merchant's page): nothing to cancel to.
    if (!session.cancel_url) return stripeError(res, 400, 'This checkout session has no cancel_url: it is embedded.');
    // As on Checkout: the donor's "back" link only returns them to the cancel URL. The session stays open (they
    // may come back to it) until it expires; `expire` below is what Stripe's expiry (or the API's) does.
    if (prefersHtml(req.headers.accept)) {
      res.writeHead(303, { location: String(session.cancel_url) });
      return res.end();
    }
    return sendJson(res, 200, { status: session.status });
  }

  /** The session's expiry (24 hours on Checkout, or `POST /v1/checkout/sessions/{id}/expire`). */
  async expire(res: ServerResponse, sessionId: string) {
    const session = this.state.sessions[sessionId];
    if (!session) return stripeError(res, 404, 'No such checkout session');
    if (session.status === 'open') {
      session.status = 'expired';
      this.store.keep(session);
      await this.publish(this.record('checkout.session.expired', session));
    }
    return sendJson(res, 200, { status: session.status });
  }

  /** Ends a bank debit that was still processing: `succeeded`, or anything else for a failure. */
  async settle(res: ServerResponse, sessionId: string, outcome: string) {
    const session = this.state.sessions[sessionId];
    const paymentIntent = session && this.state.paymentIntents[String(session.payment_intent)];
    if (!session || !paymentIntent || session.payment_status !== 'unpaid') return stripeError(res, 409, 'Nothing to settle');
    const succeeded = outcome === 'succeeded';
    const charge = this.store.chargeOf(paymentIntent.id);
    if (succeeded) {
      paymentIntent.status = 'succeeded';
      paymentIntent.amount_received = paymentIntent.amount;
      if (charge) charge.status = 'succeeded';
    } else {
      paymentIntent.status = 'canceled';
      paymentIntent.canceled_at = Math.floor(Date.now() / 1000);
      if (charge) Object.assign(charge, { status: 'failed', paid: false, failure_code: 'debit_not_authorized', failure_message: 'The customer has notified their bank that this payment was unauthorized.' });
    }
    session.payment_status = succeeded ? 'paid' : 'unpaid';
    this.store.keep(session, paymentIntent, charge);
    await this.publish(this.record(succeeded ? 'checkout.session.async_payment_succeeded' : 'checkout.session.async_payment_failed', session));
    return sendJson(res, 200, { status: succeeded ? 'paid' : 'failed' });
  }

  /**
   * Refunds a payment (in full, or `amount` of it) as the dashboard or `POST /v1/refunds` does: a `re_` refund on
   * its charge, the charge's `amount_refunded` and `refunded` updated; Stripe then sends `charge.refunded` (the
   * charge) and `refund.created` (the refund).
   */
  async refund(res: ServerResponse, paymentIntentId: string, input: Input) {
    const charge = this.store.chargeOf(paymentIntentId);
    if (!charge) return stripeError(res, 404, `No such payment_intent: '${paymentIntentId}'`);
    const remaining = charge.amount - charge.amount_refunded;
    const amount = input.amount === undefined ? remaining : Number(input.amount);
    if (remaining === 0) return sendJson(res, 400, { error: { type: 'invalid_request_error', code: 'charge_already_refunded', message: `Charge ${charge.id} has already been refunded.` } });
    if (!Number.isInteger(amount) || amount <= 0 || amount > remaining) return stripeError(res, 400, 'Invalid refund amount', 'amount');
    const reasons: Stripe.Refund.Reason[] = ['duplicate', 'fraudulent', 'requested_by_customer', 'expired_uncaptured_charge'];
    const reason = reasons.find((r) => r === input.reason) ?? null;
    const created = createRefund(charge, amount, reason);
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    this.store.keep(created, charge);
    await this.publish(this.record('charge.refunded', chargeView(charge, [])), this.record('refund.created', created));
    return sendJson(res, 200, { status: 'refunded', refund: created.id });
  }

  /**
   * A refund that the card's bank could not carry out: the refund becomes `failed` with a `failure_reason`, the
   * money returns to the balance, so the charge's `amount_refunded` goes back down; Stripe sends
   * `charge.refund.updated`, `refund.updated` and `refund.failed` (the refund each time).
   */
  async failRefund(res: ServerResponse, refundId: string, input: Input) {
    const found = this.state.refunds[refundId];
    if (!found) return stripeError(res, 404, `No such refund: '${refundId}'`);
    if (found.status !== 'succeeded' && found.status !== 'pending') return stripeError(res, 409, `This refund is ${found.status}`);
    const charge = this.state.charges[String(found.charge)];
    found.status = 'failed';
    found.failure_reason = typeof input.reason === 'string' && input.reason !== '' ? input.reason : 'expired_or_canceled_card';
    found.failure_balance_transaction = newId('txn');
    if (charge) {
      charge.amount_refunded = Math.max(0, charge.amount_refunded - found.amount);
      charge.refunded = charge.amount_refunded === charge.amount;
    }
    this.store.keep(found, charge);
    await this.publish(this.record('charge.refund.updated', found), this.record('refund.updated', found), this.record('refund.failed', found));
    return sendJson(res, 200, { status: 'failed' });
  }

  /**
   * The cardholder disputes the payment: a `dp_` dispute (with `charge` and `payment_intent`) needing a
   * response, and the disputed amount taken from the balance: `charge.dispute.created`, then
   * `charge.dispute.funds_withdrawn`.
   */
  async dispute(res: ServerResponse, paymentIntentId: string) {
    const charge = this.store.chargeOf(paymentIntentId);
    if (!charge) return stripeError(res, 404, `No such payment_intent: '${paymentIntentId}'`);
    if (Object.values(this.state.disputes).some((d) => d.charge === charge.id)) return stripeError(res, 409, `Charge ${charge.id} is already disputed`);
    const opened = dispute(charge);
    charge.disputed = true;
    this.store.keep(opened, charge);
    await this.publish(this.record('charge.dispute.created', opened), this.record('charge.dispute.funds_withdrawn', opened));
    return sendJson(res, 200, { status: 'disputed', dispute: opened.id });
  }

  /**
   * The bank decides a dispute: `won` (the funds come back: `charge.dispute.closed`, then
   * `charge.dispute.funds_reinstated`) or `lost` (`charge.dispute.closed`).
   */
  async closeDispute(res: ServerResponse, disputeId: string, input: Input) {
    const found = this.state.disputes[disputeId];
    if (!found) return stripeError(res, 404, `No such dispute: '${disputeId}'`);
    const outcome = input.outcome;
    if (outcome !== 'won' && outcome !== 'lost') return stripeError(res, 400, 'outcome must be "won" or "lost"', 'outcome');
    if (found.status === 'won' || found.status === 'lost') return stripeError(res, 409, `This dispute is already ${found.status}`);
    found.status = outcome;
    found.is_charge_refundable = false;
    this.store.keep(found);
    const events = [this.record('charge.dispute.closed', found)];
    if (outcome === 'won') events.push(this.record('charge.dispute.funds_reinstated', found));
    await this.publish(...events);
    return sendJson(res, 200, { status: outcome });
  }

  async renew(res: ServerResponse, subscriptionId: string) {
    const sub = this.state.subscriptions[subscriptionId];
    if (sub?.status !== 'active') return stripeError(res, 409, 'No active subscription');
    const owner = this.state.customers[typeof sub.customer === 'string' ? sub.customer : sub.customer.id] ?? null;
    for (const item of sub.items.data) {
      const length = item.current_period_end - item.current_period_start;
      item.current_period_start = item.current_period_end;
      item.current_period_end += length;
    }
    this.store.keep(sub);
    const { paymentIntent } = this.remember(
      payment({ amount: monthlyAmount(sub), currency: sub.currency, metadata: {}, succeeded: true, customer: owner, email: owner?.email ?? '', name: owner?.name ?? null }),
    );
    await this.publish(this.record('invoice.paid', invoiceView(this.invoice(sub, paymentIntent, 'subscription_cycle'))));
    return sendJson(res, 200, { status: 'paid', paymentIntent: paymentIntent.id });
  }

  /**
   * The next renewal of an active subscription fails, as when the donor's card is declined: an `open` invoice with a
   * failed payment, and `invoice.payment_failed`. Stripe retries on its schedule (`next_payment_attempt` in three
   * days). With `final` (JSON `{"final": true}`) this was its last attempt: it gives up, and the subscription ends
   * as Stripe's "cancel the subscription" setting for failed payments ends it (`customer.subscription.deleted`,
   * `cancellation_details.reason` `payment_failed`). Answers `{"status": "failed", "invoice": "in_…"}`.
   */
  async failPayment(res: ServerResponse, subscriptionId: string, input: Input) {
    const sub = own(this.state.subscriptions, subscriptionId);
    if (sub?.status !== 'active' && sub?.status !== 'past_due') return stripeError(res, 409, 'No active subscription');
    const final = input.final === true || input.final === 'true';
    const owner = this.state.customers[typeof sub.customer === 'string' ? sub.customer : sub.customer.id];
    const paid = payment({ amount: monthlyAmount(sub), currency: sub.currency, metadata: {}, succeeded: false, customer: owner ?? null, email: owner?.email ?? '', name: owner?.name ?? null });
    const at = Math.floor(Date.now() / 1000);
    const invoice = failedInvoice(sub, owner, paid, final ? null : at + 3 * 86_400);
    sub.latest_invoice = invoice.id;
    const events = [this.record('invoice.payment_failed', invoiceView(invoice))];
    if (final) {
      Object.assign(sub, { status: 'canceled', canceled_at: at, ended_at: at });
      sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: 'payment_failed' };
      this.store.keep(paid.paymentIntent, paid.charge, invoice, sub);
      events.push(this.record('customer.subscription.deleted', sub));
    } else {
      sub.status = 'past_due';
      this.store.keep(paid.paymentIntent, paid.charge, invoice, sub);
    }
    await this.publish(...events);
    return sendJson(res, 200, { status: 'failed', invoice: invoice.id, ...(final ? { subscription: 'canceled' } : {}) });
  }

  /**
   * Ends a subscription at once, as `DELETE /v1/subscriptions/{id}` (or the dashboard) does: status `canceled`,
   * `canceled_at` and `ended_at` now; Stripe sends `customer.subscription.deleted`. A subscription that has ended
   * can be retrieved but not canceled again: Stripe answers 404 `resource_missing`, and sends nothing.
   */
  async cancelSubscription(res: ServerResponse, subscriptionId: string) {
    const sub = own(this.state.subscriptions, subscriptionId);
    if (!sub || isEnded(sub)) return sendJson(res, 404, resourceMissing('subscription', subscriptionId, 'id'));
    await this.endSubscription(sub);
    return sendJson(res, 200, { status: 'canceled' });
  }

  private async endSubscription(sub: Stripe.Subscription) {
    const at = Math.floor(Date.now() / 1000);
    Object.assign(sub, { status: 'canceled', canceled_at: at, ended_at: at });
    sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: 'cancellation_requested' };
    this.store.keep(sub);
    await this.publish(this.record('customer.subscription.deleted', sub));
  }

  /**
   * The Cancel button of the Customer Portal page (`subscription` names one of the session customer's
   * subscriptions): ends it as above, then shows the portal again (a browser) or answers as the cancel action.
   * Another customer's subscription is not there to cancel. A second Cancel (a stale page) sends nothing.
   */
  async portalCancel(req: IncomingMessage, res: ServerResponse, portalSessionId: string, input: Input) {
    const session = own(this.state.portalSessions, portalSessionId);
    if (!session) return sendJson(res, 404, resourceMissing('billing portal session', portalSessionId, 'id'));
    const subscriptionId = typeof input.subscription === 'string' ? input.subscription : '';
    const sub = own(this.state.subscriptions, subscriptionId);
    const owner = sub && (typeof sub.customer === 'string' ? sub.customer : sub.customer.id);
    if (!sub || owner !== session.customer) return sendJson(res, 404, resourceMissing('subscription', subscriptionId, 'subscription'));
    if (own(this.state.portalConfigurations, idOfConfiguration(session.configuration))?.features.subscription_cancel.enabled !== true) {
      return stripeError(res, 403, 'This portal configuration does not let customers cancel subscriptions.');
    }
    const ended = isEnded(sub);
    if (!ended) await this.endSubscription(sub);
    if (prefersHtml(req.headers.accept)) {
      res.writeHead(303, { location: `/_local/stripe/portal/${encodeURIComponent(portalSessionId)}` });
      return res.end();
    }
    return ended ? sendJson(res, 404, resourceMissing('subscription', subscriptionId, 'subscription')) : sendJson(res, 200, { status: 'canceled' });
  }

  listEvents(res: ServerResponse) {
    return sendJson(res, 200, this.state.events.map((e) => ({ id: e.id, type: e.type, created: e.created })));
  }

  /**
   * The webhook endpoints, oldest first, as the dashboard lists them (never their secrets), each with the events it
   * still has to deliver: `{"id", "url", "status", "enabled_events", "api_version", "created", "pendingDeliveries"}`.
   */
  listWebhookEndpoints(res: ServerResponse) {
    const pending = Object.values(this.state.deliveries);
    const endpoints = Object.values(this.state.webhookEndpoints)
      .sort((a, b) => a.created - b.created)
      .map(({ id, url, status, enabled_events, api_version, created }) => ({
        id, url, status, enabled_events, api_version, created,
        pendingDeliveries: pending.filter((d) => d.endpoint === id).length,
      }));
    return sendJson(res, 200, endpoints);
  }

  /** The Customer Portal configurations, oldest first, as the API shows them (the account's default has `is_default`). */
  listPortalConfigurations(res: ServerResponse) {
    return sendJson(res, 200, Object.values(this.state.portalConfigurations).sort((a, b) => a.created - b.created));
  }

  async resend(res: ServerResponse, eventId: string) {
    const found = this.store.event(eventId);
    if (!found) return stripeError(res, 404, 'No such event');
    const delivered = await this.webhooks.deliver(found);
    return sendJson(res, delivered ? 200 : 502, { status: delivered ? 'resent' : 'failed' });
  }
}
