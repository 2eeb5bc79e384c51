import { randomBytes } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import Stripe from 'stripe';
import * as z from 'zod';
import { DynamoCampaignRepository, DynamoGiftLedger, donationKeys } from '../functions/adapters/dynamo-donations.js';
import { isLiveKey } from '../functions/adapters/stripe-client.js';
import { defaultBounds, saveCampaign } from '../functions/core/donations/campaigns.js';
import { checkoutSession, event as stripeEvent } from '../local/stand-ins/stripe/objects.js';
import { AdminApiError, adminApi } from './api.js';
import type { StackAlarm, StripeSecret } from './smoke-aws.js';
import type { Target } from './target.js';

/** The checks, in the order they are reported. */
export const CHECKS = ['campaign', 'signup', 'webhook', 'export', 'alarms', 'cleanup'] as const;
export type CheckName = (typeof CHECKS)[number];
export type Outcome = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  check: CheckName;
  outcome: Outcome;
  ms: number;
  /** What was seen: on a pass what was proven, on a failure what went wrong, on a skip why it does not apply. */
  detail: string;
  /** On a failure: what to do about it. */
  todo?: string;
}

/** The functions a failure points at, named as the README and the stack name them. */
type FunctionName = 'subscriptions' | 'signup-and-mail' | 'donations' | 'stripe-webhook' | 'admin' | 'export-worker';

/** Where the smoke test runs: a deployed stage or the dev server, and what each offers. */
export interface SmokeEnvironment {
  /** What is tested, for the first line of output. */
  description: string;
  /** Tables and API URL: the throwaway campaign and the admin token are written straight to the tables, as the admin CLI does. */
  target: Target;
  apiUrl: string;
  /** The Stripe secret the webhook function verifies with: where it is kept, and what it holds. */
  stripeSecret: { where: string; read(): Promise<StripeSecret> };
  /** Where a function's logs are, for a failure's "what to do". */
  logs(fn: FunctionName): string;
  /** How to run the admin CLI on this target, for manual clean-up instructions. */
  adminCommand: string;
  /** The dev server only: the emails its SES stand-in took for an address (real SES keeps no such list). */
  outbox?(address: string): Promise<unknown[]>;
  /** A stage: every alarm of its stacks (CloudFormation) with its state in CloudWatch. */
  alarms?(): Promise<StackAlarm[]>;
  /** Where there are no alarms to compare (the dev server has no CloudWatch): why, shown as the check's detail. */
  alarmsNotApplicable?: string;
}

export interface SmokeOptions {
  /** An admin token; without one a temporary token is made and revoked at the end (as the admin CLI does). */
  token?: string | undefined;
  /** How long a signup may take to be mailed (queue → worker → SES). */
  mailWaitMs?: number;
  /** How long an export may run. */
  exportWaitMs?: number;
  /** Per HTTP request. */
  requestTimeoutMs?: number;
}

/** A check that failed: what went wrong (the message) and what to do about it. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
  constructor(
    message: string,
    readonly todo: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const skipped = (reason: string) => ({ skipped: reason });
type CheckOutcome = string | ReturnType<typeof skipped>;

/** The mailbox simulator's success address takes any label: a fresh one per run keeps runs apart (rate limits, mail interval). */
const simulatorAddress = (runId: string) => `success+smoke-${runId}@simulator.amazonses.com`;
const CURRENCY = 'usd';
const AMOUNT = 500;
/** The contract's subscriber CSV header (API.md); columns are only ever added at the end. */
const SUBSCRIBER_CSV_HEADER = 'email,name,status,lists,subscribed_at,confirmed_at,unsubscribed_at,source';

/** What the checks may take in all (then the clean-up, a few requests), so that a run ends within a minute. */
const BUDGET_MS = 45_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Calls `attempt` every `everyMs` until it answers something, or `withinMs` has passed (then undefined). */
const poll = async <T>(withinMs: number, everyMs: number, attempt: () => Promise<T | undefined>): Promise<T | undefined> => {
  const end = Date.now() + withinMs;
  for (;;) {
    const found = await attempt();
    if (found !== undefined) return found;
    if (Date.now() >= end) return undefined;
    await sleep(everyMs);
  }
};

/** Fails after `ms` (the admin client's calls have no timeout of their own). */
const within = async <T>(ms: number, what: string, work: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${seconds(ms)}`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
};

interface Answer {
  status: number;
  json: unknown;
  text: string;
  requestId: string | undefined;
}

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** "500 internal_error: … (request id …)": a status with the contract's error and the id to find it in the logs. */
const described = (answer: Answer) => {
  const error = ErrorBody.safeParse(answer.json);
  const body = error.success ? ` ${error.data.error.code}: ${error.data.error.message}` : answer.text ? ` ${answer.text.slice(0, 120)}` : '';
  return `${answer.status}${body}${answer.requestId ? ` (request id ${answer.requestId})` : ''}`;
};

const AdminSubscriber = z.object({ status: z.string(), subscribedAt: z.string().optional(), lastMailAt: z.string().optional() });
const ExportState = z.object({ id: z.string(), status: z.string(), rows: z.number().optional(), url: z.string().optional() });

type AdminApi = Awaited<ReturnType<typeof adminApi>>;

/** One run: the names of what it makes (unique per run, so runs never meet), what it has made, what it learned. */
class SmokeRun {
  readonly runId = `${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(4).toString('hex')}`;
  readonly campaignId = `smoke-${this.runId}`;
  readonly address = simulatorAddress(this.runId);
  readonly paymentIntent = `pi_smoke_${this.runId.replace(/-/g, '_')}`;
  readonly started = new Date();
  /** The checks share one budget, so that a run with every wait used up still ends within a minute. */
  private readonly deadline = Date.now() + BUDGET_MS;
  readonly made = { campaign: false, gift: false, subscriber: false };
  /** The signup's subscribedAt once the worker stored it: the export asks for exactly that instant. */
  subscribedAt: string | undefined;
  /** Set when the signup's job was never seen to send (it may still be retried after clean-up). */
  signupUnsent = false;
  private admin: Promise<AdminApi> | undefined;

  constructor(
    readonly env: SmokeEnvironment,
    readonly options: Required<Omit<SmokeOptions, 'token'>> & Pick<SmokeOptions, 'token'>,
  ) {}

  /** `ms`, or what is left of the budget when that is less. */
  wait(ms: number) {
    return Math.max(0, Math.min(ms, this.deadline - Date.now()));
  }

  /** The admin API, with a token minted on first use (the checks that do not need one do not mint one). */
  adminApi(): Promise<AdminApi> {
    this.admin ??= adminApi(this.env.target, this.options.token).catch((error: unknown) => {
      throw new CheckFailure(
        `could not get an admin token: ${messageOf(error)}`,
        this.options.token
          ? 'the token given is refused: make one with `npm run admin -- token create --name NAME`'
          : `your AWS credentials must be able to write the subscribers table (${this.env.target.tables.subscribers}) to mint a temporary token; or pass --token`,
        { cause: error },
      );
    });
    return this.admin;
  }

  /** Revokes the temporary token, if one was made; answers whether one was. */
  async closeAdminApi(): Promise<boolean> {
    const api = await this.admin?.catch(() => undefined);
    await api?.close();
    return api !== undefined;
  }

  async request(method: string, path: string, init: { body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
    const url = `${this.env.apiUrl}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json', 'user-agent': 'appeal-smoke', ...init.headers },
        body: init.body,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      throw new CheckFailure(
        `no answer from ${method} ${url} (${messageOf(error)}${cause})`,
        'check the API URL (the API stack\'s PublicApiUrl output, or the dev server\'s address) and that the stage is deployed; a custom domain needs its DNS record',
        { cause: error },
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text, requestId: response.headers.get('x-request-id') ?? response.headers.get('apigw-requestid') ?? undefined };
  }

  /** The failure for an answer that is not what the contract says, pointing at the function behind the route. */
  unexpected(what: string, answer: Answer, fn: FunctionName, expected: string): CheckFailure {
    const todo =
      answer.status >= 500
        ? `the ${fn} function failed: look at ${this.env.logs(fn)} for the request id (a missing permission or a wrong resource name shows there)`
        : answer.status === 429
          ? 'throttled: wait a minute and run again (API Gateway\'s route limits or the function\'s per-client limits)'
          : answer.status === 403 || answer.status === 404
            ? 'the route is not deployed at this URL: check the API URL and that the API stack deployed completely'
            : `the ${fn} function answered against the contract (API.md): look at ${this.env.logs(fn)}`;
    return new CheckFailure(`${what} answered ${described(answer)}, expected ${expected}`, todo);
  }
}

// ---- the checks -----------------------------------------------------------------------------------------------

/** (1) The campaign route answers: a throwaway campaign (closed: it takes no gifts) is made, then read through the API. */
const checkCampaign = async (run: SmokeRun): Promise<CheckOutcome> => {
  const { target } = run.env;
  const bounds = defaultBounds(CURRENCY);
  try {
    run.made.campaign = true; // before the write: a write that fails half-way is cleaned up too
    await saveCampaign(
      { campaigns: new DynamoCampaignRepository(target.dynamo, target.tables.donations, 1), clock: { now: () => new Date() }, settings: { currencies: [CURRENCY] } },
      { id: run.campaignId, title: 'Smoke test (removed when done)', goal: 100_000, currency: CURRENCY, open: false, suggestedAmounts: [AMOUNT], ...bounds },
    );
  } catch (error) {
    throw new CheckFailure(
      `could not create the throwaway campaign in ${target.tables.donations}: ${messageOf(error)}`,
      'your AWS credentials must be able to read and write the donations table (the admin CLI writes campaigns directly)',
      { cause: error },
    );
  }
  const answer = await run.request('GET', `/v1/campaigns/${run.campaignId}`);
  if (answer.status !== 200) throw run.unexpected(`GET /v1/campaigns/${run.campaignId}`, answer, 'donations', '200 with the campaign');
  const body = z.object({ id: z.string(), currency: z.string(), raised: z.number() }).safeParse(answer.json);
  if (!body.success || body.data.id !== run.campaignId || body.data.currency !== CURRENCY) {
    throw new CheckFailure(
      `GET /v1/campaigns/${run.campaignId} answered 200 with another body: ${answer.text.slice(0, 200)}`,
      `the donations function reads another table than the stack's output names: look at its DONATIONS_TABLE_NAME and at ${run.env.logs('donations')}`,
    );
  }
  return `GET /v1/campaigns/${run.campaignId} answered 200 with the throwaway campaign`;
};

/**
 * (2) A signup to SES's mailbox simulator is accepted and mailed. "Mailed" is read from the subscriber record
 * (the admin API's access request): the worker sets `lastMailAt` only once SES has accepted the confirmation.
 * The dev server's outbox must also hold it.
 */
const checkSignup = async (run: SmokeRun): Promise<CheckOutcome> => {
  const signedUpAt = Date.now();
  const answer = await run.request('POST', '/v1/subscriptions', {
    body: JSON.stringify({ email: run.address }),
    headers: { 'content-type': 'application/json' },
  });
  if (answer.status !== 202) throw run.unexpected('POST /v1/subscriptions', answer, 'subscriptions', '202');
  run.made.subscriber = true;
  const api = await run.adminApi();
  const path = `/v1/admin/subscribers/${encodeURIComponent(run.address)}`;
  let stored: z.infer<typeof AdminSubscriber> | undefined;
  const waitMs = run.wait(run.options.mailWaitMs);
  const mailed = await poll(waitMs, 500, async () => {
    try {
      stored = AdminSubscriber.parse(await within(run.options.requestTimeoutMs, `GET ${path}`, api.call('GET', path)));
    } catch (error) {
      if (error instanceof AdminApiError && error.status === 404) return undefined; // the worker has not applied the job yet
      throw new CheckFailure(`GET ${path} failed: ${messageOf(error)}`, `look at ${run.env.logs('admin')}`, { cause: error });
    }
    run.subscribedAt = stored.subscribedAt;
    return stored.lastMailAt ? stored.lastMailAt : undefined;
  });
  const waited = seconds(waitMs);
  if (!mailed && !stored) {
    run.signupUnsent = true;
    throw new CheckFailure(
      `the signup was accepted (202) but its job was not applied within ${waited}: no subscriber record`,
      `the queue → signup-and-mail function path is broken: look at ${run.env.logs('signup-and-mail')}, the queue's dead-letter queue and the function's SQS trigger`,
    );
  }
  if (!mailed) {
    run.signupUnsent = true;
    throw new CheckFailure(
      `the signup was stored (${stored?.status}) but SES did not accept its confirmation within ${waited}`,
      `look at ${run.env.logs('signup-and-mail')} (the send is retried, then parked in the dead-letter queue); on a new stage the sender domain must be verified first: publish the DKIM records the data stack outputs (the mailbox simulator works in the SES sandbox)`,
    );
  }
  if (run.env.outbox) {
    const emails = await run.env.outbox(run.address);
    if (emails.length === 0) {
      throw new CheckFailure(`the record says mailed at ${mailed}, but the outbox has no email to ${run.address}`, 'the dev server\'s SES stand-in lost it: look at its output');
    }
  }
  return `202, then SES accepted the confirmation to ${run.address} ${seconds(Math.max(0, Date.parse(mailed) - signedUpAt))} after the signup${run.env.outbox ? ' (it is in the outbox)' : ''}`;
};

/** A test-mode `checkout.session.completed` for the throwaway campaign: paid, no donor address (so no receipt). */
const completedCheckout = (run: SmokeRun) => {
  const session = checkoutSession({
    mode: 'payment',
    currency: CURRENCY,
    amount: AMOUNT,
    metadata: { campaign: run.campaignId, frequency: 'once', subscribe: 'false' },
    customerEmail: null,
    submitType: 'donate',
    successUrl: `${run.env.apiUrl}/v1/donate/thanks`,
    cancelUrl: `${run.env.apiUrl}/v1/donate/thanks`,
    url: () => '',
    adaptivePricing: false,
  });
  return stripeEvent('checkout.session.completed', { ...session, status: 'complete', payment_status: 'paid', payment_intent: run.paymentIntent, url: null });
};

/**
 * (3) The webhook refuses an unsigned event (400) and takes a test-mode event signed with the stage's webhook
 * secret (200). With a test key the gift is then in the ledger and counted in the campaign; with a live key a
 * test-mode event is acknowledged and recorded nowhere, by design.
 */
const checkWebhook = async (run: SmokeRun): Promise<CheckOutcome> => {
  if (!run.made.campaign) throw new CheckFailure('not run: it needs the throwaway campaign (see campaign)', 'fix the campaign check first');
  const where = run.env.stripeSecret.where;
  let secret: StripeSecret;
  try {
    secret = await run.env.stripeSecret.read();
  } catch (error) {
    throw new CheckFailure(`could not read the Stripe secret (${where}): ${messageOf(error)}`, 'your AWS credentials need secretsmanager:GetSecretValue on it', { cause: error });
  }
  const { secretKey, webhookSecret } = secret;
  if (!secretKey || !webhookSecret) {
    throw new CheckFailure(
      `the Stripe secret (${where}) has no ${!secretKey ? 'secretKey' : 'webhookSecret'}: still the placeholder of the first deploy?`,
      'put the keys in it: aws secretsmanager put-secret-value --secret-id <StripeSecretArn> --secret-string \'{"secretKey":"sk_…","webhookSecret":"whsec_…"}\' (README, Deploying), then redeploy',
    );
  }
  const payload = JSON.stringify(completedCheckout(run));
  const headers = { 'content-type': 'application/json; charset=utf-8' };

  const unsigned = await run.request('POST', '/v1/stripe/webhook', { body: payload, headers });
  if (unsigned.status === 200) {
    run.made.gift = true;
    throw new CheckFailure('an unsigned event was accepted (200): the webhook does not check signatures', `stop taking payments until fixed: look at ${run.env.logs('stripe-webhook')}`);
  }
  if (unsigned.status !== 400) throw run.unexpected('an unsigned event', unsigned, 'stripe-webhook', '400');

  run.made.gift = true; // before sending: a delivery that fails half-way may still have written
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
  const signed = await run.request('POST', '/v1/stripe/webhook', { body: payload, headers: { ...headers, 'stripe-signature': signature } });
  if (signed.status === 400) {
    throw new CheckFailure(
      `a test-mode event signed with the webhookSecret in ${where} was refused: ${described(signed)}`,
      'the webhook function verifies with another secret: put this endpoint\'s signing secret (Stripe dashboard → Webhooks → the endpoint → Signing secret) in the secret\'s webhookSecret; functions read the secret at a cold start, so redeploy after changing it',
    );
  }
  if (signed.status !== 200) throw run.unexpected('a signed test-mode event', signed, 'stripe-webhook', '200');

  const { target } = run.env;
  const gift = await new DynamoGiftLedger(target.dynamo, target.tables.donations).get(run.paymentIntent);
  if (isLiveKey(secretKey)) {
    if (gift) throw new CheckFailure('a test-mode event was recorded as a gift on a live stage', `look at ${run.env.logs('stripe-webhook')}: events of the other mode must be ignored`);
    return 'refused unsigned (400); a signed test-mode event was acknowledged (200) and, as the stage\'s key is live, recorded nowhere';
  }
  const campaign = await new DynamoCampaignRepository(target.dynamo, target.tables.donations).get(run.campaignId);
  if (gift?.status !== 'paid' || campaign?.raised !== AMOUNT) {
    throw new CheckFailure(
      `the signed event was acknowledged (200) but ${gift ? `the gift is ${gift.status}` : 'no gift was recorded'} and the campaign has raised ${campaign?.raised ?? 'nothing'}`,
      `look at ${run.env.logs('stripe-webhook')}`,
    );
  }
  return `refused unsigned (400); took a signed test-mode event (200): gift ${run.paymentIntent} paid and counted in the campaign`;
};

/** Reads a CSV download: byte-order mark, the contract's header, data lines. */
const readCsv = (bytes: Buffer) => {
  // From the bytes: Response.text() decodes as the Encoding standard says, dropping a byte-order mark.
  const hasBom = bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]));
  const lines = bytes.subarray(hasBom ? 3 : 0).toString('utf8').split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  return { hasBom, header: lines[0] ?? '', rows: lines.slice(1) };
};

/**
 * (4) The export path: start a subscribers export narrowed to the instant of the smoke signup (so no reader's row
 * is read), poll it, download the CSV from its presigned link, check the contract's header and the signup's row.
 */
const checkExport = async (run: SmokeRun): Promise<CheckOutcome> => {
  const api = await run.adminApi();
  const instant = run.subscribedAt ?? run.started.toISOString();
  const exportOnce = async () => {
    const started = ExportState.parse(
      await within(run.options.requestTimeoutMs, 'POST /v1/admin/exports', api.call('POST', '/v1/admin/exports', { kind: 'subscribers', status: 'pending', since: instant, until: instant })),
    );
    const path = `/v1/admin/exports/${started.id}`;
    const waitMs = run.wait(run.options.exportWaitMs);
    const done = await poll(waitMs, 500, async () => {
      const state = ExportState.parse(await within(run.options.requestTimeoutMs, `GET ${path}`, api.call('GET', path)));
      return state.status === 'running' ? undefined : state;
    });
    if (!done) {
      throw new CheckFailure(`export ${started.id} still running after ${seconds(waitMs)}`, `look at ${run.env.logs('export-worker')} and its on-failure destination`);
    }
    if (done.status !== 'done' || !done.url) {
      throw new CheckFailure(`export ${started.id} ${done.status}`, `look at ${run.env.logs('export-worker')} (the worker must be able to query the table and write the export bucket)`);
    }
    let download: Response;
    try {
      download = await fetch(done.url, { signal: AbortSignal.timeout(run.options.requestTimeoutMs) });
    } catch (error) {
      throw new CheckFailure(`the export's download link did not answer: ${messageOf(error)}`, 'the presigned link must reach the export bucket from here', { cause: error });
    }
    if (!download.ok) {
      throw new CheckFailure(`the export's download link answered ${download.status}`, `the admin function signs links it may not read: look at its permissions on the export bucket and at ${run.env.logs('admin')}`);
    }
    return { id: started.id, rows: done.rows ?? 0, csv: readCsv(Buffer.from(await download.arrayBuffer())) };
  };
  let result = await exportOnce();
  const ours = (rows: string[]) => rows.some((row) => row.startsWith(`${run.address},`));
  // The export reads an index, which may trail the table by a moment: one more try before calling the row missing.
  if (run.subscribedAt && !ours(result.csv.rows) && run.wait(5000) === 5000) result = await exportOnce();
  const { csv } = result;
  if (!(csv.header === SUBSCRIBER_CSV_HEADER || csv.header.startsWith(`${SUBSCRIBER_CSV_HEADER},`))) {
    throw new CheckFailure(
      `export ${result.id}'s CSV does not start with the contract's header (${SUBSCRIBER_CSV_HEADER}); it starts: ${JSON.stringify(csv.header.slice(0, 120))}`,
      'a deployed export worker writes another format than API.md: deploy the current code',
    );
  }
  if (run.subscribedAt && !ours(csv.rows)) {
    throw new CheckFailure(`export ${result.id} has ${csv.rows.length} rows but not the smoke signup's`, `look at ${run.env.logs('export-worker')}`);
  }
  const rows = `${result.rows} row${result.rows === 1 ? '' : 's'}${run.subscribedAt ? ' (the smoke signup)' : ''}`;
  // API.md asks for a byte-order mark, which the exports do not write yet: reported, not failed, until they do.
  const bom = csv.hasBom ? 'byte-order mark' : 'no byte-order mark (API.md asks for one)';
  return `export ${result.id} done, CSV downloaded from its link: the contract's header, ${rows}; ${bom}`;
};

/** (5) Every alarm of the stacks (CloudFormation) exists in CloudWatch. */
const checkAlarms = async (run: SmokeRun): Promise<CheckOutcome> => {
  if (!run.env.alarms) return skipped(run.env.alarmsNotApplicable ?? 'not applicable here');
  let alarms: StackAlarm[];
  try {
    alarms = await run.env.alarms();
  } catch (error) {
    throw new CheckFailure(
      `could not compare the alarms: ${messageOf(error)}`,
      'your AWS credentials need cloudformation:ListStackResources and cloudwatch:DescribeAlarms',
      { cause: error },
    );
  }
  if (alarms.length === 0) throw new CheckFailure('the stacks declare no alarms', 'deploy the current code: the API stack declares its alarms');
  const missing = alarms.filter((alarm) => alarm.state === undefined);
  if (missing.length > 0) {
    throw new CheckFailure(
      `${missing.length} of ${alarms.length} alarms are not in CloudWatch: ${missing.map((a) => `${a.logicalId} (${a.name ?? 'no name'}, ${a.resourceStatus})`).join(', ')}`,
      'an alarm deleted by hand is not noticed by CloudFormation: rename or remove its resource in one deploy and restore it in the next, or import it; a failed deploy: read the stack\'s events and deploy again',
    );
  }
  const byState = new Map<string, string[]>();
  for (const alarm of alarms) byState.set(alarm.state ?? '?', [...(byState.get(alarm.state ?? '?') ?? []), alarm.logicalId]);
  const states = [...byState].map(([state, names]) => `${names.length} ${state}`).join(', ');
  const firing = byState.get('ALARM');
  return `all ${alarms.length} alarms of the stacks are in CloudWatch (${states})${firing ? `; in ALARM now: ${firing.join(', ')}: see what each one says` : ''}`;
};

/** Removes what the run made: the gift (and its donor marker), the campaign (and its totals), the signup, the token. */
const cleanUp = async (run: SmokeRun): Promise<CheckOutcome> => {
  const { target } = run.env;
  const removed: string[] = [];
  const left: string[] = [];
  const notes: string[] = [];
  const deleteItems = async (what: string, keys: Record<string, string>[]) => {
    try {
      for (const key of keys) await target.dynamo.send(new DeleteCommand({ TableName: target.tables.donations, Key: key }));
      removed.push(what);
    } catch (error) {
      const commands = keys.map((key) => `aws dynamodb delete-item --table-name ${target.tables.donations} --key '${JSON.stringify({ pk: { S: key.pk }, sk: { S: key.sk } })}'`);
      left.push(`${what} (${messageOf(error)}): ${commands.join(' && ')}`);
    }
  };
  if (run.made.gift) {
    // A gift without a donor address is counted as a donor under `payment:<payment intent>` (core/donations/gifts.ts).
    await deleteItems(`gift ${run.paymentIntent}`, [donationKeys.gift(run.paymentIntent), donationKeys.donor(run.campaignId, `payment:${run.paymentIntent}`)]);
  }
  if (run.made.campaign) {
    const settings = await new DynamoCampaignRepository(target.dynamo, target.tables.donations).getSettings(run.campaignId).catch(() => undefined);
    const shards = Array.from({ length: settings?.shards ?? 1 }, (_, shard) => donationKeys.totals(run.campaignId, shard));
    await deleteItems(`campaign ${run.campaignId}`, [...shards, donationKeys.campaign(run.campaignId)]);
  }
  if (run.made.subscriber) {
    try {
      const api = await run.adminApi();
      await within(run.options.requestTimeoutMs, 'DELETE subscriber', api.call('DELETE', `/v1/admin/subscribers/${encodeURIComponent(run.address)}`));
      removed.push(`signup ${run.address}`);
      // A job that never sent is still retried by the queue, and would sign the address up again.
      if (run.signupUnsent) notes.push(`its signup job is still retried and may sign it up again: later, ${run.env.adminCommand} subscriber erase ${run.address}`);
    } catch (error) {
      left.push(`signup ${run.address} (${messageOf(error)}): ${run.env.adminCommand} subscriber erase ${run.address}`);
    }
  }
  if (!run.options.token) {
    try {
      if (await run.closeAdminApi()) removed.push('temporary admin token');
    } catch (error) {
      left.push(`temporary admin token (${messageOf(error)}): ${run.env.adminCommand} token revoke "admin-cli temporary ${process.pid}"`);
    }
  }
  if (left.length > 0) throw new CheckFailure(`left behind: ${left.join('; ')}`, 'remove what is left with the commands given');
  return `${removed.length ? `removed ${removed.join(', ')}` : 'nothing to remove'}${notes.map((note) => `; ${note}`).join('')}`;
};

// ---- the run ---------------------------------------------------------------------------------------------------

const DEFAULTS = { mailWaitMs: 20_000, exportWaitMs: 20_000, requestTimeoutMs: 10_000 };

/**
 * Runs every check against the environment, three lanes at once (signup then export; campaign then webhook;
 * alarms), then cleans up whatever happened. Never throws: each check answers pass, fail (with what to do) or skip.
 */
export const runSmoke = async (env: SmokeEnvironment, options: SmokeOptions = {}): Promise<CheckResult[]> => {
  const run = new SmokeRun(env, {
    mailWaitMs: options.mailWaitMs ?? DEFAULTS.mailWaitMs,
    exportWaitMs: options.exportWaitMs ?? DEFAULTS.exportWaitMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    token: options.token,
  });
  const results = new Map<CheckName, CheckResult>();
  const timed = async (check: CheckName, work: (run: SmokeRun) => Promise<CheckOutcome>) => {
    const start = performance.now();
    const ms = () => Math.round(performance.now() - start);
    try {
      const outcome = await work(run);
      results.set(check, typeof outcome === 'string' ? { check, outcome: 'pass', ms: ms(), detail: outcome } : { check, outcome: 'skip', ms: ms(), detail: outcome.skipped });
    } catch (error) {
      const todo = error instanceof CheckFailure ? error.todo : 'an unexpected error: run again; if it repeats, report it with this output';
      results.set(check, { check, outcome: 'fail', ms: ms(), detail: messageOf(error), todo });
    }
  };
  await Promise.all([
    (async () => {
      await timed('signup', checkSignup);
      await timed('export', checkExport);
    })(),
    (async () => {
      await timed('campaign', checkCampaign);
      await timed('webhook', checkWebhook);
    })(),
    timed('alarms', checkAlarms),
  ]);
  await timed('cleanup', cleanUp);
  return CHECKS.map((check) => results.get(check) as CheckResult);
};

const LABEL: Record<Outcome, string> = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' };

/** One line per check (pass/fail/skip, name, time, what was seen), and on a failure a line saying what to do. */
export const formatResults = (results: CheckResult[]): string[] =>
  results.flatMap((r) => {
    const line = `${LABEL[r.outcome]}  ${r.check.padEnd(8)} ${seconds(r.ms).padStart(6)}  ${r.detail}`;
    return r.todo && r.outcome === 'fail' ? [line, `${' '.repeat(24)}what to do: ${r.todo}`] : [line];
  });

/** The last line: the verdict. */
export const summarize = (results: CheckResult[], ms: number) => {
  const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
  const failed = count('fail');
  const parts = [`${count('pass')} passed`, ...(failed ? [`${failed} failed`] : []), ...(count('skip') ? [`${count('skip')} not applicable`] : [])];
  return `${failed ? 'smoke test FAILED' : 'smoke test passed'}: ${parts.join(', ')} in ${seconds(ms)}`;
};
