// bench/simulator: gifts end to end, as donors on a busy day make them, at a steady rate (10, then 30 a second by
// default) for some seconds, over a Stripe simulator that already holds a history of earlier gifts (SEED_GIFTS, about
// 9.5 KiB of state each: 700 make the 6–7 MiB of a dev server used for a while). Each gift creates a Checkout
// Session, then pays it on the simulator's checkout page, which delivers the signed webhooks before it answers.
// Two targets, each in a process of its own, on loopback only:
//   simulator   the simulator alone (bench/simulator-process.ts): the session made through its API as the `stripe`
//               client makes it, the webhooks to a receiver here that answers 200 at once;
//   dev-server  `npm start` (local/main.ts, in a fresh data folder): the checkout asked of the donations API, the
//               webhooks to the dev server's own endpoint, which records each gift (DynamoDB Local).
// Prints, per target and rate: the checkout's latency (median, p95), the payment's (with the webhook deliveries), how
// many gifts did not finish within TIMEOUT_MS, the gifts counted at the other end, and the simulator's files.
// Bounded: RATE × SECONDS gifts per rate, each given up after TIMEOUT_MS.
// Usage: npm run bench:simulator [-- SECONDS RATES SEED_GIFTS TIMEOUT_MS TARGETS]
//        (default: 10 10,30 700 30000 simulator,dev-server)
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Stripe from 'stripe';
import { checkoutSession, event, payment } from '../local/stand-ins/stripe/objects.js';

const args = process.argv.slice(2);
const SECONDS = Number(args[0] ?? 10);
const RATES = (args[1] ?? '10,30').split(',').map(Number).filter((r) => r > 0);
const SEED_GIFTS = Number(args[2] ?? 700);
const TIMEOUT_MS = Number(args[3] ?? 30_000);
const TARGETS = (args[4] ?? 'simulator,dev-server').split(',');
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CAMPAIGN = 'ukraine';
const SECRET_KEY = 'sk_test_bench';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/**
 * The simulator's state as a dev server used for a while has it: SEED_GIFTS paid one-time gifts, each with its
 * session, checkout set-up, payment intent, charge, two events and the idempotency key of its creation. Written
 * as one JSON document, `stripe.json`, which the simulator takes up at start.
 */
const seedState = (dataDir: string) => {
  const state = {
    sessions: {} as Record<string, Stripe.Checkout.Session>,
    checkouts: {} as Record<string, unknown>,
    paymentIntents: {} as Record<string, Stripe.PaymentIntent>,
    charges: {} as Record<string, Stripe.Charge>,
    events: [] as Stripe.Event[],
    idempotency: {} as Record<string, unknown>,
  };
  for (let i = 0; i < SEED_GIFTS; i++) {
    const metadata = { campaign: CAMPAIGN, lang: 'en', giftId: `seed-${i}` };
    const session = checkoutSession({
      mode: 'payment', currency: 'usd', amount: 2500, metadata, customerEmail: null, adaptivePricing: true, submitType: 'donate',
      successUrl: 'http://localhost/thanks', cancelUrl: 'http://localhost/donate', url: (id) => `http://localhost/_local/stripe/checkout/${id}`,
    });
    const { paymentIntent, charge } = payment({ amount: 2500, currency: 'usd', metadata, succeeded: true, customer: null, email: `seed-${i}@example.org`, name: null });
    Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: paymentIntent.id });
    state.sessions[session.id] = session;
    state.checkouts[session.id] = { productName: 'Donation', unitAmount: 2500, quantity: 1, paymentIntentMetadata: metadata, subscriptionMetadata: {} };
    state.paymentIntents[paymentIntent.id] = paymentIntent;
    state.charges[charge.id] = charge;
    state.events.push(event('payment_intent.succeeded', paymentIntent), event('checkout.session.completed', session));
    state.idempotency[`seed-${i}`] = { status: 200, body: session, request: `POST /v1/checkout/sessions seed-${i}` };
  }
  writeFileSync(join(dataDir, 'stripe.json'), JSON.stringify(state));
};

const simulatorFiles = (dataDir: string) =>
  readdirSync(dataDir)
    .filter((name) => name.startsWith('stripe'))
    .map((name) => `${name} ${(statSync(join(dataDir, name)).size / 1048576).toFixed(1)} MiB`)
    .join(', ');

/** Spawns a process and waits (up to 2 minutes) for the line of its output that `ready` finds something in. */
const startProcess = async <T>(script: string, env: Record<string, string>, ready: (output: string) => T | undefined) => {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const found = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script}: not ready after 120 s:\n${output}`)), 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const value = ready(output);
      if (value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}:\n${output}`)));
  });
  return { child, found };
};

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGINT');
  });

const postJson = (url: string, body: unknown, signal: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body), signal });

/** A target: how a gift asks for its Checkout Session (answering its id), where it pays, what counts gifts. */
interface Target {
  checkout(donor: string, signal: AbortSignal): Promise<string | undefined>;
  payUrl(sessionId: string): string;
  counted(): Promise<number>;
  stop(): Promise<void>;
}

/** The simulator alone; the webhooks go to a receiver here that counts each gift's completed checkout. */
const simulatorTarget = async (dataDir: string): Promise<Target> => {
  let completed = 0;
  const receiver = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if ((JSON.parse(Buffer.concat(chunks).toString()) as { type?: string }).type === 'checkout.session.completed') completed += 1;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const env = { SIM_STATE_FILE: join(dataDir, 'stripe.json'), SIM_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`, SIM_SECRET_KEY: SECRET_KEY };
  const { child, found } = await startProcess('bench/simulator-process.ts', env, (output) => {
    const line = output.split('\n').find((l) => l.startsWith('{'));
    return line ? (JSON.parse(line) as { apiUrl: string; localUrl: string }) : undefined;
  });
  return {
    async checkout(donor, signal) {
      // As the `stripe` client sends it: form-encoded, the secret key as a Bearer token, an idempotency key.
      const body = new URLSearchParams({
        mode: 'payment',
        'line_items[0][quantity]': '1',
        'line_items[0][price_data][currency]': 'usd',
        'line_items[0][price_data][unit_amount]': '1000',
        'line_items[0][price_data][product_data][name]': 'Donation',
        'metadata[campaign]': CAMPAIGN,
        customer_email: donor,
        submit_type: 'donate',
        success_url: 'http://localhost/thanks?session_id={CHECKOUT_SESSION_ID}',
        cancel_url: 'http://localhost/donate',
      });
      const response = await fetch(`${found.apiUrl}/v1/checkout/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': `checkout-${donor}` },
        body,
        signal,
      });
      return ((await response.json()) as { id?: string }).id;
    },
    payUrl: (id) => `${found.localUrl}/_local/stripe/checkout/${id}/complete`,
    counted: async () => completed,
    async stop() {
      await stop(child);
      await new Promise((resolve) => receiver.close(resolve));
    },
  };
};

/** `npm start` in the data folder; the donations API makes the checkout, the campaign counts the gifts. */
const devServerTarget = async (dataDir: string): Promise<Target> => {
  const env = { PORT: String(await freePort()), SITE_PORT: String(await freePort()), APPEAL_DATA_DIR: dataDir, CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000000' };
  const { child, found: url } = await startProcess('local/main.ts', env, (output) => output.match(/API:\s+(\S+?)\/?\s/)?.[1]);
  return {
    async checkout(donor, signal) {
      const response = await postJson(`${url}/v1/donations/checkout`, { campaign: CAMPAIGN, amount: 1000, currency: 'usd', email: donor }, signal);
      return ((await response.json()) as { id?: string }).id;
    },
    payUrl: (id) => `${url}/_local/stripe/checkout/${id}/complete`,
    async counted() {
      const campaign = (await (await fetch(`${url}/v1/campaigns/${CAMPAIGN}`)).json()) as { donations?: number };
      return campaign.donations ?? 0;
    },
    stop: () => stop(child),
  };
};

interface Gift {
  checkoutMs?: number;
  payMs?: number;
  timedOut: boolean;
  failed?: string;
}

/**
 * One gift: its checkout (timed), then its payment with the webhook deliveries (timed), within TIMEOUT_MS. Each
 * donor gives once (the donations API gives the same donor's same gift the same session, as a double click).
 */
const gift = async (target: Target, donor: string): Promise<Gift> => {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const result: Gift = { timedOut: false };
  try {
    let started = performance.now();
    const id = await target.checkout(donor, signal);
    result.checkoutMs = performance.now() - started;
    if (!id) return { ...result, failed: 'checkout refused' };
    started = performance.now();
    const paid = await postJson(target.payUrl(id), { email: donor }, signal);
    await paid.arrayBuffer();
    result.payMs = performance.now() - started;
    return paid.ok ? result : { ...result, failed: `pay ${paid.status}` };
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') return { ...result, timedOut: true };
    return { ...result, failed: (error as Error).message };
  }
};

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN) : Number.NaN;
};
const ms = (value: number) => (Number.isNaN(value) ? '-' : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);

/** Waits (up to 20 s) for the count to reach `expected`, and answers the count it reached. */
const waitForCount = async (target: Target, expected: number) => {
  const deadline = Date.now() + 20_000;
  let count = await target.counted();
  while (count < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    count = await target.counted();
  }
  return count;
};

for (const name of TARGETS) {
  const start = name === 'simulator' ? simulatorTarget : name === 'dev-server' ? devServerTarget : undefined;
  if (!start) throw new Error(`unknown target ${name}: simulator or dev-server`);
  const dataDir = mkdtempSync(join(tmpdir(), 'appeal-bench-simulator-'));
  seedState(dataDir);
  let started = performance.now();
  const target = await start(dataDir);
  console.log(`${name}: up in ${ms(performance.now() - started)} over ${SEED_GIFTS} earlier gifts (${simulatorFiles(dataDir)})`);
  try {
    let counted = await target.counted();
    for (const rate of RATES) {
      const total = rate * SECONDS;
      started = performance.now();
      const gifts = await Promise.all(
        Array.from({ length: total }, async (_, i) => {
          await new Promise((r) => setTimeout(r, (i * 1000) / rate));
          return gift(target, `bench-${name}-${rate}-${i}@example.org`);
        }),
      );
      const elapsed = performance.now() - started;
      const checkouts = gifts.flatMap((g) => (g.checkoutMs === undefined ? [] : [g.checkoutMs]));
      const payments = gifts.flatMap((g) => (g.payMs === undefined ? [] : [g.payMs]));
      const paid = gifts.filter((g) => g.payMs !== undefined && !g.failed).length;
      const failures = gifts.flatMap((g) => (g.failed ? [g.failed] : []));
      const now = await waitForCount(target, counted + total);
      console.log(
        [
          `  ${rate} gifts/s for ${SECONDS} s (${total} gifts, all over in ${ms(elapsed)}):`,
          `    checkout  median ${ms(percentile(checkouts, 50))}  p95 ${ms(percentile(checkouts, 95))}  (${checkouts.length} answered in time)`,
          `    payment   median ${ms(percentile(payments, 50))}  p95 ${ms(percentile(payments, 95))}  (${paid} answered in time, webhooks delivered first)`,
          `    timed out ${gifts.filter((g) => g.timedOut).length} of ${total} (after ${TIMEOUT_MS / 1000} s)${failures.length ? `; failed ${failures.length}: ${[...new Set(failures)].slice(0, 3).join(', ')}` : ''}`,
          `    gifts counted at the webhook's end: ${now - counted} of ${total}`,
          `    on disk: ${simulatorFiles(dataDir)}`,
        ].join('\n'),
      );
      counted = now;
    }
  } finally {
    await target.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
