import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLED_STRIPE_EVENTS } from '../../functions/adapters/stripe-handled-events.js';
import { StripeSimulator } from '../../local/stand-ins/stripe/simulator.js';
import { postJson } from '../support/dev-server.js';
import { stripeFixtures } from '../support/stripe-fixtures.js';

/**
 * The simulator's Webhook Endpoints and Customer Portal configurations APIs through the `stripe` client: the
 * objects held to Stripe's published examples (../shared/stripe/fixtures3.json), Stripe's refusals, the secret
 * shown once, deliveries to each endpoint signed with its own secret (only the events it enables), and the local
 * listings. No listener (`stripe listen`): the endpoints are the only way events leave.
 */

const fixtures = stripeFixtures();
const API_VERSION = Stripe.API_VERSION;

interface Received {
  path: string;
  body: string;
  signature: string;
}

let dir: string;
let simulator: StripeSimulator;
let stripe: Stripe;
let localUrl: string;
let receiverUrl: string;
const servers: Server[] = [];
const received: Received[] = [];

const listen = async (server: Server) => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const startSimulator = async (secretKey: string) => {
  const started = new StripeSimulator({ secretKey, publicUrl: localUrl, stateFile: join(dir, `${secretKey}.json`), webhookRetryDelaysMs: [] });
  const api = new URL(await started.start());
  return { simulator: started, stripe: new Stripe(secretKey, { host: api.hostname, port: api.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false }) };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'appeal-stripe-settings-'));
  receiverUrl = await listen(
    createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['stripe-signature']) });
      res.writeHead(200).end();
    }),
  );
  localUrl = await listen(createServer((req, res) => void simulator.handleLocal(req, res).then((handled) => handled || res.writeHead(404).end())));
  ({ simulator, stripe } = await startSimulator('sk_test_settings'));
});

afterAll(async () => {
  await simulator.close();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await rm(dir, { recursive: true, force: true });
});

const refusal = async (request: Promise<unknown>) => {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  const { statusCode, code, param, message, rawType: type } = error as Stripe.errors.StripeInvalidRequestError;
  return { statusCode, code, param, message, type };
};

const keysOf = (value: object) => Object.keys(value).sort();

describe('POST /v1/webhook_endpoints', () => {
  it('makes an endpoint shaped as Stripe’s, whose secret is shown on creation only', async () => {
    const created = await stripe.webhookEndpoints.create({ url: `${receiverUrl}/a`, enabled_events: ['charge.refunded'], api_version: API_VERSION, description: 'Appeal' });
    expect(keysOf(created)).toEqual(keysOf({ ...fixtures.webhook_endpoint as object, secret: '' }));
    expect(created).toMatchObject({ object: 'webhook_endpoint', url: `${receiverUrl}/a`, enabled_events: ['charge.refunded'], api_version: API_VERSION, status: 'enabled', livemode: false });
    expect(created.secret).toMatch(/^whsec_/);

    const retrieved = await stripe.webhookEndpoints.retrieve(created.id);
    expect(retrieved.secret).toBeUndefined();
    expect(retrieved).toEqual({ ...created, secret: undefined });
    const listed = await stripe.webhookEndpoints.list({ limit: 100 });
    expect(listed.data.find((e) => e.id === created.id)?.secret).toBeUndefined();
    await stripe.webhookEndpoints.del(created.id);
  });

  it('refuses what Stripe refuses, with Stripe’s error body', async () => {
    const create = (params: Record<string, unknown>) => stripe.webhookEndpoints.create(params as unknown as Stripe.WebhookEndpointCreateParams);
    expect(await refusal(create({ enabled_events: ['charge.refunded'] }))).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'url', type: 'invalid_request_error' });
    expect(await refusal(create({ url: `${receiverUrl}/a` }))).toMatchObject({ code: 'parameter_missing', param: 'enabled_events' });
    expect(await refusal(create({ url: `${receiverUrl}/a`, enabled_events: ['charge.refunded', 'gift.given'] }))).toMatchObject({
      param: 'enabled_events[1]',
      message: expect.stringMatching(/^Invalid enabled_events\[1\]: must be one of \*, account\.application\.authorized, /),
    });
    expect(await refusal(create({ url: 'ftp://example.org/hook', enabled_events: ['charge.refunded'] }))).toMatchObject({ code: 'url_invalid', param: 'url' });
    expect(await refusal(create({ url: `${receiverUrl}/a`, enabled_events: ['charge.refunded'], colour: 'red' }))).toMatchObject({ code: 'parameter_unknown', param: 'colour' });
    expect(await refusal(create({ url: `${receiverUrl}/a`, enabled_events: ['charge.refunded'], api_version: 'yesterday' }))).toMatchObject({ param: 'api_version', message: 'Invalid Stripe API version: yesterday' });
    // A real version, but not the one the simulator builds events in: refused rather than sent in the wrong shape.
    expect(await refusal(create({ url: `${receiverUrl}/a`, enabled_events: ['charge.refunded'], api_version: '2024-06-20' }))).toMatchObject({ param: 'api_version' });
  });

  it('fixes the API version at creation: an update that names one is refused', async () => {
    const created = await stripe.webhookEndpoints.create({ url: `${receiverUrl}/b`, enabled_events: ['charge.refunded'] });
    expect(created.api_version).toBeNull();
    const update = stripe.webhookEndpoints.update(created.id, { api_version: API_VERSION } as unknown as Stripe.WebhookEndpointUpdateParams);
    expect(await refusal(update)).toMatchObject({ code: 'parameter_unknown', param: 'api_version' });
    const updated = await stripe.webhookEndpoints.update(created.id, { enabled_events: ['invoice.paid', 'charge.refunded'], disabled: true });
    expect(updated).toMatchObject({ enabled_events: ['invoice.paid', 'charge.refunded'], status: 'disabled' });
    expect(await stripe.webhookEndpoints.del(created.id)).toEqual({ id: created.id, object: 'webhook_endpoint', deleted: true });
    expect(await refusal(stripe.webhookEndpoints.retrieve(created.id))).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
  });

  it('requires https on a live key', async () => {
    const live = await startSimulator('sk_live_settings');
    try {
      expect(await refusal(live.stripe.webhookEndpoints.create({ url: 'http://example.org/hook', enabled_events: ['charge.refunded'] }))).toMatchObject({ code: 'url_invalid', param: 'url' });
      const made = await live.stripe.webhookEndpoints.create({ url: 'https://example.org/hook', enabled_events: ['charge.refunded'] });
      expect(made.livemode).toBe(true);
    } finally {
      await live.simulator.close();
    }
  });
});

describe('deliveries to webhook endpoints', () => {
  it('sends each endpoint the events it enables, signed with its own secret, and nothing to a disabled or deleted one', async () => {
    const handled = await stripe.webhookEndpoints.create({ url: `${receiverUrl}/handled`, enabled_events: [...HANDLED_STRIPE_EVENTS], api_version: API_VERSION });
    const everything = await stripe.webhookEndpoints.create({ url: `${receiverUrl}/all`, enabled_events: ['*'] });
    const disabled = await stripe.webhookEndpoints.create({ url: `${receiverUrl}/disabled`, enabled_events: ['*'] });
    await stripe.webhookEndpoints.update(disabled.id, { disabled: true });
    const deleted = await stripe.webhookEndpoints.create({ url: `${receiverUrl}/deleted`, enabled_events: ['*'] });
    await stripe.webhookEndpoints.del(deleted.id);
    received.length = 0;

    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Donation' } } }],
      success_url: 'http://example.org/thanks',
      cancel_url: 'http://example.org/donate',
    });
    expect((await postJson(`${localUrl}/_local/stripe/checkout/${session.id}/complete`, { email: 'donor@example.org' })).status).toBe(200);

    const typesAt = (path: string, secret: string) =>
      received.filter((r) => r.path === path).map((r) => Stripe.webhooks.constructEvent(r.body, r.signature, secret).type).sort();
    expect(typesAt('/handled', String(handled.secret))).toEqual(['checkout.session.completed']);
    expect(typesAt('/all', String(everything.secret))).toEqual(['checkout.session.completed', 'payment_intent.succeeded']);
    expect(received.filter((r) => r.path === '/disabled' || r.path === '/deleted')).toEqual([]);
    // Signed with its own secret: another endpoint's does not verify it.
    const first = received.find((r) => r.path === '/handled');
    expect(() => Stripe.webhooks.constructEvent(String(first?.body), String(first?.signature), String(everything.secret))).toThrow();
    expect(JSON.parse(String(first?.body))).toMatchObject({ api_version: API_VERSION });

    const listed = (await (await fetch(`${localUrl}/_local/stripe/webhook_endpoints`)).json()) as { id: string; url: string; pendingDeliveries: number }[];
    expect(listed.map((e) => e.id)).toEqual(expect.arrayContaining([handled.id, everything.id, disabled.id]));
    expect(listed.map((e) => e.id)).not.toContain(deleted.id);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    for (const id of [handled.id, everything.id, disabled.id]) await stripe.webhookEndpoints.del(id);
  });

  it('keeps the endpoints across a restart', async () => {
    const kept = await stripe.webhookEndpoints.create({ url: `${receiverUrl}/kept`, enabled_events: ['invoice.paid'] });
    await simulator.close();
    ({ simulator, stripe } = await startSimulator('sk_test_settings'));
    expect(await stripe.webhookEndpoints.retrieve(kept.id)).toMatchObject({ url: `${receiverUrl}/kept`, enabled_events: ['invoice.paid'] });
    await stripe.webhookEndpoints.del(kept.id);
  });
});

describe('/v1/billing_portal/configurations', () => {
  const features = {
    invoice_history: { enabled: true },
    payment_method_update: { enabled: true },
    subscription_cancel: { enabled: true, mode: 'immediately', proration_behavior: 'none' },
  } as const;

  it('makes a configuration shaped as Stripe’s, not the account’s default', async () => {
    const made = await stripe.billingPortal.configurations.create({
      features,
      business_profile: { headline: 'Manage your monthly gift', privacy_policy_url: 'https://example.org/privacy', terms_of_service_url: 'https://example.org/terms' },
      default_return_url: 'https://example.org/',
    });
    expect(keysOf(made)).toEqual(keysOf(fixtures['billing_portal.configuration'] as object));
    expect(keysOf(made.features)).toEqual(expect.arrayContaining(keysOf((fixtures['billing_portal.configuration'] as { features: object }).features)));
    expect(made).toMatchObject({
      object: 'billing_portal.configuration',
      active: true,
      is_default: false,
      business_profile: { headline: 'Manage your monthly gift', privacy_policy_url: 'https://example.org/privacy' },
      features: { subscription_cancel: { enabled: true, mode: 'immediately' }, payment_method_update: { enabled: true }, customer_update: { enabled: false } },
    });
    const updated = await stripe.billingPortal.configurations.update(made.id, { business_profile: { headline: '' }, active: false });
    expect(updated).toMatchObject({ active: false, business_profile: { headline: null, privacy_policy_url: 'https://example.org/privacy' } });
    expect((await stripe.billingPortal.configurations.list({ active: false })).data.map((c) => c.id)).toContain(made.id);
  });

  it('refuses what Stripe refuses', async () => {
    const create = (params: Record<string, unknown>) => stripe.billingPortal.configurations.create(params as unknown as Stripe.BillingPortal.ConfigurationCreateParams);
    expect(await refusal(create({ business_profile: { headline: 'x' } }))).toMatchObject({ code: 'parameter_missing', param: 'features' });
    expect(await refusal(create({ features: { subscription_cancel: { mode: 'immediately' } } }))).toMatchObject({ code: 'parameter_missing', param: 'features[subscription_cancel][enabled]' });
    expect(await refusal(create({ features: { subscription_cancel: { enabled: 'yes' } } }))).toMatchObject({ param: 'features[subscription_cancel][enabled]', message: 'Invalid boolean: yes' });
    expect(await refusal(create({ features: { subscription_cancel: { enabled: true, mode: 'whenever' } } }))).toMatchObject({ param: 'features[subscription_cancel][mode]' });
    expect(await refusal(create({ features: { subscription_cancel: { enabled: true, cancellation_reason: { enabled: true } } } }))).toMatchObject({
      code: 'parameter_missing',
      param: 'features[subscription_cancel][cancellation_reason][options]',
    });
    expect(await refusal(create({ features, business_profile: { headline: 'x'.repeat(61) } }))).toMatchObject({ param: 'business_profile[headline]' });
    expect(await refusal(create({ features, business_profile: { privacy_policy_url: 'not a url' } }))).toMatchObject({ code: 'url_invalid', param: 'business_profile[privacy_policy_url]' });
    expect(await refusal(create({ features: { ...features, gift_aid: { enabled: true } } }))).toMatchObject({ code: 'parameter_unknown', param: 'features[gift_aid]' });
  });

  it('has the account’s default, which portal sessions use and which cannot be deactivated', async () => {
    const checkout = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'Donation' }, recurring: { interval: 'month' } } }],
      success_url: 'http://example.org/thanks',
      cancel_url: 'http://example.org/donate',
    });
    expect((await postJson(`${localUrl}/_local/stripe/checkout/${checkout.id}/complete`, { email: 'monthly@example.org' })).status).toBe(200);
    const customer = (await stripe.checkout.sessions.retrieve(checkout.id)).customer;
    const session = await stripe.billingPortal.sessions.create({ customer: String(customer) });
    const [fallback] = (await stripe.billingPortal.configurations.list({ is_default: true })).data;
    expect(session.configuration).toBe(fallback?.id);
    expect(await refusal(stripe.billingPortal.configurations.update(String(fallback?.id), { active: false }))).toMatchObject({ param: 'active' });

    const inactive = await stripe.billingPortal.configurations.create({ features });
    await stripe.billingPortal.configurations.update(inactive.id, { active: false });
    expect(await refusal(stripe.billingPortal.sessions.create({ customer: String(customer), configuration: inactive.id }))).toMatchObject({ param: 'configuration' });

    const listed = (await (await fetch(`${localUrl}/_local/stripe/portal_configurations`)).json()) as { id: string; is_default: boolean }[];
    expect(listed.filter((c) => c.is_default).map((c) => c.id)).toEqual([fallback?.id]);
    expect(listed.map((c) => c.id)).toContain(inactive.id);
  });
});
