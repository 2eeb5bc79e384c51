import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_TEST_KEY } from '../../local/server/dev-config.js';
import { runAdminHere } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

/**
 * `npm run admin -- doctor --local` against the running dev server: every check and the smoke test pass on a
 * ready server, and each fault a test makes is named with its exact fix (and exit code 1).
 */

let server: TestServer;
let stripe: Stripe;
let admin: string;

const doctor = (...args: string[]) => runAdminHere(['--data-dir', server.dataDir, 'doctor', '--local', ...args]);
const lineOf = (stdout: string, check: string) => {
  const lines = stdout.split('\n');
  const at = lines.findIndex((l) => new RegExp(`^(ok|FAIL|warn) +${check} `).test(l));
  return [lines[at] ?? '', lines[at + 1]?.trim().startsWith('fix:') ? (lines[at + 1]?.trim() ?? '') : ''];
};
const endpoints = async () => (await (await fetch(`${server.url}/_local/stripe/webhook_endpoints`)).json()) as { id: string }[];

beforeAll(async () => {
  server = await startTestServer();
  const api = new URL(server.stripeApiUrl);
  stripe = new Stripe(STRIPE_TEST_KEY, { host: api.hostname, port: api.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  admin = `npm run admin -- --data-dir ${server.dataDir}`;
});

afterAll(() => server.stop());

describe('doctor --local', () => {
  it('passes on a ready server: every check ok, then the smoke test', async () => {
    const token = await runAdminHere(['--data-dir', server.dataDir, 'token', 'create', '--name', 'first admin']);
    expect(token.code, token.stderr).toBe(0);
    const run = await doctor();
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const check of ['dev server', 'stripe secret', 'stripe key mode', 'webhook endpoint', 'customer portal', 'signing secret', 'first admin']) {
      expect(lineOf(run.stdout, check)[0]).toMatch(/^ok /);
    }
    expect(run.stdout).not.toMatch(/^FAIL/m);
    expect(run.stdout).toMatch(/^smoke test passed/m);
    expect(run.stdout).toMatch(/^ready: a reader can sign up and give$/m);
  });

  it('names the fix for an endpoint with the wrong events', async () => {
    const [endpoint] = await endpoints();
    await stripe.webhookEndpoints.update(String(endpoint?.id), { enabled_events: ['charge.refunded', 'payment_intent.created'] });
    const run = await doctor('--no-smoke');
    expect(run.code).toBe(1);
    const [line, fix] = lineOf(run.stdout, 'webhook endpoint');
    expect(line).toMatch(/^FAIL +webhook endpoint we_\w+ for .*: missing events checkout\.session\.completed, .*; events Appeal does not handle payment_intent\.created$/);
    expect(fix).toBe(`fix: ${admin} stripe setup --local`);
  });

  it('names the fix for a missing webhook endpoint', async () => {
    for (const endpoint of await endpoints()) await stripe.webhookEndpoints.del(endpoint.id);
    const run = await doctor('--no-smoke');
    expect(run.code).toBe(1);
    const [line, fix] = lineOf(run.stdout, 'webhook endpoint');
    expect(line).toMatch(new RegExp(`^FAIL +webhook endpoint Stripe has no endpoint for ${server.url}/v1/stripe/webhook: no gift would be counted$`));
    expect(fix).toBe(`fix: ${admin} stripe setup --local`);
    // The fix it names fixes it.
    expect((await runAdminHere(['--data-dir', server.dataDir, 'stripe', 'setup', '--local'])).code).toBe(0);
    expect(lineOf((await doctor('--no-smoke')).stdout, 'webhook endpoint')[0]).toMatch(/^ok /);
  });

  it('names the fix for a missing signing secret', async () => {
    const file = join(server.dataDir, 'state.json');
    const keys = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...keys, webhookSecret: undefined }));
    try {
      const run = await doctor('--no-smoke');
      expect(run.code).toBe(1);
      const [line, fix] = lineOf(run.stdout, 'stripe secret');
      expect(line).toMatch(/^FAIL +stripe secret .*state\.json: no webhookSecret \(whsec_…\)$/);
      expect(fix).toBe(`fix: run ${admin} stripe setup --local, which stores the signing secret; then restart the dev server, which reads it when it starts`);
    } finally {
      writeFileSync(file, JSON.stringify(keys));
    }
  });

  it('names the fix for a missing first admin', async () => {
    expect((await runAdminHere(['--data-dir', server.dataDir, 'token', 'revoke', 'first admin'])).code).toBe(0);
    const run = await doctor('--no-smoke');
    expect(run.code).toBe(1);
    const [line, fix] = lineOf(run.stdout, 'first admin');
    expect(line).toMatch(/^FAIL +first admin +no admin token/);
    expect(fix).toBe(`fix: ${admin} token create --name "first admin"`);
  });
});
