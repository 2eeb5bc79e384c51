import type { ServerResponse } from 'node:http';
import type Stripe from 'stripe';
import { defaultBrand } from '../../../functions/core/shared/brand.js';
import { page } from '../../../functions/core/shared/page-shell.js';
import { html } from '../../../functions/core/shared/template.js';
import { formatMoney } from '../../../functions/core/shared/money.js';
import { sendJson } from './http.js';
import type { StripeStore } from './state.js';
import { billingAddressFields } from './pages.js';

/**
 * A stand-in for Stripe.js's embedded Checkout, as the API version the `stripe` package pins names it:
 * `Stripe(publishableKey).createEmbeddedCheckoutPage({ fetchClientSecret, onComplete? })` (and its older name,
 * `initEmbeddedCheckout`) resolves to an instance with `mount(elementOrSelector)`, `unmount()` and `destroy()`.
 * `mount` puts an iframe of the simulator's embedded checkout page into the element; once the donor pays there,
 * the top page goes to the session's `return_url` with `{CHECKOUT_SESSION_ID}` filled in (or, with
 * `redirect_on_completion: if_required`, `onComplete` is called). As strict as Stripe.js: a key that is not the
 * account's publishable key, a client secret that is not a session's, a session that is not embedded or is no
 * longer open (complete or expired), a second live instance, or mounting twice are all refused with an
 * `IntegrationError`. Served at `/v3` (Stripe.js v3) and `/endive/stripe.js` (the versioned script).
 */
const STRIPE_JS = String.raw`(() => {
  'use strict';
  const script = document.currentScript;
  const origin = new URL(script.src).origin;
  const base = new URL(script.src).pathname.replace(/\/(v3|[a-z]+\/stripe\.js)$/, '');
  class IntegrationError extends Error {
    constructor(message) {
      super(message);
      this.name = 'IntegrationError';
      this.type = 'IntegrationError';
    }
  }
  const SECRET = /^cs_(test|live)_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/;
  let live = null;
  const create = (key) => async (options) => {
    if (typeof options !== 'object' || options === null) throw new IntegrationError('createEmbeddedCheckoutPage: options must be an object.');
    const { fetchClientSecret, clientSecret, onComplete } = options;
    if ((typeof fetchClientSecret === 'function') === (typeof clientSecret === 'string')) {
      throw new IntegrationError('createEmbeddedCheckoutPage: pass exactly one of fetchClientSecret (a function) or clientSecret.');
    }
    if (onComplete !== undefined && typeof onComplete !== 'function') throw new IntegrationError('createEmbeddedCheckoutPage: onComplete must be a function.');
    if (live) throw new IntegrationError('You cannot have multiple embedded checkout items.');
    const instance = { destroyed: false };
    live = instance;
    let secret;
    try {
      secret = fetchClientSecret ? await fetchClientSecret() : clientSecret;
      if (typeof secret !== 'string' || !SECRET.test(secret)) throw new IntegrationError('Invalid client secret: a Checkout Session client_secret (cs_..._secret_...) is expected.');
      const query = new URLSearchParams({ key, client_secret: secret });
      const answer = await fetch(origin + base + '/embedded/session?' + query, { headers: { accept: 'application/json' } });
      const session = await answer.json();
      if (!answer.ok) throw new IntegrationError(session.error ? session.error.message : 'Embedded Checkout could not start.');
      let frame = null;
      let listener = null;
      const detach = () => {
        if (listener) window.removeEventListener('message', listener);
        if (frame) frame.remove();
        frame = null;
        listener = null;
      };
      return Object.assign(instance, {
        mount(target) {
          if (instance.destroyed) throw new IntegrationError('This embedded Checkout was destroyed: create a new one.');
          if (frame) throw new IntegrationError('This embedded Checkout is already mounted.');
          const element = typeof target === 'string' ? document.querySelector(target) : target;
          if (!(element instanceof HTMLElement)) throw new IntegrationError('mount: no such DOM element.');
          frame = document.createElement('iframe');
          frame.src = origin + base + '/embedded/' + encodeURIComponent(session.id) + '?' + new URLSearchParams({ client_secret: secret, parent: location.origin });
          frame.title = 'Secure checkout';
          frame.setAttribute('allow', 'payment *');
          frame.style.cssText = 'width:100%;min-height:420px;border:0;display:block';
          const mine = frame;
          listener = (event) => {
            if (event.origin !== origin || event.source !== mine.contentWindow || !event.data || typeof event.data !== 'object') return;
            if (event.data.type === 'stripe-sim:resize' && typeof event.data.height === 'number') mine.style.height = event.data.height + 'px';
            if (event.data.type !== 'stripe-sim:complete') return;
            if (event.data.redirectOnCompletion !== 'always' && typeof onComplete === 'function') onComplete();
            else if (typeof event.data.returnUrl === 'string') window.location.assign(event.data.returnUrl);
          };
          window.addEventListener('message', listener);
          element.append(frame);
        },
        unmount() {
          detach();
        },
        destroy() {
          detach();
          instance.destroyed = true;
          if (live === instance) live = null;
        },
      });
    } catch (error) {
      if (live === instance) live = null;
      throw error;
    }
  };
  window.Stripe = function Stripe(key) {
    if (typeof key !== 'string' || !/^pk_(test|live)_[A-Za-z0-9_]+$/.test(key)) {
      throw new IntegrationError('Invalid value for Stripe(): apiKey should be a publishable key (pk_test_... or pk_live_...).');
    }
    const start = create(key);
    return { createEmbeddedCheckoutPage: start, initEmbeddedCheckout: start };
  };
  window.Stripe.version = 3;
})();
`;

/** The embedded checkout page's own script: pays through the complete action with the client secret, then tells Stripe.js. */
const FRAME_JS = `(() => {
  'use strict';
  const form = document.getElementById('embedded-pay');
  const problem = document.getElementById('embedded-problem');
  const { session, secret, parent } = form.dataset;
  const resize = () => window.parent.postMessage({ type: 'stripe-sim:resize', height: document.documentElement.scrollHeight }, parent);
  resize();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    form.querySelector('button').disabled = true;
    const field = (name) => (form.elements['address[' + name + ']'] ? form.elements['address[' + name + ']'].value : undefined);
    const address = field('line1') === undefined ? undefined : { line1: field('line1'), line2: field('line2'), city: field('city'), postal_code: field('postal_code'), country: field('country') };
    const body = { email: form.elements.email.value, name: form.elements.name.value, client_secret: secret, ...(address ? { address } : {}) };
    const answer = await fetch(form.action, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    const result = await answer.json();
    if (!answer.ok) {
      problem.textContent = result.error ? result.error.message : 'The payment failed.';
      problem.hidden = false;
      form.querySelector('button').disabled = false;
      return resize();
    }
    form.hidden = true;
    document.getElementById('embedded-done').hidden = false;
    window.parent.postMessage({ type: 'stripe-sim:complete', session, returnUrl: result.returnUrl, redirectOnCompletion: result.redirectOnCompletion }, parent);
  });
})();
`;

const BRAND = defaultBrand('Stripe (local simulator)');

const script = (res: ServerResponse, source: string) => {
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
  res.end(source);
};

export const stripeJs = (res: ServerResponse) => script(res, STRIPE_JS);
export const embeddedFrameJs = (res: ServerResponse) => script(res, FRAME_JS);

/** Why an embedded session cannot be shown for this client secret; undefined when it can. */
const refusal = (
  store: StripeStore,
  clientSecret: string | null,
  sessionId?: string,
): { session: Stripe.Checkout.Session } | { status: 400 | 404; message: string } => {
  const id = /^(cs_(?:test|live)_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(clientSecret ?? '')?.[1];
  const session = id === undefined ? undefined : store.state.sessions[id];
  if (!session || session.client_secret !== clientSecret || (sessionId !== undefined && sessionId !== id)) {
    return { status: 404, message: 'No such checkout session for this client secret.' };
  }
  if (session.ui_mode !== 'embedded_page') return { status: 400, message: `This Checkout Session's ui_mode is ${session.ui_mode}: it cannot be embedded.` };
  if (session.status !== 'open') return { status: 400, message: `This Checkout Session is ${session.status}: it can no longer be paid.` };
  return { session };
};

/**
 * What Stripe.js asks of Stripe before it mounts: the session of a client secret, for the account's publishable
 * key. Refused: another key, an unknown secret, a session that is not embedded or not open.
 */
export const embeddedSession = (store: StripeStore, res: ServerResponse, query: URLSearchParams, publishableKey: string) => {
  res.setHeader('access-control-allow-origin', '*');
  if (query.get('key') !== publishableKey) {
    return sendJson(res, 401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${query.get('key') ?? ''}` } });
  }
  const found = refusal(store, query.get('client_secret'));
  if (!('session' in found)) return sendJson(res, found.status, { error: { type: 'invalid_request_error', message: found.message } });
  const { session } = found;
  return sendJson(res, 200, { id: session.id, status: session.status, mode: session.mode, amount_total: session.amount_total, currency: session.currency });
};

/** The checkout page inside Stripe.js's iframe: Pay (email, name on card) for an open embedded session and its secret. */
export const embeddedPage = (store: StripeStore, res: ServerResponse, sessionId: string, query: URLSearchParams) => {
  const found = refusal(store, query.get('client_secret'), sessionId);
  const parent = query.get('parent') ?? '';
  res.writeHead('session' in found && URL.canParse(parent) ? 200 : 'session' in found ? 400 : found.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  if (!('session' in found)) return res.end(page('Checkout unavailable', html`<p role="alert">${found.message}</p>`, BRAND));
  if (!URL.canParse(parent)) return res.end(page('Checkout unavailable', html`<p role="alert">Stripe.js names no parent page.</p>`, BRAND));
  const { session } = found;
  const amount = formatMoney(Number(session.amount_total), String(session.currency));
  const productName = store.state.checkouts[sessionId]?.productName ?? 'Donation';
  const required = session.billing_address_collection === 'required';
  return res.end(
    page(
      `Pay ${amount}${session.mode === 'subscription' ? ' a month' : ''}`,
      html`<p>${productName}</p>
<p class="muted">Local Stripe embedded Checkout simulator: no card is charged.</p>
<form id="embedded-pay" method="post" action="/_local/stripe/checkout/${encodeURIComponent(sessionId)}/complete" data-session="${session.id}" data-secret="${query.get('client_secret') ?? ''}" data-parent="${new URL(parent).origin}">
<label for="email">Email</label>
<input id="email" name="email" type="email" required value="${session.customer_email ?? ''}">
<label for="name">Name on card</label>
<input id="name" name="name" autocomplete="cc-name" value=""${required && html` required`}>
${required && billingAddressFields()}<p><button type="submit">Pay</button></p>
</form>
<p id="embedded-problem" role="alert" hidden></p>
<p id="embedded-done" role="status" hidden>Payment complete.</p>
<script src="/_local/stripe/embedded-frame.js"></script>`,
      BRAND,
    ),
  );
};
