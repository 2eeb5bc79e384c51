import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { ENABLED_EVENT_TYPES, isEventType } from './event-types.js';
import { resourceMissing } from './http.js';
import { metadataProblem, toMetadata } from './objects.js';
import { newId, now, own, type StoredWebhookEndpoint, type StripeStore } from './state.js';

type Params = Record<string, unknown>;
export type Result = { status: number; body: unknown };

// The account's settings that a deployment makes through the API: webhook endpoints (`/v1/webhook_endpoints`) and
// Customer Portal configurations (`/v1/billing_portal/configurations`). Parameters and objects are those of
// Stripe's OpenAPI description for the pinned API version (the `stripe` package's WebhookEndpointCreateParams,
// BillingPortal.ConfigurationCreateParams...), and refusals are worded and coded as Stripe's: a missing required
// parameter, an unknown one, a value outside an enum, an invalid URL or boolean.

/** The API version the simulator builds every object and event in: the one the `stripe` package pins. */
export const SIMULATED_API_VERSION = Stripe.API_VERSION;

/** Stripe's limit on webhook endpoints per account and mode. */
const MAX_ENDPOINTS = 16;

const refusal = (message: string, param?: string, code?: string): Result => ({
  status: 400,
  body: { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}), ...(param ? { param } : {}) } },
});
const missing = (param: string) => refusal(`Missing required param: ${param}.`, param, 'parameter_missing');
const unknown = (param: string) => refusal(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
const notOneOf = (param: string, values: readonly string[]) =>
  refusal(`Invalid ${param}: must be one of ${values.slice(0, -1).join(', ')}, or ${values.at(-1)}`, param);

class Refused extends Error {
  constructor(readonly result: Result) {
    super('refused');
  }
}
const refuse = (result: Result): never => {
  throw new Refused(result);
};

const isRecord = (value: unknown): value is Params => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Refuses any parameter of `params` not in `allowed` (Stripe names the first, with its path). */
const onlyKnown = (params: Params, allowed: readonly string[], prefix = '') => {
  for (const key of Object.keys(params)) if (!allowed.includes(key)) refuse(unknown(prefix ? `${prefix}[${key}]` : key));
};

/** A hash parameter (`features[...]`): absent, or an object; a plain value is Stripe's "Invalid object". */
const hash = (params: Params, key: string, param: string): Params | undefined => {
  const value = params[key];
  if (value === undefined) return undefined;
  if (!isRecord(value)) return refuse(refusal(`Invalid object`, param));
  return value;
};

/** A form-encoded boolean: `true` or `false`, anything else refused as Stripe refuses it. */
const bool = (value: unknown, param: string): boolean | undefined => {
  if (value === undefined) return undefined;
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  return refuse(refusal(`Invalid boolean: ${String(value)}`, param));
};
const requiredBool = (params: Params, key: string, param: string): boolean => bool(params[key], param) ?? refuse(missing(param));

const text = (value: unknown, param: string, maxLength = 5000): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return refuse(refusal(`Invalid string: ${param}`, param));
  if (value.length > maxLength) return refuse(refusal(`Invalid string: ${param}: must be at most ${maxLength} characters`, param));
  return value;
};

/** An array parameter: a list (`a[0]=x`, `a[]=x`; qs turns a long one into an object of indices), or `''` for none. */
const array = (value: unknown, param: string): string[] | undefined => {
  if (value === undefined) return undefined;
  if (value === '') return [];
  const items = Array.isArray(value) ? value : isRecord(value) && Object.keys(value).every((k) => /^\d+$/.test(k)) ? Object.values(value) : undefined;
  if (!items) return refuse(refusal(`Invalid array`, param));
  return items.map((item, i) => (typeof item === 'string' ? item : refuse(refusal(`Invalid string: ${param}[${i}]`, `${param}[${i}]`))));
};

const oneOf = <T extends string>(value: unknown, param: string, values: readonly T[]): T | undefined => {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  return refuse(notOneOf(param, values));
};

/** An absolute http(s) URL; `invalid` words the refusal (Stripe's `url_invalid`). */
const url = (value: unknown, param: string): string | undefined => {
  const given = text(value, param);
  if (given === undefined) return undefined;
  if (!/^https?:\/\/[^\s]+$/i.test(given) || !URL.canParse(given)) return refuse(refusal(`Not a valid URL`, param, 'url_invalid'));
  return given;
};

const metadata = (value: unknown, param: string): Stripe.Metadata | undefined => {
  if (value === undefined) return undefined;
  const problem = metadataProblem(value, param);
  if (problem) return refuse(refusal(problem, param));
  return toMetadata(value);
};

/** Merges metadata as Stripe does on update: keys sent empty are removed, `metadata=''` removes them all. */
const mergedMetadata = (current: Stripe.Metadata, value: unknown, param: string): Stripe.Metadata => {
  if (value === '') return {};
  const problem = metadataProblem(value, param);
  if (problem) return refuse(refusal(problem, param));
  const next = { ...current };
  for (const [key, v] of Object.entries(value as Params)) {
    if (v === '') delete next[key];
    else next[key] = String(v);
  }
  return next;
};

/** A page of a list, newest first, as Stripe pages them: `limit` (1–100, default 10), `starting_after`, `ending_before`. */
const page = <T extends { id: string }>(items: T[], query: Params, path: string): Result => {
  const limit = query.limit === undefined ? 10 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return refusal('Invalid integer: limit', 'limit');
  let from = 0;
  let to = items.length;
  if (typeof query.starting_after === 'string') {
    const at = items.findIndex((i) => i.id === query.starting_after);
    if (at < 0) return { status: 400, body: resourceMissing('object', query.starting_after, 'starting_after') };
    from = at + 1;
  }
  if (typeof query.ending_before === 'string') {
    const at = items.findIndex((i) => i.id === query.ending_before);
    if (at < 0) return { status: 400, body: resourceMissing('object', query.ending_before, 'ending_before') };
    to = at;
    from = Math.max(from, to - limit);
  }
  const data = items.slice(from, Math.min(to, from + limit));
  return { status: 200, body: { object: 'list', data, has_more: from + data.length < to, url: path } };
};

const newestFirst = <T extends { created: number }>(items: T[]) => items.map((item, i) => ({ item, i })).sort((a, b) => b.item.created - a.item.created || b.i - a.i).map(({ item }) => item);

/** A stored endpoint as the API shows it after its creation: without its secret. */
const endpointView = ({ secret: _secret, ...endpoint }: StoredWebhookEndpoint): Stripe.WebhookEndpoint => endpoint;

const webhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * `/v1/webhook_endpoints` and `/v1/billing_portal/configurations`: create, retrieve, update, list (and delete, for
 * endpoints). `livemode`: the key's mode, which decides whether an endpoint may be plain http.
 */
export class StripeSettingsApi {
  constructor(
    private readonly store: StripeStore,
    private readonly livemode: boolean,
  ) {}

  /** Answers a request to one of these paths; undefined for any other path. */
  route(method: string, path: string, body: Params, query: Params): Result | undefined {
    const endpoint = /^\/v1\/webhook_endpoints(?:\/([^/]+))?$/.exec(path);
    const configuration = /^\/v1\/billing_portal\/configurations(?:\/([^/]+))?$/.exec(path);
    if (!endpoint && !configuration) return undefined;
    const id = endpoint?.[1] ?? configuration?.[1];
    try {
      if (endpoint) {
        if (id === undefined) {
          if (method === 'POST') return this.createEndpoint(body);
          if (method === 'GET') return page(newestFirst(Object.values(this.store.state.webhookEndpoints)).map(endpointView), query, '/v1/webhook_endpoints');
        } else {
          const found = own(this.store.state.webhookEndpoints, id);
          if (!found) return { status: 404, body: resourceMissing('webhook endpoint', id, 'id') };
          if (method === 'GET') return { status: 200, body: endpointView(found) };
          if (method === 'POST') return this.updateEndpoint(found, body);
          if (method === 'DELETE') {
            this.store.delete('webhookEndpoints', id);
            return { status: 200, body: { id, object: 'webhook_endpoint', deleted: true } };
          }
        }
      } else if (id === undefined) {
        if (method === 'POST') return this.createConfiguration(body);
        if (method === 'GET') return this.listConfigurations(query);
      } else {
        const found = own(this.store.state.portalConfigurations, id);
        if (!found) return { status: 404, body: resourceMissing('configuration', id, 'id') };
        if (method === 'GET') return { status: 200, body: found };
        if (method === 'POST') return this.updateConfiguration(found, body);
      }
    } catch (error) {
      if (error instanceof Refused) return error.result;
      throw error;
    }
    return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${path}).` } } };
  }

  // ---- webhook endpoints ----------------------------------------------------------------------------------------

  /** The endpoint's URL: http(s), and https in live mode. */
  private endpointUrl(value: unknown): string | undefined {
    const given = url(value, 'url');
    if (given === undefined) return undefined;
    // Stripe also refuses URLs that are not publicly reachable (localhost, private networks); the simulator takes
    // them, as its deliveries can reach nothing else (the dev server, a test's receiver).
    if (this.livemode && !given.toLowerCase().startsWith('https://')) {
      return refuse(refusal('Invalid URL: webhook endpoints in live mode must use HTTPS.', 'url', 'url_invalid'));
    }
    return given;
  }

  private enabledEvents(value: unknown): string[] | undefined {
    const events = array(value, 'enabled_events');
    if (events === undefined) return undefined;
    if (events.length === 0) return refuse(missing('enabled_events'));
    for (const [i, type] of events.entries()) {
      if (type !== '*' && !isEventType(type)) refuse(notOneOf(`enabled_events[${i}]`, ['*', ...ENABLED_EVENT_TYPES]));
    }
    return [...new Set(events)];
  }

  private createEndpoint(body: Params): Result {
    onlyKnown(body, ['url', 'enabled_events', 'api_version', 'connect', 'description', 'expand', 'metadata']);
    const endpointUrl = this.endpointUrl(body.url) ?? refuse(missing('url'));
    const events = this.enabledEvents(body.enabled_events) ?? refuse(missing('enabled_events'));
    const apiVersion = text(body.api_version, 'api_version');
    if (apiVersion !== undefined && !/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/.test(apiVersion)) {
      refuse(refusal(`Invalid Stripe API version: ${apiVersion}`, 'api_version'));
    }
    if (apiVersion !== undefined && apiVersion !== SIMULATED_API_VERSION) {
      refuse(refusal(`The local Stripe simulator builds events in API version ${SIMULATED_API_VERSION} only, not ${apiVersion}.`, 'api_version'));
    }
    if (bool(body.connect, 'connect')) refuse(refusal('The local Stripe simulator does not simulate Connect endpoints (connect).', 'connect'));
    const description = text(body.description, 'description');
    if (Object.keys(this.store.state.webhookEndpoints).length >= MAX_ENDPOINTS) {
      refuse(refusal(`You have reached the maximum of ${MAX_ENDPOINTS} ${this.livemode ? 'live' : 'test'} webhook endpoints.`, 'url'));
    }
    const endpoint: StoredWebhookEndpoint = {
      id: newId('we'),
      object: 'webhook_endpoint',
      api_version: apiVersion ?? null,
      application: null,
      created: now(),
      description: description || null,
      enabled_events: events,
      livemode: this.livemode,
      metadata: metadata(body.metadata, 'metadata') ?? {},
      secret: webhookSecret(),
      status: 'enabled',
      url: endpointUrl,
    };
    this.store.put('webhookEndpoints', endpoint.id, endpoint);
    // The secret is in this answer only: retrieving or listing the endpoint later never shows it.
    return { status: 200, body: endpoint };
  }

  private updateEndpoint(found: StoredWebhookEndpoint, body: Params): Result {
    // No api_version here: Stripe fixes an endpoint's version when it is made.
    onlyKnown(body, ['description', 'disabled', 'enabled_events', 'expand', 'metadata', 'url']);
    const next: StoredWebhookEndpoint = { ...found };
    const endpointUrl = this.endpointUrl(body.url);
    if (endpointUrl !== undefined) next.url = endpointUrl;
    const events = this.enabledEvents(body.enabled_events);
    if (events !== undefined) next.enabled_events = events;
    const description = text(body.description, 'description');
    if (description !== undefined) next.description = description || null;
    const disabled = bool(body.disabled, 'disabled');
    if (disabled !== undefined) next.status = disabled ? 'disabled' : 'enabled';
    if (body.metadata !== undefined) next.metadata = mergedMetadata(found.metadata, body.metadata, 'metadata');
    this.store.put('webhookEndpoints', next.id, next);
    return { status: 200, body: endpointView(next) };
  }

  // ---- Customer Portal configurations --------------------------------------------------------------------------

  private listConfigurations(query: Params): Result {
    const active = bool(query.active, 'active');
    const isDefault = bool(query.is_default, 'is_default');
    const all = Object.values(this.store.state.portalConfigurations).filter(
      (c) => (active === undefined || c.active === active) && (isDefault === undefined || c.is_default === isDefault),
    );
    return page(newestFirst(all), query, '/v1/billing_portal/configurations');
  }

  private createConfiguration(body: Params): Result {
    onlyKnown(body, ['features', 'business_profile', 'default_return_url', 'expand', 'login_page', 'metadata', 'name']);
    const features = hash(body, 'features', 'features') ?? refuse(missing('features'));
    const created = now();
    const configuration: Stripe.BillingPortal.Configuration = {
      id: newId('bpc'),
      object: 'billing_portal.configuration',
      active: true,
      application: null,
      business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
      created,
      default_return_url: null,
      features: {
        customer_update: { allowed_updates: [], enabled: false },
        invoice_history: { enabled: false },
        payment_method_update: { enabled: false, payment_method_configuration: null },
        subscription_cancel: {
          cancellation_reason: { enabled: false, feedback_options: null, options: ['too_expensive', 'missing_features', 'switched_service', 'unused', 'other'] },
          enabled: false,
          mode: 'at_period_end',
          proration_behavior: 'none',
        },
        subscription_pause: { duration: { interval_options: [], type: 'indefinite' }, enabled: false },
        subscription_update: {
          billing_cycle_anchor: null,
          default_allowed_updates: [],
          enabled: false,
          proration_behavior: 'none',
          schedule_at_period_end: { conditions: [] },
          trial_update_behavior: 'end_trial',
        },
      },
      // Only the dashboard's saved settings are the account's default; the API makes others.
      is_default: false,
      livemode: this.livemode,
      login_page: { enabled: false, url: null },
      metadata: metadata(body.metadata, 'metadata') ?? {},
      name: null,
      updated: created,
    };
    this.applyConfiguration(configuration, body, features, 'create');
    this.store.put('portalConfigurations', configuration.id, configuration);
    return { status: 200, body: configuration };
  }

  private updateConfiguration(found: Stripe.BillingPortal.Configuration, body: Params): Result {
    onlyKnown(body, ['active', 'business_profile', 'default_return_url', 'expand', 'features', 'login_page', 'metadata', 'name']);
    const next = structuredClone(found);
    const active = bool(body.active, 'active');
    if (active === false && found.is_default) refuse(refusal('You cannot deactivate the default configuration.', 'active'));
    if (active !== undefined) next.active = active;
    this.applyConfiguration(next, body, hash(body, 'features', 'features'), 'update');
    if (body.metadata !== undefined) next.metadata = mergedMetadata(found.metadata ?? {}, body.metadata, 'metadata');
    next.updated = now();
    this.store.put('portalConfigurations', next.id, next);
    return { status: 200, body: next };
  }

  /**
   * Sets what the parameters give on a configuration (made, or a copy being updated). On create each feature sent
   * must say `enabled`, and a cancellation reason its `options`; on update what is not sent stays.
   */
  private applyConfiguration(c: Stripe.BillingPortal.Configuration, body: Params, features: Params | undefined, action: 'create' | 'update') {
    const onCreate = action === 'create';
    if (features) {
      onlyKnown(features, ['customer_update', 'invoice_history', 'payment_method_update', 'subscription_cancel', 'subscription_pause', 'subscription_update'], 'features');
      const f = c.features;
      const enabled = (params: Params, param: string, requiredOnCreate = true) =>
        onCreate && requiredOnCreate ? requiredBool(params, 'enabled', `${param}[enabled]`) : bool(params.enabled, `${param}[enabled]`);

      const customerUpdate = hash(features, 'customer_update', 'features[customer_update]');
      if (customerUpdate) {
        onlyKnown(customerUpdate, ['allowed_updates', 'enabled'], 'features[customer_update]');
        f.customer_update.enabled = enabled(customerUpdate, 'features[customer_update]') ?? f.customer_update.enabled;
        const allowed = array(customerUpdate.allowed_updates, 'features[customer_update][allowed_updates]');
        for (const [i, u] of (allowed ?? []).entries()) oneOf(u, `features[customer_update][allowed_updates][${i}]`, ['address', 'email', 'name', 'phone', 'shipping', 'tax_id']);
        if (allowed) f.customer_update.allowed_updates = allowed as Stripe.BillingPortal.Configuration.Features.CustomerUpdate.AllowedUpdate[];
      }
      const invoiceHistory = hash(features, 'invoice_history', 'features[invoice_history]');
      if (invoiceHistory) {
        onlyKnown(invoiceHistory, ['enabled'], 'features[invoice_history]');
        f.invoice_history.enabled = requiredBool(invoiceHistory, 'enabled', 'features[invoice_history][enabled]');
      }
      const paymentMethodUpdate = hash(features, 'payment_method_update', 'features[payment_method_update]');
      if (paymentMethodUpdate) {
        onlyKnown(paymentMethodUpdate, ['enabled', 'payment_method_configuration'], 'features[payment_method_update]');
        f.payment_method_update.enabled = requiredBool(paymentMethodUpdate, 'enabled', 'features[payment_method_update][enabled]');
        const pmc = text(paymentMethodUpdate.payment_method_configuration, 'features[payment_method_update][payment_method_configuration]');
        if (pmc) refuse(refusal('The local Stripe simulator does not simulate payment method configurations.', 'features[payment_method_update][payment_method_configuration]'));
      }
      const cancel = hash(features, 'subscription_cancel', 'features[subscription_cancel]');
      if (cancel) {
        const param = 'features[subscription_cancel]';
        onlyKnown(cancel, ['cancellation_reason', 'enabled', 'mode', 'proration_behavior'], param);
        const s = f.subscription_cancel;
        s.enabled = enabled(cancel, param) ?? s.enabled;
        s.mode = oneOf(cancel.mode, `${param}[mode]`, ['at_period_end', 'immediately']) ?? s.mode;
        const proration = oneOf(cancel.proration_behavior, `${param}[proration_behavior]`, ['always_invoice', 'create_prorations', 'none']);
        if (proration === 'always_invoice') refuse(refusal('always_invoice is not supported for subscription cancellations.', `${param}[proration_behavior]`));
        if (proration !== undefined) s.proration_behavior = proration;
        if (s.proration_behavior === 'create_prorations' && s.mode !== 'immediately') {
          refuse(refusal('create_prorations can only be used with mode=immediately.', `${param}[proration_behavior]`));
        }
        const reason = hash(cancel, 'cancellation_reason', `${param}[cancellation_reason]`);
        if (reason) {
          onlyKnown(reason, ['enabled', 'options', 'feedback_options'], `${param}[cancellation_reason]`);
          s.cancellation_reason.enabled = requiredBool(reason, 'enabled', `${param}[cancellation_reason][enabled]`);
          const options = array(reason.options, `${param}[cancellation_reason][options]`);
          if (options === undefined && onCreate) refuse(missing(`${param}[cancellation_reason][options]`));
          const values = ['customer_service', 'low_quality', 'missing_features', 'other', 'switched_service', 'too_complex', 'too_expensive', 'unused'] as const;
          for (const [i, o] of (options ?? []).entries()) oneOf(o, `${param}[cancellation_reason][options][${i}]`, values);
          if (options) s.cancellation_reason.options = options as Stripe.BillingPortal.Configuration.Features.SubscriptionCancel.CancellationReason.Option[];
        }
      }
      const pause = hash(features, 'subscription_pause', 'features[subscription_pause]');
      if (pause) {
        onlyKnown(pause, ['duration', 'enabled'], 'features[subscription_pause]');
        if (bool(pause.enabled, 'features[subscription_pause][enabled]')) {
          refuse(refusal('The local Stripe simulator does not simulate pausing subscriptions.', 'features[subscription_pause][enabled]'));
        }
      }
      const update = hash(features, 'subscription_update', 'features[subscription_update]');
      if (update) {
        onlyKnown(update, ['billing_cycle_anchor', 'default_allowed_updates', 'enabled', 'products', 'proration_behavior', 'schedule_at_period_end', 'trial_update_behavior'], 'features[subscription_update]');
        const on = enabled(update, 'features[subscription_update]');
        // Appeal never lets a donor change plans in the portal, and the simulator has no prices to change to.
        if (on) refuse(refusal('The local Stripe simulator does not simulate subscription updates in the portal.', 'features[subscription_update][enabled]'));
        if (on === false) f.subscription_update.enabled = false;
      }
    }

    const profile = hash(body, 'business_profile', 'business_profile');
    if (profile) {
      onlyKnown(profile, ['headline', 'privacy_policy_url', 'terms_of_service_url'], 'business_profile');
      const headline = text(profile.headline, 'business_profile[headline]', 60);
      if (headline !== undefined) c.business_profile.headline = headline || null;
      for (const key of ['privacy_policy_url', 'terms_of_service_url'] as const) {
        const value = profile[key];
        // An empty value unsets a link on update; on create a link, when sent, must be one.
        if (value === '' && !onCreate) c.business_profile[key] = null;
        else {
          const link = url(value, `business_profile[${key}]`);
          if (link !== undefined) c.business_profile[key] = link;
        }
      }
    }
    if (body.default_return_url === '') c.default_return_url = null;
    else c.default_return_url = url(body.default_return_url, 'default_return_url') ?? c.default_return_url;
    const login = hash(body, 'login_page', 'login_page');
    if (login) {
      onlyKnown(login, ['enabled'], 'login_page');
      if (requiredBool(login, 'enabled', 'login_page[enabled]')) {
        refuse(refusal('The local Stripe simulator does not simulate the portal login page.', 'login_page[enabled]'));
      }
    }
    const name = text(body.name, 'name', 256);
    if (name !== undefined) c.name = name || null;
  }
}
