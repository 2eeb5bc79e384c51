import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import Stripe from 'stripe';
import { escapeHtml, page } from '../functions/core/shared/html.js';
import { formatMoney } from '../functions/core/shared/money.js';
import { prefersHtml } from '../functions/platform/http.js';

type Obj = Record<string, unknown> & { id: string };

interface SimState {
  sessions: Record<string, Obj>;
  paymentIntents: Record<string, Obj>;
  charges: Record<string, Obj>;
  invoices: Record<string, Obj>;
  subscriptions: Record<string, Obj>;
  events: Obj[];
  idempotency: Record<string, { status: number; body: unknown }>;
}

export interface StripeSimulatorOptions {
  secretKey: string;
  webhookSecret: string;
  /** Where the checkout page lives (the dev server's public URL). */
  publicUrl: string;
  /** Where to deliver webhooks (the dev server's own address). */
  webhookUrl: string;
  stateFile: string;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
const now = () => Math.floor(Date.now() / 1000);
const clone = <T>(value: T): T => structuredClone(value);

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(JSON.stringify(body));
};

const stripeError = (res: ServerResponse, status: number, message: string, param?: string) =>
  sendJson(res, status, { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } });

const wantsHtml = (req: IncomingMessage) => prefersHtml(req.headers.accept);

/**
 * A local stand-in for the parts of Stripe that Appeal uses: the Checkout Sessions, Invoices and Subscriptions
 * API (form-encoded, Bearer key, Idempotency-Key replay) on its own port, reached by the real `stripe` client;
 * a checkout page; and the actions that Stripe's dashboard or a donor would take (pay, cancel, refund, dispute,
 * renew, cancel a subscription), each of which delivers webhooks signed exactly as Stripe signs them.
 */
export class StripeSimulator {
  private state: SimState;
  private server: Server | undefined;

  constructor(private readonly options: StripeSimulatorOptions) {
    this.state = existsSync(options.stateFile)
      ? (JSON.parse(readFileSync(options.stateFile, 'utf8')) as SimState)
      : { sessions: {}, paymentIntents: {}, charges: {}, invoices: {}, subscriptions: {}, events: [], idempotency: {} };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handleApi(req, res).catch(() => stripeError(res, 500, 'simulator failure'));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close() {
    this.save();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server ? this.server.close(() => resolve()) : resolve();
    });
  }

  private save() {
    writeFileSync(this.options.stateFile, JSON.stringify(this.state));
  }

  // ---- the Stripe API --------------------------------------------------------------------------------------

  private async handleApi(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${this.options.secretKey}`) {
      return sendJson(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    }
    const url = new URL(req.url ?? '/', 'http://stripe');
    const body = qs.parse(await readBody(req), { depth: 10, arrayLimit: 100 }) as Record<string, unknown>;
    const idempotencyKey = req.headers['idempotency-key'];
    const replay = typeof idempotencyKey === 'string' ? this.state.idempotency[idempotencyKey] : undefined;
    if (req.method === 'POST' && replay) return sendJson(res, replay.status, replay.body);

    let match = /^\/v1\/checkout\/sessions\/?$/.exec(url.pathname);
    if (match && req.method === 'POST') {
      const result = this.createSession(body);
      if (typeof idempotencyKey === 'string') this.state.idempotency[idempotencyKey] = result;
      this.save();
      return sendJson(res, result.status, result.body);
    }
    match = /^\/v1\/(checkout\/sessions|invoices|subscriptions)\/([^/]+)$/.exec(url.pathname);
    if (match && req.method === 'GET') {
      const collection = { 'checkout/sessions': this.state.sessions, invoices: this.state.invoices, subscriptions: this.state.subscriptions }[
        match[1] as 'invoices'
      ];
      const found = collection[match[2] ?? ''];
      return found ? sendJson(res, 200, found) : stripeError(res, 404, `No such object: '${match[2]}'`, 'id');
    }
    return stripeError(res, 404, `Unrecognized request URL (${req.method}: ${url.pathname}).`);
  }

  private createSession(body: Record<string, unknown>): { status: number; body: unknown } {
    const mode = body.mode;
    const items = body.line_items as { price_data?: Record<string, unknown>; quantity?: string }[] | undefined;
    const price = items?.[0]?.price_data;
    const amount = Number(price?.unit_amount);
    if (mode !== 'payment' && mode !== 'subscription') return { status: 400, body: { error: { type: 'invalid_request_error', message: 'Invalid mode', param: 'mode' } } };
    if (!price || !Number.isInteger(amount) || amount <= 0 || typeof price.currency !== 'string') {
      return { status: 400, body: { error: { type: 'invalid_request_error', message: 'Invalid line_items', param: 'line_items' } } };
    }
    if (mode === 'subscription' && !(price.recurring as Record<string, unknown> | undefined)?.interval) {
      return { status: 400, body: { error: { type: 'invalid_request_error', message: 'Recurring price required', param: 'line_items' } } };
    }
    if (typeof body.success_url !== 'string' || typeof body.cancel_url !== 'string') {
      return { status: 400, body: { error: { type: 'invalid_request_error', message: 'Missing URLs', param: 'success_url' } } };
    }
    const sessionId = id('cs_test');
    const session: Obj = {
      id: sessionId,
      object: 'checkout.session',
      mode,
      status: 'open',
      payment_status: 'unpaid',
      submit_type: body.submit_type ?? null,
      amount_total: amount * Number(items?.[0]?.quantity ?? 1),
      amount_subtotal: amount * Number(items?.[0]?.quantity ?? 1),
      currency: price.currency,
      metadata: body.metadata ?? {},
      customer_email: body.customer_email ?? null,
      customer_details: null,
      payment_intent: null,
      subscription: null,
      success_url: body.success_url,
      cancel_url: body.cancel_url,
      url: `${this.options.publicUrl}/_local/stripe/checkout/${sessionId}`,
      livemode: false,
      created: now(),
      expires_at: now() + 86400,
      x_product_name: (price.product_data as Record<string, unknown> | undefined)?.name ?? 'Donation',
      x_payment_intent_metadata: (body.payment_intent_data as Record<string, unknown> | undefined)?.metadata ?? {},
      x_subscription_metadata: (body.subscription_data as Record<string, unknown> | undefined)?.metadata ?? {},
    };
    this.state.sessions[sessionId] = session;
    return { status: 200, body: session };
  }

  // ---- the dev server's /_local/stripe routes --------------------------------------------------------------

  /** Serves `/_local/stripe/...` on the dev server; false for any other path. */
  async handleLocal(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!url.pathname.startsWith('/_local/stripe/')) return false;
    const path = url.pathname.slice('/_local/stripe'.length);
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const input = (String(req.headers['content-type'] ?? '').includes('json') && raw ? JSON.parse(raw) : qs.parse(raw)) as Record<string, unknown>;
    const routes: [string, RegExp, (m: RegExpExecArray) => unknown][] = [
      ['GET', /^\/checkout\/([^/]+)$/, (m) => this.checkoutPage(res, m[1] ?? '')],
      ['POST', /^\/checkout\/([^/]+)\/complete$/, (m) => this.complete(req, res, m[1] ?? '', input)],
      ['POST', /^\/checkout\/([^/]+)\/cancel$/, (m) => this.cancel(req, res, m[1] ?? '')],
      ['POST', /^\/checkout\/([^/]+)\/settle$/, (m) => this.settle(res, m[1] ?? '', url.searchParams.get('outcome') ?? 'succeeded')],
      ['POST', /^\/payments\/([^/]+)\/refund$/, (m) => this.refund(res, m[1] ?? '', input)],
      ['POST', /^\/payments\/([^/]+)\/dispute$/, (m) => this.dispute(res, m[1] ?? '')],
      ['POST', /^\/subscriptions\/([^/]+)\/renew$/, (m) => this.renew(res, m[1] ?? '')],
      ['POST', /^\/subscriptions\/([^/]+)\/cancel$/, (m) => this.cancelSubscription(res, m[1] ?? '')],
      ['GET', /^\/events$/, () => sendJson(res, 200, this.state.events.map((e) => ({ id: e.id, type: e.type, created: e.created })))],
      ['POST', /^\/events\/([^/]+)\/resend$/, (m) => this.resend(res, m[1] ?? '')],
    ];
    for (const [method, pattern, handle] of routes) {
      const found = req.method === method ? pattern.exec(path) : null;
      if (found) {
        await handle(found);
        return true;
      }
    }
    stripeError(res, 404, 'No such simulator route');
    return true;
  }

  private async resend(res: ServerResponse, eventId: string) {
    const event = this.state.events.find((e) => e.id === eventId);
    if (!event) return stripeError(res, 404, 'No such event');
    const delivered = await this.deliver(event);
    return sendJson(res, delivered ? 200 : 502, { status: delivered ? 'resent' : 'failed' });
  }

  private checkoutPage(res: ServerResponse, sessionId: string) {
    const session = this.state.sessions[sessionId];
    res.writeHead(session ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    if (!session) return res.end(page('Checkout not found', '<p>This checkout does not exist.</p>', 'Stripe (local simulator)'));
    const amount = formatMoney(Number(session.amount_total), String(session.currency));
    const open = session.status === 'open';
    const base = `/_local/stripe/checkout/${encodeURIComponent(sessionId)}`;
    res.end(
      page(
        `Pay ${amount}${session.mode === 'subscription' ? ' a month' : ''}`,
        `<p>${escapeHtml(String(session.x_product_name))}</p>
<p class="muted">Local Stripe Checkout simulator: no card is charged.</p>
${
  open
    ? `<form method="post" action="${base}/complete">
<label for="email">Email</label>
<input id="email" name="email" type="email" required value="${escapeHtml(String(session.customer_email ?? ''))}">
<label for="name">Name on card</label>
<input id="name" name="name" autocomplete="cc-name" value="">
<p><button type="submit">Pay</button></p>
</form>
<form method="post" action="${base}/cancel"><button type="submit">Cancel</button></form>`
    : `<p role="status">This checkout is ${escapeHtml(String(session.status))}.</p>`
}`,
        'Stripe (local simulator)',
      ),
    );
  }

  private async complete(req: IncomingMessage, res: ServerResponse, sessionId: string, input: Record<string, unknown>) {
    const session = this.state.sessions[sessionId];
    if (!session) return stripeError(res, 404, 'No such checkout session');
    if (session.status !== 'open') return stripeError(res, 409, `This checkout is ${session.status}`);
    const email = String(input.email || session.customer_email || 'donor@example.org');
    const name = typeof input.name === 'string' && input.name !== '' ? input.name : null;
    const isAsync = input.async === true || input.async === 'true';
    const amount = Number(session.amount_total);
    const currency = String(session.currency);
    const { paymentIntent } = this.pay(amount, currency, session.mode === 'payment' ? session.x_payment_intent_metadata : {}, !isAsync);
    Object.assign(session, {
      status: 'complete',
      customer_details: { email, name },
      payment_status: isAsync ? 'unpaid' : 'paid',
    });
    const events: Obj[] = [];
    if (session.mode === 'payment') {
      session.payment_intent = paymentIntent.id;
      if (!isAsync) events.push(this.event('payment_intent.succeeded', paymentIntent));
      events.push(this.event('checkout.session.completed', session));
    } else {
      const subscription: Obj = {
        id: id('sub'),
        object: 'subscription',
        status: 'active',
        customer: id('cus'),
        metadata: session.x_subscription_metadata,
        currency,
        created: now(),
        x_amount: amount,
        x_email: email,
        x_name: name,
      };
      this.state.subscriptions[subscription.id] = subscription;
      session.subscription = subscription.id;
      const invoice = this.invoice(subscription, paymentIntent, 'subscription_create');
      events.push(this.event('customer.subscription.created', subscription));
      events.push(this.event('checkout.session.completed', session));
      events.push(this.event('invoice.paid', invoice));
    }
    this.save();
    for (const event of events) await this.deliver(event);
    if (wantsHtml(req)) {
      res.writeHead(303, { location: String(session.success_url).replace('{CHECKOUT_SESSION_ID}', sessionId) });
      return res.end();
    }
    return sendJson(res, 200, { status: 'complete', paymentIntent: paymentIntent.id });
  }

  private pay(amount: number, currency: string, metadata: unknown, succeeded: boolean) {
    const paymentIntent: Obj = {
      id: id('pi'),
      object: 'payment_intent',
      amount,
      currency,
      status: succeeded ? 'succeeded' : 'processing',
      metadata,
      created: now(),
    };
    const charge: Obj = {
      id: id('ch'),
      object: 'charge',
      amount,
      amount_captured: amount,
      amount_refunded: 0,
      refunded: false,
      currency,
      paid: true,
      status: succeeded ? 'succeeded' : 'pending',
      payment_intent: paymentIntent.id,
      livemode: false,
      created: now(),
    };
    paymentIntent.latest_charge = charge.id;
    this.state.paymentIntents[paymentIntent.id] = paymentIntent;
    this.state.charges[charge.id] = charge;
    return { paymentIntent, charge };
  }

  private invoice(subscription: Obj, paymentIntent: Obj, billingReason: string): Obj {
    const invoice: Obj = {
      id: id('in'),
      object: 'invoice',
      status: 'paid',
      billing_reason: billingReason,
      amount_due: subscription.x_amount,
      amount_paid: subscription.x_amount,
      amount_remaining: 0,
      currency: subscription.currency,
      customer: subscription.customer,
      customer_email: subscription.x_email,
      customer_name: subscription.x_name,
      livemode: false,
      created: now(),
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { subscription: subscription.id, metadata: subscription.metadata },
      },
      payments: {
        object: 'list',
        data: [{ id: id('inpay'), object: 'invoice_payment', status: 'paid', payment: { type: 'payment_intent', payment_intent: paymentIntent.id } }],
        has_more: false,
      },
    };
    this.state.invoices[invoice.id] = invoice;
    return invoice;
  }

  private async cancel(req: IncomingMessage, res: ServerResponse, sessionId: string) {
    const session = this.state.sessions[sessionId];
    if (!session) return stripeError(res, 404, 'No such checkout session');
    if (session.status === 'open') {
      session.status = 'expired';
      const event = this.event('checkout.session.expired', session);
      this.save();
      await this.deliver(event);
    }
    if (wantsHtml(req)) {
      res.writeHead(303, { location: String(session.cancel_url) });
      return res.end();
    }
    return sendJson(res, 200, { status: 'expired' });
  }

  private async settle(res: ServerResponse, sessionId: string, outcome: string) {
    const session = this.state.sessions[sessionId];
    const paymentIntent = session && this.state.paymentIntents[String(session.payment_intent)];
    if (!session || !paymentIntent || session.payment_status !== 'unpaid') return stripeError(res, 409, 'Nothing to settle');
    const succeeded = outcome === 'succeeded';
    paymentIntent.status = succeeded ? 'succeeded' : 'canceled';
    session.payment_status = succeeded ? 'paid' : 'unpaid';
    const event = this.event(`checkout.session.async_payment_${succeeded ? 'succeeded' : 'failed'}`, session);
    this.save();
    await this.deliver(event);
    return sendJson(res, 200, { status: succeeded ? 'paid' : 'failed' });
  }

  private chargeOf(paymentIntentId: string) {
    return Object.values(this.state.charges).find((c) => c.payment_intent === paymentIntentId);
  }

  private async refund(res: ServerResponse, paymentIntentId: string, input: Record<string, unknown>) {
    const charge = this.chargeOf(paymentIntentId);
    if (!charge) return stripeError(res, 404, `No such payment_intent: '${paymentIntentId}'`);
    const remaining = Number(charge.amount) - Number(charge.amount_refunded);
    const amount = input.amount === undefined ? remaining : Number(input.amount);
    if (!Number.isInteger(amount) || amount <= 0 || amount > remaining) return stripeError(res, 400, 'Invalid refund amount', 'amount');
    charge.amount_refunded = Number(charge.amount_refunded) + amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    const event = this.event('charge.refunded', charge);
    this.save();
    await this.deliver(event);
    return sendJson(res, 200, { status: 'refunded', amountRefunded: charge.amount_refunded });
  }

  private async dispute(res: ServerResponse, paymentIntentId: string) {
    const charge = this.chargeOf(paymentIntentId);
    if (!charge) return stripeError(res, 404, `No such payment_intent: '${paymentIntentId}'`);
    const dispute = { id: id('dp'), object: 'dispute', amount: charge.amount, charge: charge.id, payment_intent: paymentIntentId, status: 'needs_response', created: now() };
    const event = this.event('charge.dispute.created', dispute);
    this.save();
    await this.deliver(event);
    return sendJson(res, 200, { status: 'disputed' });
  }

  private async renew(res: ServerResponse, subscriptionId: string) {
    const subscription = this.state.subscriptions[subscriptionId];
    if (subscription?.status !== 'active') return stripeError(res, 409, 'No active subscription');
    const { paymentIntent } = this.pay(Number(subscription.x_amount), String(subscription.currency), {}, true);
    const event = this.event('invoice.paid', this.invoice(subscription, paymentIntent, 'subscription_cycle'));
    this.save();
    await this.deliver(event);
    return sendJson(res, 200, { status: 'paid', paymentIntent: paymentIntent.id });
  }

  private async cancelSubscription(res: ServerResponse, subscriptionId: string) {
    const subscription = this.state.subscriptions[subscriptionId];
    if (!subscription) return stripeError(res, 404, 'No such subscription');
    subscription.status = 'canceled';
    const event = this.event('customer.subscription.deleted', subscription);
    this.save();
    await this.deliver(event);
    return sendJson(res, 200, { status: 'canceled' });
  }

  private event(type: string, object: Obj): Obj {
    const event: Obj = {
      id: id('evt'),
      object: 'event',
      api_version: '2026-10-28.endive',
      created: now(),
      data: { object: clone(object) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
    this.state.events.push(event);
    return event;
  }

  /** Delivers one event, signed afresh as Stripe does (`t=…,v1=…` HMAC-SHA256 of "t.payload"). */
  private async deliver(event: Obj): Promise<boolean> {
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: this.options.webhookSecret });
    try {
      const response = await fetch(this.options.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
        body: payload,
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }
}
