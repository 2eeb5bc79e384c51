import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPEAL_API_VERSION, dataDirStore, setUpStripe } from '../../cli/stripe-setup.js';
import { HANDLED_STRIPE_EVENTS } from '../../functions/adapters/stripe-handled-events.js';
import { STRIPE_TEST_KEY } from '../../local/server/dev-config.js';
import { runAdminHere } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

/**
 * `npm run admin -- stripe setup --local` against the running dev server and its Stripe simulator: the server's own
 * first start registers its endpoint and portal through the same code; the command then changes nothing, makes
 * again what is missing or wrong (storing a new signing secret where the server reads it), and replaces the
 * endpoint for a new secret only when asked.
 */

let server: TestServer;
let stripe: Stripe;

interface ListedEndpoint {
  id: string;
  url: string;
  status: string;
  enabled_events: string[];
  api_version: string | null;
}

const endpoints = async () => (await (await fetch(`${server.url}/_local/stripe/webhook_endpoints`)).json()) as ListedEndpoint[];
const portalConfigurations = async () => (await (await fetch(`${server.url}/_local/stripe/portal_configurations`)).json()) as Stripe.BillingPortal.Configuration[];
/** Appeal's own configuration, which the setup made: the one the server's portal sessions name. */
const appealPortal = async () => (await portalConfigurations()).find((c) => c.metadata?.appeal === 'customer-portal');
const state = () => JSON.parse(readFileSync(join(server.dataDir, 'state.json'), 'utf8')) as { webhookSecret: string; portalConfiguration: string };
const storedSecret = () => state().webhookSecret;
const setup = (...args: string[]) => runAdminHere(['--data-dir', server.dataDir, 'stripe', 'setup', '--local', ...args]);

beforeAll(async () => {
  server = await startTestServer();
  const api = new URL(server.stripeApiUrl);
  stripe = new Stripe(STRIPE_TEST_KEY, { host: api.hostname, port: api.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
});

afterAll(() => server.stop());

describe('stripe setup --local', () => {
  it('finds the endpoint and portal the server made at its first start as they should be, and changes nothing', async () => {
    const [endpoint, ...others] = await endpoints();
    expect(others).toEqual([]);
    expect(endpoint).toMatchObject({ url: `${server.url}/v1/stripe/webhook`, status: 'enabled', api_version: APPEAL_API_VERSION });
    expect([...(endpoint?.enabled_events ?? [])].sort()).toEqual([...HANDLED_STRIPE_EVENTS].sort());
    const secret = storedSecret();
    const portal = await appealPortal();
    // Made by the setup, not the dashboard: the account's default is neither used nor needed.
    expect(portal).toMatchObject({ active: true, is_default: false, features: { subscription_cancel: { enabled: true, mode: 'immediately', proration_behavior: 'none' } } });
    expect(state().portalConfiguration).toBe(portal?.id);
    const configurations = await portalConfigurations();

    const run = await setup();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^unchanged +webhook endpoint ${endpoint?.id} for ${server.url}/v1/stripe/webhook; its signing secret is kept$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^unchanged +portal configuration ${portal?.id}$`, 'm'));
    expect(run.stdout).not.toMatch(/^stored /m);
    expect(run.stdout).toContain('the key for this command needs: Webhook Endpoints: Write, Customer portal: Write');
    expect(run.stdout).toContain("the stage's secretKey (a restricted key will do) needs: Checkout Sessions: Write, Customer portal: Write, Invoices: Read");
    expect(await endpoints()).toEqual([endpoint]);
    expect(await portalConfigurations()).toEqual(configurations);
    expect(storedSecret()).toBe(secret);
    expect(state().portalConfiguration).toBe(portal?.id);
  });

  it('creates the endpoint and sets up the portal when they are missing or wrong, stores the new secret, and a second run changes nothing', async () => {
    for (const endpoint of await endpoints()) await stripe.webhookEndpoints.del(endpoint.id);
    const portal = await appealPortal();
    await stripe.billingPortal.configurations.update(String(portal?.id), { features: { subscription_cancel: { enabled: false } }, business_profile: { headline: 'Something else' } });
    const before = storedSecret();

    const first = await setup('--privacy-url', 'https://example.org/privacy');
    expect(first.code, first.stderr).toBe(0);
    const [made] = await endpoints();
    expect(first.stdout).toMatch(new RegExp(`^created +webhook endpoint ${made?.id} for ${server.url}/v1/stripe/webhook: ${HANDLED_STRIPE_EVENTS.length} events, API version ${APPEAL_API_VERSION}$`, 'm'));
    expect(first.stdout).toMatch(/^stored +signing secret in .*state\.json$/m);
    expect(first.stdout).toMatch(new RegExp(`^updated +portal configuration ${portal?.id}: cancelling, headline, privacy policy link$`, 'm'));
    expect(first.stdout).toContain('restart it');
    expect(storedSecret()).not.toBe(before);
    expect(storedSecret()).toMatch(/^whsec_/);
    expect(await appealPortal()).toMatchObject({
      features: { subscription_cancel: { enabled: true, mode: 'immediately' }, payment_method_update: { enabled: true } },
      business_profile: { headline: expect.stringContaining('Your gifts to'), privacy_policy_url: 'https://example.org/privacy' },
    });

    const secret = storedSecret();
    const again = await setup('--privacy-url', 'https://example.org/privacy');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^unchanged +webhook endpoint/m);
    expect(again.stdout).toMatch(/^unchanged +portal configuration/m);
    expect(again.stdout).not.toMatch(/^(created|updated|stored|replaced|deleted) /m);
    expect(await endpoints()).toEqual([made]);
    expect(storedSecret()).toBe(secret);
  });

  it('puts back the events and re-enables an endpoint someone changed, keeping its secret', async () => {
    const [endpoint] = await endpoints();
    await stripe.webhookEndpoints.update(String(endpoint?.id), { enabled_events: ['charge.refunded'], disabled: true });
    const secret = storedSecret();
    const run = await setup();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^updated +webhook endpoint ${endpoint?.id} for .*: events \\(1 → ${HANDLED_STRIPE_EVENTS.length}\\), enabled; its signing secret is kept$`, 'm'));
    expect(await endpoints()).toEqual([endpoint]);
    expect(storedSecret()).toBe(secret);
  });

  it('replaces the endpoint for a new signing secret only when asked (--rotate-secret), storing it before the old one goes', async () => {
    const [old] = await endpoints();
    const secret = storedSecret();
    const run = await setup('--rotate-secret');
    expect(run.code, run.stderr).toBe(0);
    const [made, ...others] = await endpoints();
    expect(others).toEqual([]);
    expect(made?.id).not.toBe(old?.id);
    expect(run.stdout).toMatch(new RegExp(`^replaced +webhook endpoint ${made?.id} .*\\(${old?.id} asked for a new signing secret \\(--rotate-secret\\)\\)$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^deleted +webhook endpoint ${old?.id}, replaced by ${made?.id}$`, 'm'));
    expect(storedSecret()).not.toBe(secret);
  });

  it('replaces an endpoint of another API version, which Stripe does not let an update change', async () => {
    for (const endpoint of await endpoints()) await stripe.webhookEndpoints.del(endpoint.id);
    const accountDefault = await stripe.webhookEndpoints.create({ url: `${server.url}/v1/stripe/webhook`, enabled_events: [...HANDLED_STRIPE_EVENTS] });
    const steps = await setUpStripe(stripe, dataDirStore(server.dataDir, STRIPE_TEST_KEY), { webhookUrl: `${server.url}/v1/stripe/webhook`, portal: { headline: 'Your gifts' } });
    expect(steps.map((s) => `${s.outcome} ${s.what}`)).toEqual(['replaced webhook endpoint', 'stored signing secret', 'deleted webhook endpoint', 'updated portal configuration']);
    expect(steps[0]?.detail).toContain(`its API version is the account default, Appeal needs ${APPEAL_API_VERSION}`);
    expect((await endpoints()).map((e) => e.id)).not.toContain(accountDefault.id);
  });

  it('makes Appeal\'s configuration again when it was deactivated, and stores the new id where the server reads it', async () => {
    const old = await appealPortal();
    await stripe.billingPortal.configurations.update(String(old?.id), { active: false });
    const run = await setup();
    expect(run.code, run.stderr).toBe(0);
    const made = (await portalConfigurations()).find((c) => c.active && c.metadata?.appeal === 'customer-portal');
    expect(made?.id).not.toBe(old?.id);
    expect(run.stdout).toMatch(new RegExp(`^created +portal configuration ${made?.id}: `, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^stored +portal configuration ${made?.id} in .*state\\.json$`, 'm'));
    expect(state().portalConfiguration).toBe(made?.id);
    const again = await setup();
    expect(again.stdout).not.toMatch(/^(created|updated|stored|replaced|deleted) /m);
  });

  it('says to start the dev server when none runs on the data folder', async () => {
    const run = await runAdminHere(['--data-dir', join(server.dataDir, 'nowhere'), 'stripe', 'setup', '--local']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no dev server is running on .*nowhere: start it with `npm start`/);
  });
});
