import type { IncomingMessage, ServerResponse } from 'node:http';
import qs from 'qs';
import type Stripe from 'stripe';
import { errorBody, readBody, resourceMissing, sendJson, stripeError } from './http.js';
import { apiList, chargeView, checkoutSession, invoiceView, metadataProblem, portalSession, toMetadata } from './objects.js';
import { StripeSettingsApi } from './settings-api.js';
import { own, type StripeStore } from './state.js';

type Params = Record<string, unknown>;
type Result = { status: number; body: unknown };

/** Stripe's smallest charge, in minor units, where it differs from 50. */
const MINIMUM_CHARGE: Record<string, number> = { usd: 50, eur: 50, gbp: 30, jpy: 50, chf: 50, cad: 50, aud: 50 };

/** Checkout's locales, as the `stripe` package's API version lists them (Checkout.SessionCreateParams.Locale). */
const CHECKOUT_LOCALES = [
  'auto', 'bg', 'cs', 'da', 'de', 'el', 'en', 'en-GB', 'es', 'es-419', 'et', 'fi', 'fil', 'fr', 'fr-CA', 'hi-IN', 'hr', 'hu', 'id', 'it', 'ja',
  'ko', 'lt', 'lv', 'ms', 'mt', 'nb', 'nl', 'pl', 'pt', 'pt-BR', 'ro', 'ru', 'sk', 'sl', 'sv', 'th', 'tr', 'vi', 'zh', 'zh-HK', 'zh-TW',
] as const satisfies readonly Stripe.Checkout.SessionCreateParams.Locale[];

/** The Customer Portal's locales (BillingPortal.SessionCreateParams.Locale): Checkout's and more regional English. */
const PORTAL_LOCALES = [
  ...CHECKOUT_LOCALES.filter((l) => l !== 'hi-IN'),
  'en-AU', 'en-CA', 'en-IE', 'en-IN', 'en-NZ', 'en-SG',
] as const satisfies readonly Stripe.BillingPortal.SessionCreateParams.Locale[];

/** Stripe's refusal of a value outside an enum: "Invalid locale: must be one of auto, bg, …, zh-HK, or zh-TW". */
const notOneOf = (param: string, values: readonly string[]) =>
  errorBody(`Invalid ${param}: must be one of ${values.slice(0, -1).join(', ')}, or ${values.at(-1)}`, param);

/** A locale parameter: absent (null), one of `values`, or Stripe's refusal. */
const localeOf = <T extends string>(value: unknown, values: readonly T[]): { locale: T | null } | { refused: Result } =>
  value === undefined
    ? { locale: null }
    : typeof value === 'string' && (values as readonly string[]).includes(value)
      ? { locale: value as T }
      : { refused: { status: 400, body: notOneOf('locale', values) } };

const record = (value: unknown): Params => (typeof value === 'object' && value !== null ? (value as Params) : {});

/** Checkout's UI modes in the API version the `stripe` package pins (`embedded` and `hosted` before 2026). */
const UI_MODES = ['elements', 'embedded_page', 'form', 'hosted_page'] as const satisfies readonly Stripe.Checkout.SessionCreateParams.UiMode[];
const REDIRECTS = ['always', 'if_required', 'never'] as const satisfies readonly Stripe.Checkout.SessionCreateParams.RedirectOnCompletion[];

const isWebUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value);
const urlInvalid = (param: string): Result => ({ status: 400, body: { error: { type: 'invalid_request_error', code: 'url_invalid', message: 'Not a valid URL', param } } });

/**
 * A session's UI mode and its ways back, refused as Stripe refuses them: an unknown mode; on `embedded_page`, a
 * success or cancel URL (there is no leaving the page), and no `return_url` unless `redirect_on_completion` is
 * `never` (then none is allowed); on `hosted_page`, a `return_url` or `redirect_on_completion`. The form and
 * elements modes are not simulated, and are refused rather than half-made.
 */
const uiModeOf = (
  body: Params,
): { uiMode: 'hosted_page' | 'embedded_page'; returnUrl?: string; redirectOnCompletion?: (typeof REDIRECTS)[number] } | { refused: Result } => {
  const mode = body.ui_mode ?? 'hosted_page';
  if (typeof mode !== 'string' || !(UI_MODES as readonly string[]).includes(mode)) return { refused: { status: 400, body: notOneOf('ui_mode', UI_MODES) } };
  if (mode === 'elements' || mode === 'form') {
    return { refused: { status: 400, body: errorBody(`The local Stripe simulator does not simulate ui_mode ${mode}: use hosted_page or embedded_page.`, 'ui_mode') } };
  }
  const redirect = body.redirect_on_completion;
  if (redirect !== undefined && (typeof redirect !== 'string' || !(REDIRECTS as readonly string[]).includes(redirect))) {
    return { refused: { status: 400, body: notOneOf('redirect_on_completion', REDIRECTS) } };
  }
  if (mode === 'hosted_page') {
    for (const param of ['return_url', 'redirect_on_completion'] as const) {
      if (body[param] !== undefined) return { refused: { status: 400, body: errorBody(`You cannot pass \`${param}\` when \`ui_mode\` is \`hosted_page\`.`, param) } };
    }
    return { uiMode: 'hosted_page' };
  }
  for (const param of ['success_url', 'cancel_url'] as const) {
    if (body[param] !== undefined) return { refused: { status: 400, body: errorBody(`You cannot pass \`${param}\` when \`ui_mode\` is \`embedded_page\`.`, param) } };
  }
  const redirectOnCompletion = (redirect ?? 'always') as (typeof REDIRECTS)[number];
  if (redirectOnCompletion === 'never') {
    if (body.return_url !== undefined) return { refused: { status: 400, body: errorBody('You cannot pass `return_url` when `redirect_on_completion` is `never`.', 'return_url') } };
    return { uiMode: 'embedded_page', redirectOnCompletion };
  }
  if (body.return_url === undefined) {
    return {
      refused: {
        status: 400,
        body: { error: { type: 'invalid_request_error', code: 'parameter_missing', message: `Missing required param: return_url. It is required when \`ui_mode\` is \`embedded_page\` and \`redirect_on_completion\` is \`${redirectOnCompletion}\`.`, param: 'return_url' } },
      },
    };
  }
  if (!isWebUrl(body.return_url)) return { refused: urlInvalid('return_url') };
  return { uiMode: 'embedded_page', returnUrl: body.return_url, redirectOnCompletion };
};

/** Where the simulator's hosted pages live: a Checkout Session's checkout page, a portal session's portal. */
export interface HostedPages {
  checkout: (sessionId: string) => string;
  portal: (portalSessionId: string) => string;
}

/**
 * The part of Stripe's HTTP API that Appeal calls through the `stripe` client: form-encoded bodies, the secret
 * key as a Bearer token, Idempotency-Key replay; create and retrieve Checkout Sessions, create Customer Portal
 * sessions, retrieve Invoices, Subscriptions, Charges and Refunds, list a charge's Refunds; `expand[]` honoured
 * for includable fields.
 */
export class StripeApi {
  private readonly settings: StripeSettingsApi;

  constructor(
    private readonly store: StripeStore,
    private readonly secretKey: string,
    private readonly pages: HostedPages,
  ) {
    // A live key's account is in live mode: its endpoints must be https.
    this.settings = new StripeSettingsApi(store, /^(sk|rk)_live_/.test(secretKey));
  }

  async handle(req: IncomingMessage, res: ServerResponse) {
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return sendJson(res, 401, errorBody('Invalid API Key provided.'));
    }
    const { state } = this.store;
    const url = new URL(req.url ?? '/', 'http://stripe');
    const body = qs.parse(await readBody(req), { depth: 10, arrayLimit: 100 }) as Params;
    const idempotencyKey = req.headers['idempotency-key'];
    const replay = typeof idempotencyKey === 'string' ? state.idempotency[idempotencyKey] : undefined;
    // Stripe keeps the first answer to a key for 24 hours and replays that frozen copy (not the object as it is
    // now), and refuses the key with other parameters.
    const fingerprint = `${req.method} ${url.pathname} ${JSON.stringify(body)}`;
    if (req.method === 'POST' && replay) {
      if (replay.request !== undefined && replay.request !== fingerprint) {
        return sendJson(res, 400, {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          },
        });
      }
      return sendJson(res, replay.status, replay.body, { 'idempotent-replayed': 'true' });
    }

    const creators: Record<string, () => Result> = {
      '/v1/checkout/sessions': () => this.createSession(body),
      '/v1/billing_portal/sessions': () => this.createPortalSession(body),
    };
    const create = req.method === 'POST' ? creators[url.pathname.replace(/\/$/, '')] : undefined;
    const query = qs.parse(url.search.slice(1), { depth: 10, arrayLimit: 100 }) as Params;
    const settings = create ? undefined : this.settings.route(req.method ?? 'GET', url.pathname.replace(/\/$/, ''), body, query);
    if (create || settings) {
      const result = create ? create() : (settings as Result);
      if (req.method === 'POST' && typeof idempotencyKey === 'string') {
        this.store.put('idempotency', idempotencyKey, { ...structuredClone(result), request: fingerprint });
      }
      this.store.commit();
      return sendJson(res, result.status, result.body);
    }
    if (req.method === 'GET') return this.retrieve(res, url);
    return stripeError(res, 404, `Unrecognized request URL (${req.method}: ${url.pathname}).`);
  }

  /**
   * Retrieves a session, invoice, subscription, charge or refund, or lists a charge's refunds. Includable fields
   * (an invoice's `payments`, a charge's `refunds`) are there only when the request expands them.
   */
  private retrieve(res: ServerResponse, url: URL) {
    const { state } = this.store;
    const query = qs.parse(url.search.slice(1), { depth: 10, arrayLimit: 100 }) as Params;
    const expand = ([] as unknown[]).concat(query.expand ?? []).map(String);
    const refundsOf = (chargeId: string) =>
      Object.values(state.refunds)
        .filter((r) => r.charge === chargeId)
        .sort((a, b) => b.created - a.created);
    if (url.pathname === '/v1/refunds') {
      const charge = typeof query.charge === 'string' ? query.charge : undefined;
      const paymentIntent = typeof query.payment_intent === 'string' ? query.payment_intent : undefined;
      const refunds = Object.values(state.refunds)
        .filter((r) => (!charge || r.charge === charge) && (!paymentIntent || r.payment_intent === paymentIntent))
        .sort((a, b) => b.created - a.created);
      return sendJson(res, 200, apiList(refunds, '/v1/refunds'));
    }
    const match = /^\/v1\/(checkout\/sessions|invoices|subscriptions|charges|refunds|customers)\/([^/]+)$/.exec(url.pathname);
    const kind = match?.[1] ?? '';
    const id = match?.[2] ?? '';
    const views: Record<string, () => unknown> = {
      'checkout/sessions': () => state.sessions[id],
      invoices: () => {
        const invoice = state.invoices[id];
        return invoice && invoiceView(invoice, expand);
      },
      subscriptions: () => state.subscriptions[id],
      charges: () => {
        const charge = state.charges[id];
        return charge && chargeView(charge, refundsOf(id), expand);
      },
      refunds: () => state.refunds[id],
      customers: () => own(state.customers, id),
    };
    const view = views[kind];
    if (!view) return stripeError(res, 404, `Unrecognized request URL (GET: ${url.pathname}).`);
    const found = view();
    return found ? sendJson(res, 200, found) : stripeError(res, 404, `No such ${kind.replace(/s$/, '').replace('checkout/session', 'checkout.session')}: '${id}'`, 'id');
  }

  private createSession(body: Params): Result {
    const mode = body.mode;
    const items = body.line_items as { price_data?: Params; quantity?: string }[] | undefined;
    const price = items?.[0]?.price_data;
    const unitAmount = Number(price?.unit_amount);
    const quantity = Number(items?.[0]?.quantity ?? 1);
    if (mode !== 'payment' && mode !== 'subscription') return { status: 400, body: errorBody('Invalid mode', 'mode') };
    if (!price || !Number.isInteger(unitAmount) || unitAmount <= 0 || typeof price.currency !== 'string') {
      return { status: 400, body: errorBody('Invalid line_items', 'line_items') };
    }
    // Stripe's minimum charge per currency (its "Minimum and maximum charge amounts"): 0.50 in USD and EUR,
    // 0.30 in GBP; other currencies here get the USD-like 0.50 of their minor units.
    const minimum = MINIMUM_CHARGE[price.currency] ?? 50;
    if (unitAmount * quantity < minimum) {
      return {
        status: 400,
        body: { error: { type: 'invalid_request_error', code: 'amount_too_small', param: 'line_items[0][price_data][unit_amount]', message: `The Checkout Session's total amount due must add up to at least ${minimum} ${price.currency}.` } },
      };
    }
    if (mode === 'subscription' && !record(price.recurring).interval) {
      return { status: 400, body: errorBody('Recurring price required', 'line_items') };
    }
    const ui = uiModeOf(body);
    if ('refused' in ui) return ui.refused;
    if (ui.uiMode === 'hosted_page' && (typeof body.success_url !== 'string' || typeof body.cancel_url !== 'string')) {
      return { status: 400, body: errorBody('Missing URLs', 'success_url') };
    }
    const locale = localeOf(body.locale, CHECKOUT_LOCALES);
    if ('refused' in locale) return locale.refused;
    // Stripe's enum (Checkout.SessionCreateParams.BillingAddressCollection): anything else is refused, not ignored.
    const billing = body.billing_address_collection;
    if (billing !== undefined && billing !== 'auto' && billing !== 'required') {
      return { status: 400, body: errorBody('Invalid billing_address_collection: must be one of auto or required', 'billing_address_collection') };
    }
    for (const [param, value] of [
      ['metadata', body.metadata],
      ['payment_intent_data[metadata]', record(body.payment_intent_data).metadata],
      ['subscription_data[metadata]', record(body.subscription_data).metadata],
    ] as const) {
      const problem = metadataProblem(value, param);
      if (problem) return { status: 400, body: errorBody(problem, param) };
    }
    const session = checkoutSession({
      mode,
      currency: price.currency,
      amount: unitAmount * quantity,
      metadata: toMetadata(body.metadata),
      customerEmail: typeof body.customer_email === 'string' ? body.customer_email : null,
      adaptivePricing: record(body.adaptive_pricing).enabled !== 'false',
      submitType: typeof body.submit_type === 'string' ? (body.submit_type as Stripe.Checkout.Session.SubmitType) : null,
      billingAddressCollection: billing ?? null,
      successUrl: typeof body.success_url === 'string' ? body.success_url : null,
      cancelUrl: typeof body.cancel_url === 'string' ? body.cancel_url : null,
      locale: locale.locale,
      url: this.pages.checkout,
      ...ui,
    });
    this.store.put('sessions', session.id, session);
    this.store.put('checkouts', session.id, {
      productName: String(record(price.product_data).name ?? 'Donation'),
      unitAmount,
      quantity,
      paymentIntentMetadata: toMetadata(record(body.payment_intent_data).metadata),
      subscriptionMetadata: toMetadata(record(body.subscription_data).metadata),
    });
    return { status: 200, body: session };
  }

  /**
   * `POST /v1/billing_portal/sessions`, as Stripe answers it: a session of the account's default portal
   * configuration for an existing customer, whose `url` is the portal page. Refused as Stripe refuses them: no
   * customer, a customer or configuration it does not have, a `return_url` that is not a URL. Deep links
   * (`flow_data`) are not simulated and are refused rather than ignored.
   */
  private createPortalSession(body: Params): Result {
    const { state } = this.store;
    const customer = body.customer;
    if (typeof customer !== 'string' || customer === '') {
      return { status: 400, body: { error: { type: 'invalid_request_error', code: 'parameter_missing', message: 'Missing required param: customer.', param: 'customer' } } };
    }
    if (!own(state.customers, customer)) return { status: 400, body: resourceMissing('customer', customer, 'customer') };
    const named = body.configuration === undefined ? undefined : own(state.portalConfigurations, String(body.configuration));
    if (body.configuration !== undefined && !named) {
      return { status: 400, body: resourceMissing('configuration', String(body.configuration), 'configuration') };
    }
    const configuration = named ?? this.store.defaultPortalConfiguration();
    if (!configuration.active) {
      return { status: 400, body: errorBody(`The configuration ${configuration.id} is not active. Activate it or use another configuration.`, 'configuration') };
    }
    if (body.flow_data !== undefined) {
      return { status: 400, body: errorBody('The local Stripe simulator does not simulate portal flows (flow_data).', 'flow_data') };
    }
    const returnUrl = body.return_url;
    if (returnUrl !== undefined && (typeof returnUrl !== 'string' || !/^https?:\/\/[^\s]+$/.test(returnUrl) || !URL.canParse(returnUrl))) {
      return { status: 400, body: { error: { type: 'invalid_request_error', code: 'url_invalid', message: 'Not a valid URL', param: 'return_url' } } };
    }
    const locale = localeOf(body.locale, PORTAL_LOCALES);
    if ('refused' in locale) return locale.refused;
    const session = portalSession({
      customer,
      configuration: configuration.id,
      returnUrl: typeof returnUrl === 'string' ? returnUrl : null,
      locale: locale.locale,
      url: this.pages.portal,
    });
    this.store.put('portalSessions', session.id, session);
    return { status: 200, body: session };
  }
}
