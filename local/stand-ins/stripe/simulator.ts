import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import qs from 'qs';
import { StripeActions } from './actions.js';
import { StripeApi } from './api.js';
import { readBody, stripeError } from './http.js';
import { checkoutPage, portalPage } from './pages.js';
import { embeddedFrameJs, embeddedPage, embeddedSession, stripeJs } from './stripe-js.js';
import { StripeStore } from './state.js';
import { WebhookSender } from './webhooks.js';

export interface StripeSimulatorOptions {
  secretKey: string;
  /** Where the checkout page lives (the dev server's public URL). */
  publicUrl: string;
  /**
   * A listener that gets every event signed with `webhookSecret`, besides the registered webhook endpoints, as
   * `stripe listen --forward-to` does (the tests' receivers); without it, events go to the endpoints only.
   */
  webhookUrl?: string;
  webhookSecret?: string;
  /** The address this machine reaches an endpoint's URL at (default: the URL itself). */
  reach?: (url: string) => string;
  /** The snapshot of its objects (`stripe.json`); the journal of changes since is next to it (`stripe.jsonl`). */
  stateFile: string;
  /** Milliseconds before each retry of a failed webhook delivery (default: 1 s doubling to a minute, 8 retries). */
  webhookRetryDelaysMs?: readonly number[];
}

/**
 * A local stand-in for the parts of Stripe that Appeal uses: the Checkout Sessions, Customer Portal sessions,
 * Invoices and Subscriptions API on its own port, reached by the real `stripe` client (`stripe/api.ts`); a checkout
 * page and a Customer Portal page (`stripe/pages.ts`);
 * and the actions that Stripe's dashboard or a donor would take (`stripe/actions.ts`), each of which delivers
 * webhooks signed exactly as Stripe signs them, retrying a failed delivery with backoff (`stripe/webhooks.ts`). Its objects are Stripe's own types
 * (`stripe/objects.ts`), kept with the deliveries still to be made in a snapshot and a journal of changes
 * (`stripe/state.ts`), so that a crash loses nothing it answered and the next start retries what it had not delivered.
 */
export class StripeSimulator {
  private readonly store: StripeStore;
  private readonly api: StripeApi;
  private readonly actions: StripeActions;
  private readonly webhooks: WebhookSender;
  private server: Server | undefined;

  constructor(private readonly options: StripeSimulatorOptions) {
    this.store = new StripeStore(options.stateFile);
    this.api = new StripeApi(this.store, options.secretKey, {
      checkout: (id) => `${options.publicUrl}/_local/stripe/checkout/${id}`,
      portal: (id) => `${options.publicUrl}/_local/stripe/portal/${id}`,
    });
    const listener = options.webhookUrl && options.webhookSecret ? { url: options.webhookUrl, secret: options.webhookSecret } : undefined;
    this.webhooks = new WebhookSender(this.store, listener, options.webhookRetryDelaysMs, options.reach);
    this.actions = new StripeActions(this.store, this.webhooks);
  }

  /** Starts the API on a free local port and takes up the deliveries an earlier run left; answers its base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.api.handle(req, res).catch(() => stripeError(res, 500, 'simulator failure'));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.webhooks.resume();
    // The account's portal settings, saved once as a dashboard saves them: portal sessions need them.
    this.store.defaultPortalConfiguration();
    this.store.commit();
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** The account's publishable key, the one Stripe.js on a page must be given (`pk_test_…` for `sk_test_…`). */
  get publishableKey() {
    return this.options.secretKey.replace(/^(sk|rk)_/, 'pk_');
  }

  /** Webhook deliveries that failed and wait for their next attempt. */
  get pendingWebhookRetries() {
    return this.webhooks.pendingRetries;
  }

  /** Stops; nothing to save (every change is journaled as it is made), and the deliveries still due wait for the next start. */
  async close() {
    this.webhooks.close();
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server ? this.server.close(() => resolve()) : resolve();
    });
  }

  /** Serves `/_local/stripe/...` on the dev server; false for any other path. */
  async handleLocal(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (!url.pathname.startsWith('/_local/stripe/')) return false;
    const path = url.pathname.slice('/_local/stripe'.length);
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const input = (String(req.headers['content-type'] ?? '').includes('json') && raw ? JSON.parse(raw) : qs.parse(raw)) as Record<string, unknown>;
    const a = this.actions;
    const routes: [string, RegExp, (id: string) => unknown][] = [
      ['GET', /^\/checkout\/([^/]+)$/, (id) => checkoutPage(this.store, res, id)],
      ['POST', /^\/checkout\/([^/]+)\/complete$/, (id) => a.complete(req, res, id, input)],
      ['POST', /^\/checkout\/([^/]+)\/cancel$/, (id) => a.cancel(req, res, id)],
      ['POST', /^\/checkout\/([^/]+)\/expire$/, (id) => a.expire(res, id)],
      ['POST', /^\/checkout\/([^/]+)\/settle$/, (id) => a.settle(res, id, url.searchParams.get('outcome') ?? 'succeeded')],
      ['POST', /^\/payments\/([^/]+)\/refund$/, (id) => a.refund(res, id, input)],
      ['POST', /^\/refunds\/([^/]+)\/fail$/, (id) => a.failRefund(res, id, input)],
      ['POST', /^\/payments\/([^/]+)\/dispute$/, (id) => a.dispute(res, id)],
      ['POST', /^\/disputes\/([^/]+)\/close$/, (id) => a.closeDispute(res, id, input)],
      ['POST', /^\/subscriptions\/([^/]+)\/renew$/, (id) => a.renew(res, id)],
      ['POST', /^\/subscriptions\/([^/]+)\/cancel$/, (id) => a.cancelSubscription(res, id)],
      ['POST', /^\/subscriptions\/([^/]+)\/fail$/, (id) => a.failPayment(res, id, input)],
      ['GET', /^\/portal\/([^/]+)$/, (id) => portalPage(this.store, res, id)],
      ['POST', /^\/portal\/([^/]+)\/cancel$/, (id) => a.portalCancel(req, res, id, input)],
      ['GET', /^\/events$/, () => a.listEvents(res)],
      // Stripe.js's embedded Checkout: the script, what it asks before mounting, and the page in its iframe.
      ['GET', /^\/(v3|endive\/stripe\.js)$/, () => stripeJs(res)],
      ['GET', /^\/embedded-frame\.js$/, () => embeddedFrameJs(res)],
      ['GET', /^\/embedded\/session$/, () => embeddedSession(this.store, res, url.searchParams, this.publishableKey)],
      ['GET', /^\/embedded\/([^/]+)$/, (id) => embeddedPage(this.store, res, id, url.searchParams)],
      ['GET', /^\/webhook_endpoints$/, () => a.listWebhookEndpoints(res)],
      ['GET', /^\/portal_configurations$/, () => a.listPortalConfigurations(res)],
      ['POST', /^\/events\/([^/]+)\/resend$/, (id) => a.resend(res, id)],
    ];
    for (const [method, pattern, handle] of routes) {
      const found = req.method === method ? pattern.exec(path) : null;
      if (found) {
        await handle(found[1] ?? '');
        return true;
      }
    }
    stripeError(res, 404, 'No such simulator route');
    return true;
  }
}
