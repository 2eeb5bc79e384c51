import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement } from 'aws-cdk-lib';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoExperimentStore } from '../../functions/adapters/dynamo-experiments.js';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { campaignSettings } from '../support/donation-fakes.js';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { documentClient } from '../../functions/platform/clients.js';
import { DynamoExportJobs } from '../../functions/adapters/dynamo-exports.js';
import { ExportWorkerConfig, loadConfig } from '../../functions/configs.js';
import { buildExportWorker } from '../../functions/export-worker/deps.js';
import { buildStage } from '../../infra/app.js';
import { StageConfig } from '../../infra/config.js';
import { AppFunction } from '../../infra/constructs/app-function.js';
import {
  type AwsCallRecord,
  type CfnTemplate,
  type CheckResult,
  checkLeastPrivilege,
  type FunctionRole,
  functionRole,
  keyKind,
  recordsOf,
} from '../support/aws-calls.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { ListmonkStandIn } from '../../local/stand-ins/listmonk.js';
import { ConsoleClient } from '../support/console-client.js';
import { DynamoEditors } from '../../functions/adapters/dynamo-console.js';
import { DynamoWebhookEndpoints } from '../../functions/adapters/dynamo-webhooks.js';

/*
 * Least privilege, proven. Every AWS call each function makes is recorded (the composition roots hand a recorder
 * to every SDK client they build; the dev server also records each secret the Parameters and Secrets extension
 * would read with the function's role), turned into IAM requests (tests/support/aws-calls.ts: action, resource
 * in the template's terms, and the items' partition keys), and checked against the function's role in the
 * synthesized API stack: every call must be allowed, and every grant must be used by some call.
 *
 * Why this file drives the product itself rather than reading what the integration tests recorded: vitest runs
 * test files in parallel and promises no order, so a check that needs every other file to have finished could
 * only run in a global teardown (where a failure is no test's failure) or would pass or fail with the files
 * chosen on the command line. Here one dev server runs one end-to-end flow through every function and every path
 * that makes a distinct call (each route, every mail kind, a bounce and a complaint, one-time and monthly gifts,
 * a refund, every export, an erase, a multipart upload that fails), so the check is deterministic, isolated (its
 * own tables, ports and folder) and part of every `npm test`. The integration tests can record too:
 * `APPEAL_AWS_CALLS_DIR=$(mktemp -d)` makes every test server append its calls there as JSON lines, and a later
 * run of this file with the same variable checks that every one of them is allowed (see the README).
 *
 * The template is synthesized with the context of cdk.json (as `cdk deploy` does: minimized policies) and
 * without bundling (`aws:cdk:bundling-stacks`: []), since roles do not depend on the bundles: about 5 s.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The example stage (infra/stages/dev.json: what a newsroom copies), in an account of its own so that ARNs are literal.
const config = StageConfig.parse({ ...JSON.parse(readFileSync(join(ROOT, 'infra/stages/dev.json'), 'utf8')), account: '123456789012' });
const account = { region: config.region, account: config.account ?? '' };

/** Entry names (functions/<name>/index.ts) from construct ids: `SignupAndMailFunction` → `signup-and-mail`. */
const entryOf = (constructId: string) =>
  constructId
    .replace(/Function$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();

/** Both stacks' templates as CloudFormation gets them, and each function's Lambda logical id by entry name. */
const synthesize = () => {
  const context = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const app = new App({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildStage(app, config);
  const assembly = app.synth();
  const templates = [stacks.data, stacks.api].map((stack) => assembly.getStackByName(stack.stackName).template as CfnTemplate);
  const functions = stacks.api.node
    .findAll()
    .filter((construct): construct is AppFunction => construct instanceof AppFunction)
    .map((fn) => ({ name: entryOf(fn.node.id), logicalId: stacks.api.getLogicalId(fn.fn.node.defaultChild as CfnElement) }));
  return { templates, api: templates[1] as CfnTemplate, functions };
};

let synthesized: ReturnType<typeof synthesize>;
let roles: FunctionRole[];
let server: TestServer;
let records: AwsCallRecord[];
let result: CheckResult;
/** What the flow leaves running, stopped after the tests. */
const after: (() => Promise<void>)[] = [];

const rolesOf = (api: CfnTemplate, templates: CfnTemplate[]) =>
  synthesized.functions.map(({ name, logicalId }) => functionRole(name, logicalId, api, templates));

// ---------------------------------------------------------------------------------------------------------------
// The flow: every function, every path that makes a call of its own kind.

const flow = async () => {
  const url = server.url;
  const api = `${url}/v1/subscriptions`;
  const tokens = new DynamoAdminTokens(documentClient(server.clientOptions), server.tables.subscribers); // the CLI's part, not recorded
  const { token } = await createAdminToken({ tokens, clock: { now: () => new Date() } }, 'least privilege');
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  // The webhooks API's own token: each function touches a token's last use (once a while), so each gets one.
  const { token: hooksToken } = await createAdminToken({ tokens, clock: { now: () => new Date() } }, 'least privilege webhooks');
  const hooks = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${hooksToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const ok = async (response: Promise<Response> | Response, status = 200) => {
    const answer = await response;
    expect(answer.status, `${answer.url}: ${await answer.clone().text()}`).toBe(status);
    return answer;
  };
  const stripe = async (path: string, body: unknown = {}) =>
    (await (await ok(postJson(`${url}/_local/stripe${path}`, body))).json()) as Record<string, string>;
  const checkout = async (body: Record<string, unknown>) =>
    (await (await ok(postJson(`${url}/v1/donations/checkout`, { campaign: 'ukraine', currency: 'usd', ...body }), 201)).json()) as { id: string };

  // Webhooks: an endpoint for every event (added, listed, its secret rotated), on a receiver that fails the first
  // attempt (the endpoint marked failing, then succeeding again).
  let answers = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answers++ === 0 ? 500 : 204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  after.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const hook = (await (await ok(hooks('POST', '/v1/admin/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, events: ['*'] }), 201)).json()) as { id: string };
  await ok(hooks('GET', '/v1/admin/webhooks'));
  await ok(hooks('POST', `/v1/admin/webhooks/${hook.id}/rotate`));

  // Views and clicks: the events function reads the campaign and its variants and queues the view; the counter
  // adds the batch (its marker and a counter item, one transaction).
  await ok(postJson(`${url}/v1/events`, { type: 'view', campaign: 'ukraine', variant: 'control' }), 204);
  await server.eventsIdle();

  // A newsletter tool: listmonk, which holds one reader's "no" (blocklisted): their confirmation marks them
  // unsubscribed in Appeal (the delivery worker reads the connector and the subscriber, and saves it).
  const listmonk = new ListmonkStandIn({ username: 'appeal', token: 'lm-token', lists: [{ id: 1, name: 'News', type: 'public', optin: 'single' }] });
  const listmonkUrl = await listmonk.start();
  after.push(() => listmonk.close());
  await ok(fetch(`${listmonkUrl}/api/subscribers`, {
    method: 'POST',
    headers: { authorization: 'token appeal:lm-token', 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'said-no@example.org', name: 'No', status: 'blocklisted', lists: [1] }),
  }));
  const listmonkConnector = (await (await ok(hooks('POST', '/v1/admin/connectors', { kind: 'listmonk', url: listmonkUrl, username: 'appeal', token: 'lm-token', lists: [1] }), 201)).json()) as { id: string };
  await ok(postJson(api, { email: 'said-no@example.org' }), 202);
  await server.mailIdle();
  const [saidNo] = await server.mailTo('said-no@example.org');
  await ok(postJson(linkIn(saidNo?.text ?? '', '/v1/subscriptions/confirm'), undefined));
  await server.webhooksIdle();
  // The schedule's pull of listmonk's refusals, run by the delivery worker: the connectors on the index, a reader
  // who unsubscribed in listmonk read, marked unsubscribed and counted, and the connector's cursor moved.
  await ok(postJson(api, { email: 'left-listmonk@example.org' }), 202);
  await server.mailIdle();
  const [leftListmonk] = await server.mailTo('left-listmonk@example.org');
  await ok(postJson(linkIn(leftListmonk?.text ?? '', '/v1/subscriptions/confirm'), undefined));
  await server.webhooksIdle();
  listmonk.unsubscribeAsReader('left-listmonk@example.org', { listId: 1 });
  await ok(postJson(`${url}/_local/jobs/listmonk-pull`, { job: 'listmonk-pull' }));

  // Mailchimp's list webhook: its GET, then an unsubscribe and a cleaned address for a pending reader (the webhooks
  // function reads the connector and the subscriber, saves it and counts it, and keeps a suppression marker).
  const mailchimpHook = (await (await ok(hooks('POST', '/v1/admin/connectors', { kind: 'mailchimp', apiKey: 'a1b2c3d4e5f60718293a4b5c6d7e8f90-us6', list: 'a1b2c3', apiUrl: 'http://127.0.0.1:9' }), 201)).json()) as { webhookUrl: string };
  await ok(fetch(mailchimpHook.webhookUrl));
  await ok(postJson(api, { email: 'mc-reader@example.org' }), 202);
  await server.mailIdle();
  for (const type of ['unsubscribe', 'cleaned']) {
    await ok(fetch(mailchimpHook.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ type, 'data[email]': 'mc-reader@example.org', 'data[list_id]': 'a1b2c3' }).toString(),
    }));
  }
  await server.webhooksIdle();

  // Mailing list: signup (rate windows, the queue), the worker (new, pending again, confirmed again: a note),
  // confirm (lifts a suppression marker), unsubscribe.
  // Where the reader came from: the attribution counters move with the signup and the confirmation.
  await ok(postJson(api, { email: 'reader@example.org', name: 'Reader', source: 'https://news.example.org/story', utm_source: 'newsletter' }), 202);
  const [confirmation] = await server.mailTo('reader@example.org');
  await ok(postJson(api, { email: 'reader@example.org', name: 'Reader' }), 202);
  await server.mailIdle();
  const confirm = linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm');
  await ok(postJson(confirm, undefined));
  await ok(postJson(confirm, undefined)); // again: the welcome is queued again, and the sent-mail ledger sends it once
  // A backfill of the listmonk connector: the webhooks function starts it on the connector's item; the delivery
  // worker counts and reads the confirmed readers on the status index, reads their records, pushes them, and saves
  // its progress on the connector's item.
  await ok(hooks('POST', `/v1/admin/connectors/${listmonkConnector.id}/backfill`), 202);
  await server.webhooksIdle();
  await ok(postJson(api, { email: 'reader@example.org' }), 202);
  await server.mailIdle();
  await ok(fetch(confirmation?.headers['List-Unsubscribe']?.slice(1, -1) ?? '', { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));

  // List hygiene: SES's mailbox simulator answers with a bounce and a complaint (the ses-events function).
  await ok(postJson(api, { email: 'bounce@simulator.amazonses.com' }), 202);
  await ok(postJson(api, { email: 'complaint@simulator.amazonses.com' }), 202);
  await server.mailIdle();

  // Donations: the banner, the donate page, a one-time gift with the newsletter box ticked (receipt, opt-in),
  // a refund, a monthly gift renewed and ended.
  // An experiment whose allocation follows its results (the CLI's part, not recorded): the banner's variants are
  // weighed from the event and gift counters.
  const experiments = new DynamoExperimentStore(documentClient(server.clientOptions), server.tables.donations);
  await experiments.setVariant('ukraine', { id: 'urgent', weight: 1 }, new Date());
  await experiments.setAllocation('ukraine', 'thompson', new Date());
  await ok(fetch(`${url}/v1/campaigns/ukraine`));
  await ok(fetch(`${url}/v1/donate?campaign=ukraine`));
  // A gift from a variant and a page: its variant's results and its page's counters move with it.
  const once = await checkout({ amount: 2500, email: 'donor@example.org', subscribe: true, source: 'https://news.example.org/story', variant: 'urgent' });
  await checkout({ amount: 2500, email: 'donor@example.org', subscribe: true, source: 'https://news.example.org/story', variant: 'urgent' }); // a double click: the same attempt
  const paid = await stripe(`/checkout/${once.id}/complete`, { name: 'Dee Donor' });
  await ok(fetch(`${url}/v1/donate/thanks?session_id=${once.id}`));
  await stripe(`/payments/${paid.paymentIntent}/refund`, { amount: 1000 });
  const monthly = await checkout({ amount: 1000, frequency: 'monthly', email: 'monthly@example.org' });
  await stripe(`/checkout/${monthly.id}/complete`);
  const stripeApi = new Stripe('sk_test_appeal_local_simulator', { host: '127.0.0.1', port: Number(new URL(server.stripeApiUrl).port), protocol: 'http' });
  const subscription = String((await stripeApi.checkout.sessions.retrieve(monthly.id)).subscription);
  await stripe(`/subscriptions/${subscription}/renew`);
  await stripe(`/subscriptions/${subscription}/cancel`);
  // A monthly gift whose subscription carries no campaign (made before subscriptions did): its invoices take the
  // campaign from the monthly gift's record.
  const bare = await stripeApi.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' }, product_data: { name: 'Donation' } } }],
    metadata: { campaign: 'ukraine', frequency: 'monthly', subscribe: 'false' },
    customer_email: 'early-monthly@example.org',
    success_url: `${url}/v1/donate/thanks?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${url}/v1/donate?campaign=ukraine`,
  });
  await stripe(`/checkout/${bare.id}/complete`);
  await server.mailIdle();

  // Reminders: two asked for, the job run three times at once at the first one's time (the due-time index, the
  // sent-mail ledger's claim and its conflict, the send, the delete), and the one-click unsubscribe of the rest.
  const dayAhead = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  await ok(postJson(`${url}/v1/reminders`, { email: 'later@example.org', campaign: 'ukraine', date: dayAhead(2) }), 202);
  await ok(postJson(`${url}/v1/reminders`, { email: 'later@example.org', campaign: 'ukraine', date: dayAhead(3) }), 202);
  const runJob = () => ok(postJson(`${url}/_local/jobs/reminders`, { at: `${dayAhead(2)}T12:00:00.000Z` }));
  await Promise.all([runJob(), runJob(), runJob()]);
  const reminder = (await server.mailTo('later@example.org')).at(-1);
  await ok(fetch(reminder?.headers['List-Unsubscribe']?.slice(1, -1) ?? '', { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));

  // Giving statements: the job (the campaigns and their gifts on the index, the sent-mail ledger, SES), then the
  // printable page of the email's link (the donor's markers, the campaigns' gifts on the index).
  await ok(postJson(`${url}/_local/jobs/statements`, { statements: { year: new Date().getUTCFullYear() } }));
  const statement = (await server.mailTo('donor@example.org')).find((m) => m.text.includes('/v1/donations/statement'));
  await ok(fetch(/http:\/\/\S+\/v1\/donations\/statement\?token=[\w.-]+&year=\d{4}/.exec(statement?.text ?? '')?.[0] ?? '', { headers: { accept: 'text/html' } }));

  // Gift Aid: a declared gift to a GBP campaign (Checkout's address, the declaration kept on the gift), the receipt's
  // link to cancel it (GET asks, POST records a GIFTAID# item); the claim's export reads it below.
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(campaignSettings({ id: 'britain', currency: 'gbp' }), new Date());
  const declared = await checkout({ campaign: 'britain', currency: 'gbp', amount: 2500, email: 'gift.aid@example.org', giftAid: true });
  await stripe(`/checkout/${declared.id}/complete`, { name: 'Ada Lovelace', address: { line1: '12 High Street', city: 'Bristol', postal_code: 'BS1 4DJ', country: 'GB' } });
  const giftAidLink = linkIn((await server.mailTo('gift.aid@example.org')).at(-1)?.text ?? '', '/v1/donations/gift-aid');
  await ok(fetch(giftAidLink, { headers: { accept: 'text/html' } }));
  await ok(fetch(giftAidLink, { method: 'POST', headers: { accept: 'text/html' } }));

  // Every change so far told to the endpoint (the first attempt's 500 retried 5 s later) before any is erased.
  await server.webhooksIdle();
  await new Promise((resolve) => setTimeout(resolve, 6000));
  await server.webhooksIdle();

  // Admin: stats, the dashboard, a data-subject request and an erase, every kind of export and its download link.
  await ok(admin('GET', '/v1/admin/stats'));
  await ok(admin('GET', '/v1/admin/dashboard'));
  await ok(admin('GET', '/v1/admin/campaigns/ukraine/results'));
  await ok(admin('GET', '/v1/admin/attribution?days=7'));
  await ok(admin('GET', '/v1/admin/subscribers/reader%40example.org'));
  await ok(admin('GET', '/v1/admin/subscribers/donor%40example.org')); // a donor: the gifts too
  await ok(admin('DELETE', '/v1/admin/subscribers/reader%40example.org'), 204);
  // A donor without a subscriber record, erased: the monthly gift's start loses the address.
  await ok(admin('DELETE', '/v1/admin/subscribers/monthly%40example.org'), 204);
  // The erasures told too; the log read, one delivery sent again, all replayed, the endpoint enabled and removed.
  await server.webhooksIdle();
  const deliveries = (await (await ok(hooks('GET', `/v1/admin/webhooks/${hook.id}/deliveries`))).json()) as { id: string; status: string }[];
  expect(deliveries.length).toBeGreaterThan(5);
  expect(deliveries.filter((d) => d.status !== 'delivered')).toEqual([]);
  await ok(hooks('POST', `/v1/admin/webhooks/${hook.id}/deliveries/${deliveries[0]?.id}/retry`), 202);
  await ok(hooks('POST', `/v1/admin/webhooks/${hook.id}/replay`, { since: '2020-01-01T00:00:00.000Z' }), 202);
  await server.webhooksIdle();
  await ok(hooks('POST', `/v1/admin/webhooks/${hook.id}/enable`));
  await ok(hooks('DELETE', `/v1/admin/webhooks/${hook.id}`), 204);
  const connector = (await (await ok(hooks('POST', '/v1/admin/connectors', { kind: 'listmonk', url: 'http://127.0.0.1:9', username: 'appeal', token: 't', lists: [1] }), 201)).json()) as { id: string };
  await ok(hooks('GET', '/v1/admin/connectors'));
  await ok(hooks('DELETE', `/v1/admin/connectors/${connector.id}`), 204);
  for (const request of [{ kind: 'subscribers', status: 'confirmed' }, { kind: 'subscribers' }, { kind: 'donations', campaign: 'ukraine' }, { kind: 'donations' }, { kind: 'gift-aid' }]) {
    const { id } = (await (await ok(admin('POST', '/v1/admin/exports', request), 202)).json()) as { id: string };
    let state: { status: string; url?: string } = { status: 'running' };
    for (let i = 0; i < 200 && state.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      state = (await (await ok(admin('GET', `/v1/admin/exports/${id}`))).json()) as typeof state;
    }
    expect(state.status).toBe('done');
    await ok(fetch(state.url ?? ''));
  }
  // An export whose worker died long ago (its job written as the admin API writes one, a day old): reading it marks
  // it failed, by the admin API and by the console alike.
  const exportJobs = new DynamoExportJobs(documentClient(server.clientOptions), server.tables.subscribers);
  const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
  for (const id of ['exp_staleadminapi000', 'exp_staleconsole0000']) {
    await exportJobs.create({ id, kind: 'subscribers', filters: {}, status: 'running', rows: 0, createdAt: dayAgo });
  }
  expect(((await (await ok(admin('GET', '/v1/admin/exports/exp_staleadminapi000'))).json()) as { status: string }).status).toBe('failed');

  // The console: an admin added by the CLI (not recorded) signs in by link (the mail worker looks the address up),
  // walks every page, adds a passkey and signs in with it, manages editors and tokens, reads the audit log (by
  // session and by token), removes the passkey, and signs out.
  const editors = new DynamoEditors(documentClient(server.clientOptions), server.tables.subscribers);
  await editors.put('boss@example.org', 'admin', new Date());
  const editor = new ConsoleClient(url, (to) => server.mailTo(to));
  await ok(postJson(`${url}/admin`, {}, { origin: 'http://cross-site.example' }), 403);
  await editor.signInByLink('boss@example.org');
  for (const page of ['/admin', '/admin/account', '/admin/editors', '/admin/tokens', '/admin/audit']) expect((await editor.get(page)).status).toBe(200);
  const authenticator = await editor.addPasskey();
  await editor.signInByPasskey(authenticator);
  await editor.get('/admin/editors');
  expect((await editor.post('/admin/editors', { email: 'helper@example.org', role: 'exporter' })).status).toBe(303);
  expect((await editor.post('/admin/editors/signout-everywhere', { email: 'helper@example.org' })).status).toBe(303);
  expect((await editor.post('/admin/editors/remove', { email: 'helper@example.org' })).status).toBe(303);
  const { record: scripted } = await createAdminToken({ tokens, clock: { now: () => new Date() } }, 'revoked in the console');
  await editor.get('/admin/tokens');
  expect((await editor.post('/admin/tokens/revoke', { id: scripted.id })).status).toBe(303);
  expect((await editor.request('GET', '/v1/admin/audit?limit=5', undefined, { accept: 'application/json' })).status).toBe(200);
  // A token not used yet: the console records its first use (as the admin API does).
  const { token: reader } = await createAdminToken({ tokens, clock: { now: () => new Date() } }, 'audit reader');
  await ok(fetch(`${url}/v1/admin/audit?limit=5`, { headers: { authorization: `Bearer ${reader}` } }));
  // The dashboard, campaigns, exports and data requests in the console: the same stores as the admin API's.
  for (const page of ['/admin?days=7', '/admin/campaigns', '/admin/exports', '/admin/people']) expect((await editor.get(page)).status).toBe(200);
  await editor.get('/admin/campaigns/edit');
  expect((await editor.post('/admin/campaigns', { mode: 'create', id: 'console-made', title: 'Made in the console', currency: 'usd', goal: '500' })).status).toBe(303);
  await editor.get('/admin/campaigns/edit?id=console-made');
  expect((await editor.post('/admin/campaigns', { mode: 'edit', id: 'console-made', title: 'Renamed in the console', goal: '600' })).status).toBe(303);
  await editor.get('/admin/campaigns/close?id=console-made');
  expect((await editor.post('/admin/campaigns/close', { id: 'console-made', confirm: 'yes' })).status).toBe(303);
  await editor.get('/admin/campaigns/edit?id=console-made');
  expect((await editor.post('/admin/campaigns/reopen', { id: 'console-made' })).status).toBe(303);
  await editor.get('/admin/exports');
  const exported = await editor.post('/admin/exports', { kind: 'subscribers', list: 'news' });
  expect(exported.status).toBe(303);
  let progress = await editor.get(exported.location ?? '');
  for (let i = 0; i < 200 && progress.body.includes('http-equiv="refresh"'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    progress = await editor.get(exported.location ?? '');
  }
  expect((await editor.get('/admin/exports/exp_staleconsole0000')).body).not.toContain('http-equiv="refresh"');
  const download = await editor.get(`${exported.location}/download`);
  expect(download.status).toBe(303);
  await ok(fetch(download.location ?? ''));
  // The experiment set up above, in the console: its results day by day, its allocation back to the weights, and its end.
  for (const page of ['/admin/experiments', '/admin/experiments/ukraine']) expect((await editor.get(page)).status).toBe(200);
  expect((await editor.post('/admin/experiments/ukraine/allocation', { allocation: 'weights' })).status).toBe(303);
  expect((await editor.post('/admin/experiments/ukraine/end', { keep: 'urgent', confirm: 'yes' })).status).toBe(303);
  await editor.get('/admin/people');
  expect((await editor.post('/admin/people', { email: 'donor@example.org' })).status).toBe(200);
  expect((await editor.post('/admin/people/erase', { email: 'complaint@simulator.amazonses.com', confirm: 'complaint@simulator.amazonses.com' })).status).toBe(200);
  // Webhooks in the console: an endpoint added on a receiver that always fails, failing for four days already, so
  // the next event disables it (the delivery worker tells the mail queue, the mail worker finds the admins); its
  // log read, a delivery retried, everything replayed, the endpoint enabled, its secret rotated, and removed.
  // A connector added and removed.
  const failing = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  after.push(() => new Promise<void>((resolve) => failing.close(() => resolve())));
  expect((await editor.get('/admin/webhooks')).status).toBe(200);
  const addedHook = await editor.post('/admin/webhooks', { url: `http://127.0.0.1:${(failing.address() as AddressInfo).port}/`, events: '*' });
  expect(addedHook.status).toBe(200);
  const consoleHook = /href="\/admin\/webhooks\/(wh_[a-f0-9]{16})"/.exec(addedHook.body)?.[1] ?? '';
  // Written as the worker writes it (not recorded): no key is needed to mark an endpoint failing.
  await new DynamoWebhookEndpoints(documentClient(server.clientOptions), server.tables.subscribers, Buffer.alloc(32)).markFailing(consoleHook, new Date(Date.now() - 4 * 86_400_000).toISOString());
  await ok(postJson(api, { email: 'late-reader@example.org' }), 202);
  await server.mailIdle();
  const [late] = await server.mailTo('late-reader@example.org');
  await ok(postJson(linkIn(late?.text ?? '', '/v1/subscriptions/confirm'), undefined));
  await server.webhooksIdle();
  await server.mailIdle();
  expect((await server.mailTo('boss@example.org')).some((mail) => mail.subject.includes('a webhook endpoint was disabled'))).toBe(true);
  const hookLog = await editor.get(`/admin/webhooks/${consoleHook}`);
  const failedDelivery = /\/deliveries\/(msg_[a-f0-9]{32})\/retry/.exec(hookLog.body)?.[1] ?? '';
  expect((await editor.post(`/admin/webhooks/${consoleHook}/enable`)).status).toBe(303);
  expect((await editor.post(`/admin/webhooks/${consoleHook}/deliveries/${failedDelivery}/retry`)).status).toBe(303);
  expect((await editor.post(`/admin/webhooks/${consoleHook}/replay`, { since: '2020-01-01T00:00' })).status).toBe(200);
  expect((await editor.post(`/admin/webhooks/${consoleHook}/rotate`)).status).toBe(200);
  expect((await editor.post(`/admin/webhooks/${consoleHook}/remove`, { confirm: 'yes' })).status).toBe(303);
  await server.webhooksIdle();
  // A backfill started from the connectors page: the run written on the connector's item, its first slice queued.
  expect((await editor.post(`/admin/connectors/${listmonkConnector.id}/backfill`)).status).toBe(303);
  await server.webhooksIdle();
  expect((await editor.post('/admin/connectors', { kind: 'listmonk', url: 'http://127.0.0.1:9', username: 'appeal', token: 't', lists: '1' })).status).toBe(200);
  const consoleConnector = /connectors\/(cn_[a-f0-9]{16})\/remove/.exec((await editor.get('/admin/connectors')).body)?.[1] ?? '';
  expect((await editor.post(`/admin/connectors/${consoleConnector}/remove`)).status).toBe(200);
  expect((await editor.post(`/admin/connectors/${consoleConnector}/remove`, { confirm: 'yes' })).status).toBe(303);
  await editor.get('/admin/account');
  expect((await editor.post('/admin/account/passkeys/remove', { id: authenticator.credentialId.toString('base64url') })).status).toBe(303);
  expect((await editor.post('/admin/signout')).status).toBe(303);
  await server.mailIdle();
};

/**
 * The export worker's writer, built by its own root with its own client options, uploading more than one part
 * (5 MiB), which S3 then refuses to complete: CreateMultipartUpload, UploadPart, CompleteMultipartUpload and the
 * AbortMultipartUpload that cleans up, which no export small enough for a test reaches through the API.
 */
const failedMultipartExport = async () => {
  const calls: AwsCallRecord[] = [];
  const { deps } = buildExportWorker(loadConfig(ExportWorkerConfig, server.environment), {
    ...server.clientOptions,
    recorder: (call) => {
      calls.push(...recordsOf({ function: 'export-worker', ...call }, server.environment));
      // S3 failing the upload's last step (recorded, then refused here) stands for any step failing.
      if (call.command === 'CompleteMultipartUploadCommand') throw new Error('S3 refused the upload');
    },
  });
  const row = ['x'.repeat(1024)];
  async function* rows() {
    for (let i = 0; i < 6 * 1024; i++) yield row;
  }
  await expect(deps.writer.write('exports/least-privilege-failed.csv', ['column'], rows())).rejects.toThrow('S3 refused the upload');
  expect(calls.map((c) => c.command)).toEqual(expect.arrayContaining(['CreateMultipartUploadCommand', 'UploadPartCommand', 'AbortMultipartUploadCommand']));
  return calls;
};

beforeAll(async () => {
  synthesized = synthesize();
  roles = rolesOf(synthesized.api, synthesized.templates);
  // SES_CONFIGURATION_SET as the stack sets it: mail goes out through a configuration set, as it does on AWS.
  server = await startTestServer({ SES_CONFIGURATION_SET: 'appeal-local', GIFT_AID: 'true' }, undefined, { recordAwsCalls: true });
  await flow();
  await server.mailIdle();
  records = [...server.awsCalls(), ...(await failedMultipartExport())];
  result = checkLeastPrivilege(roles, records, account, synthesized.templates);
}, 180_000);
afterAll(async () => {
  await server?.stop();
  for (const stop of after) await stop();
});

/** What each function called, one line per action, resource and kind of item: the reviewer's summary. */
const summary = (calls: AwsCallRecord[]) => {
  const lines = new Set<string>();
  for (const call of calls) {
    const where = [call.resource.variable ?? call.resource.value, call.resource.index && `index ${call.resource.index}`, call.resource.key && `${call.resource.key.split('/')[0]}/…`]
      .filter(Boolean)
      .join(' ');
    lines.add(`${call.function}: ${call.action} on ${where}${call.keys?.length ? ` for ${[...new Set(call.keys.map(keyKind))].sort().join(' ')}` : ''}`);
  }
  return [...lines].sort();
};

/**
 * The wildcards left in what the functions' code is granted, each unavoidable: export files have generated names,
 * so the grants reach the objects under exports/ of the export bucket. (X-Ray's Resource "*" is the platform's:
 * tracing has no resource-level permissions.) Any other wildcard fails this test.
 */
const REVIEWED_WILDCARDS = [
  'admin: s3:GetObject on {ExportBucket.Arn}/exports/*',
  'console: s3:GetObject on {ExportBucket.Arn}/exports/*',
  'export-worker: s3:PutObject on {ExportBucket.Arn}/exports/*',
  'export-worker: s3:AbortMultipartUpload on {ExportBucket.Arn}/exports/*',
];

describe('least privilege: every function role against the calls the function makes', () => {
  it('covers every function the stack deploys, and only the fallback and the embed make no call', () => {
    const entries = readdirSync(join(ROOT, 'functions')).filter((name) => existsSync(join(ROOT, 'functions', name, 'index.ts')));
    expect(synthesized.functions.map((f) => f.name).sort()).toEqual(entries.sort());
    const calling = new Set(records.map((r) => r.function));
    expect(entries.filter((name) => !calling.has(name))).toEqual(['embed', 'fallback']);
    for (const name of ['embed', 'fallback']) expect(roles.find((r) => r.name === name)?.grants.filter((g) => !g.platform), name).toEqual([]);
  });

  it('allows every call each function makes, on the resource its configuration names', () => {
    expect(result.denied).toEqual([]);
  });

  it('grants nothing that no call uses', () => {
    expect(result.unused).toEqual([]);
  });

  it('grants single actions, item actions only on named kinds of item, and no wildcard but the reviewed ones', () => {
    expect(result.broadActions).toEqual([]);
    expect(result.unscopedItems).toEqual([]);
    expect(result.unreadable).toEqual([]);
    expect(result.platformMissing).toEqual([]);
    expect(result.wildcards.sort()).toEqual([...REVIEWED_WILDCARDS].sort());
  });

  it('lets no function change or delete an audit entry: on the audit table, PutItem and Query only', () => {
    const onAudit = roles.flatMap((role) => role.grants.filter((g) => g.resource.includes('AuditTable')).map((g) => `${role.name}: ${g.action}`));
    expect(onAudit.sort()).toEqual(['admin: dynamodb:PutItem', 'console: dynamodb:PutItem', 'console: dynamodb:Query']);
    for (const role of roles) {
      for (const grant of role.grants) {
        if (/^dynamodb:(UpdateItem|DeleteItem|BatchWriteItem|PartiQLUpdate|PartiQLDelete|\*)$/i.test(grant.action)) expect(grant.resource, `${role.name}: ${grant.action}`).not.toMatch(/AuditTable|^\*$/);
      }
    }
  });

    it('leaves only the platform its own grants: the queues to the mailer and the event counter, failure destinations, tracing', () => {
    for (const line of result.platform) expect(line).toMatch(/\((event source mapping|asynchronous invocation OnFailure|X-Ray tracing)\)$/);
    expect(
      result.platform
        .filter((line) => line.includes('event source mapping'))
        .every((line) => /^(signup-and-mail|event-counter|webhook-delivery): sqs:/.test(line) || /^webhook-events: (dynamodb|sqs):/.test(line)),
    ).toBe(true);
  });

  // Only with recordings to check: a plain `npm test` has none, and registers no test for them (rather than a
  // skipped one).
  const recordings = process.env.APPEAL_AWS_CALLS_DIR;
  if (recordings) it('allows every call the integration tests recorded (APPEAL_AWS_CALLS_DIR)', () => {
    const dir = recordings;
    const recorded = readdirSync(dir)
      .filter((file) => file.endsWith('.jsonl'))
      .flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AwsCallRecord));
    expect(recorded.length).toBeGreaterThan(0);
    expect(checkLeastPrivilege(roles, recorded, account, synthesized.templates).denied).toEqual([]);
    // What they call is what this flow calls, or less: this flow is the complete one.
    const mine = new Set(summary(records));
    expect(summary(recorded).filter((line) => !mine.has(line))).toEqual([]);
  });
});

describe('the least-privilege check itself', () => {
  /** A copy of the API template with one function's policy statements changed. */
  const doctored = (entry: string, change: (statements: Record<string, unknown>[]) => void) => {
    const api = structuredClone(synthesized.api);
    expect(roles.find((r) => r.name === entry)).toBeDefined();
    const logicalId = synthesized.functions.find((f) => f.name === entry)?.logicalId ?? '';
    const role = (api.Resources?.[logicalId]?.Properties?.Role ?? {}) as { 'Fn::GetAtt'?: string[] };
    const roleRef = JSON.stringify(role['Fn::GetAtt']?.[0]);
    for (const resource of Object.values(api.Resources ?? {})) {
      const document = resource.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] } | undefined;
      if (resource.Type === 'AWS::IAM::Policy' && document && JSON.stringify(resource.Properties?.Roles).includes(roleRef)) change(document.Statement);
    }
    return checkLeastPrivilege(rolesOf(api, [synthesized.templates[0] as CfnTemplate, api]), records, account, [synthesized.templates[0] as CfnTemplate, api]);
  };
  const withoutAction = (action: string) => (statements: Record<string, unknown>[]) => {
    for (const statement of statements) {
      const actions = [statement.Action].flat().filter((a) => a !== action);
      statement.Action = actions.length > 0 ? actions : ['none:None'];
    }
  };

  it('fails when a grant is removed: the call it allowed is denied', () => {
    const check = doctored('subscriptions', withoutAction('dynamodb:DeleteItem'));
    // Each denied call once, however many times it was made (two confirmations each lift a suppression marker).
    expect([...new Set(check.denied)].sort()).toEqual([
      'subscriptions: dynamodb:DeleteItem on {SubscribersTable.Arn} (DeleteItemCommand) for REMIND#…: not allowed',
      'subscriptions: dynamodb:DeleteItem on {SubscribersTable.Arn} (DeleteItemCommand) for SUPPRESS#…: not allowed',
    ]);
    expect(doctored('admin', withoutAction('lambda:InvokeFunction')).denied).toEqual([
      'admin: lambda:InvokeFunction on {ExportWorkerFunction.Arn} (InvokeCommand): not allowed',
    ]);
  });

  it('fails when an item kind is taken from a grant: the public function may not delete a subscriber', () => {
    const check = doctored('subscriptions', (statements) => {
      for (const statement of statements) {
        const condition = statement.Condition as { 'ForAllValues:StringLike'?: { 'dynamodb:LeadingKeys': string[] } } | undefined;
        const keys = condition?.['ForAllValues:StringLike'];
        if (keys) keys['dynamodb:LeadingKeys'] = keys['dynamodb:LeadingKeys'].filter((k) => k !== 'SUPPRESS#*' && k !== 'RATE#*');
      }
    });
    expect(check.denied.some((line) => line.startsWith('subscriptions: dynamodb:DeleteItem') && line.includes('SUPPRESS#…'))).toBe(true);
    expect(check.denied.some((line) => line.startsWith('subscriptions: dynamodb:UpdateItem') && line.includes('RATE#…'))).toBe(true);
  });

  it('fails when a call is added: a new action, an item kind, a resource no variable names, an unmapped command', () => {
    const subscriber = { type: 'table' as const, variable: 'SUBSCRIBERS_TABLE_NAME', value: server.tables.subscribers };
    const added: AwsCallRecord[] = [
      { function: 'subscriptions', command: 'ScanCommand', action: 'dynamodb:Scan', resource: subscriber },
      { function: 'subscriptions', command: 'DeleteItemCommand', action: 'dynamodb:DeleteItem', resource: subscriber, keys: ['SUB#reader@example.org'] },
      { function: 'subscriptions', command: 'PutItemCommand', action: 'dynamodb:PutItem', resource: subscriber, keys: ['TOKEN#forged'] },
      { function: 'donations', command: 'GetItemCommand', action: 'dynamodb:GetItem', resource: { ...subscriber, variable: undefined } },
      ...recordsOf({ function: 'admin', service: 'dynamodb', command: 'ExecuteStatementCommand', input: { Statement: 'SELECT * FROM x' } }, server.environment),
    ];
    const check = checkLeastPrivilege(roles, [...records, ...added], account, synthesized.templates);
    expect(check.denied).toEqual([
      'subscriptions: dynamodb:Scan on {SubscribersTable.Arn} (ScanCommand): not allowed',
      'subscriptions: dynamodb:DeleteItem on {SubscribersTable.Arn} (DeleteItemCommand) for SUB#…: not allowed',
      'subscriptions: dynamodb:PutItem on {SubscribersTable.Arn} (PutItemCommand) for TOKEN#…: not allowed',
      `donations: dynamodb:GetItem on table ${server.tables.subscribers} (GetItemCommand): no variable of the function's configuration in the template names this table`,
      'admin: unmapped:dynamodb:ExecuteStatementCommand on table  (ExecuteStatementCommand): no variable of the function\'s configuration in the template names this table',
    ]);
  });

  it('flags a grant no call uses, a wildcard, and what CDK\'s grantReadWriteData would have given the public function', () => {
    const check = doctored('subscriptions', (statements) => {
      const table = statements.find((statement) => JSON.stringify(statement.Resource).includes('SubscribersTable'))?.Resource;
      statements.push({
        Effect: 'Allow',
        Action: ['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:DescribeTable'],
        Resource: [table, { 'Fn::Join': ['', [table, '/index/*']] }],
      });
      statements.push({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' });
    });
    expect(check.denied).toEqual([]);
    expect(check.unused).toEqual(expect.arrayContaining([
      'subscriptions: dynamodb:BatchWriteItem on {SubscribersTable.Arn}',
      'subscriptions: dynamodb:Scan on {SubscribersTable.Arn}',
      'subscriptions: dynamodb:Query on {SubscribersTable.Arn}/index/*',
      'subscriptions: dynamodb:DescribeTable on {SubscribersTable.Arn}',
    ]));
    // DeleteItem on the whole table is used (deleting a suppression marker) but reaches every kind of item.
    expect(check.unused).not.toContain('subscriptions: dynamodb:DeleteItem on {SubscribersTable.Arn}');
    expect(check.unscopedItems).toEqual(expect.arrayContaining(['subscriptions: dynamodb:DeleteItem on {SubscribersTable.Arn}']));
    expect(check.wildcards).toEqual(expect.arrayContaining(['subscriptions: dynamodb:Query on {SubscribersTable.Arn}/index/*', 'subscriptions: sqs:* on *']));
    expect(check.broadActions).toEqual(['subscriptions: sqs:* on *']);
  });

  it('maps SDK commands to IAM as AWS authorizes them', () => {
    const requests = (service: 'dynamodb' | 's3' | 'sqs' | 'lambda' | 'sesv2', command: string, input: Record<string, unknown>) =>
      recordsOf({ function: 'x', service, command, input }, {}).map((r) => `${r.action} ${r.resource.type}${r.resource.index ? `/${r.resource.index}` : ''}${r.keys ? ` ${r.keys.join(',')}` : ''}`);
    expect(requests('dynamodb', 'TransactWriteItemsCommand', {
      TransactItems: [
        { Put: { TableName: 't', Item: { pk: 'SUB#a', sk: 'PROFILE' } } },
        { Update: { TableName: 't', Key: { pk: { S: 'COUNTS#SUBSCRIBERS#3' }, sk: { S: 'COUNTS' } } } },
        { Delete: { TableName: 't', Key: { pk: 'SUPPRESS#h' } } },
        { ConditionCheck: { TableName: 't', Key: { pk: 'DONOR#c#h' } } },
      ],
    })).toEqual(['dynamodb:PutItem table SUB#a', 'dynamodb:UpdateItem table COUNTS#SUBSCRIBERS#3', 'dynamodb:DeleteItem table SUPPRESS#h', 'dynamodb:ConditionCheckItem table DONOR#c#h']);
    expect(requests('dynamodb', 'BatchGetItemCommand', { RequestItems: { t: { Keys: [{ pk: 'COUNTS#SUBSCRIBERS#0' }, { pk: 'COUNTS#SUBSCRIBERS#1' }] } } })).toEqual([
      'dynamodb:BatchGetItem table COUNTS#SUBSCRIBERS#0,COUNTS#SUBSCRIBERS#1',
    ]);
    expect(requests('dynamodb', 'QueryCommand', { TableName: 't', IndexName: 'gsi1' })).toEqual(['dynamodb:Query table/gsi1']);
    for (const command of ['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']) {
      expect(requests('s3', command, { Bucket: 'b', Key: 'exports/x.csv' })).toEqual(['s3:PutObject object']);
    }
    expect(requests('s3', 'AbortMultipartUploadCommand', { Bucket: 'b', Key: 'k' })).toEqual(['s3:AbortMultipartUpload object']);
    expect(requests('s3', 'GetObjectCommand', { Bucket: 'b', Key: 'k' })).toEqual(['s3:GetObject object']); // also when presigned
    expect(requests('sqs', 'SendMessageBatchCommand', { QueueUrl: 'q' })).toEqual(['sqs:SendMessage queue']);
    expect(requests('lambda', 'InvokeCommand', { FunctionName: 'f' })).toEqual(['lambda:InvokeFunction function']);
    expect(requests('sesv2', 'SendEmailCommand', { FromEmailAddress: 'A <a@b.org>', ConfigurationSetName: 'c' })).toEqual(['ses:SendEmail sender', 'ses:SendEmail configuration-set']);
    expect(requests('dynamodb', 'DescribeLimitsCommand', {})).toEqual(['unmapped:dynamodb:DescribeLimitsCommand table']);
  });
});
