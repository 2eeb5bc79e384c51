import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { StripeSimulator } from '../../local/stand-ins/stripe/simulator.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/**
 * A webhook endpoint that verifies every signature with the webhook secret (a badly signed event throws and fails
 * the test) and answers each event with the status `answer` gives.
 */
export const startWebhookReceiver = async (webhookSecret: string, answer: (event: Stripe.Event) => number) => {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const event = Stripe.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), String(req.headers['stripe-signature']), webhookSecret);
    res.writeHead(answer(event)).end();
  });
  return { server, url: await listen(server) };
};

export interface SimulatorHarness {
  simulator: StripeSimulator;
  /** Stripe's own client, pointed at the simulator's API. */
  stripe: Stripe;
  /** The simulator's local pages and actions (`/_local/stripe/...`). */
  localUrl: string;
  close(): Promise<void>;
}

/**
 * The Stripe simulator on its own, as the product sees it: its API behind the `stripe` client, its local pages and
 * actions on a server of their own, and its webhooks at a receiver that verifies every signature with the webhook
 * secret (a badly signed event throws and fails the test) and answers each event with the status `answer` gives.
 */
export const startSimulatorHarness = async (
  name: string,
  answer: (event: Stripe.Event) => number,
): Promise<SimulatorHarness> => {
  const secretKey = `sk_test_${name}`;
  const webhookSecret = `whsec_${name}`;
  const dir = await mkdtemp(join(tmpdir(), `appeal-stripe-${name}-`));
  const { server: receiver, url: receiverUrl } = await startWebhookReceiver(webhookSecret, answer);
  let simulator: StripeSimulator | undefined;
  const local = createServer((req, res) => {
    void simulator?.handleLocal(req, res).then((handled) => handled || res.writeHead(404).end());
  });
  const localUrl = await listen(local);
  simulator = new StripeSimulator({ secretKey, webhookSecret, publicUrl: localUrl, webhookUrl: `${receiverUrl}/webhook`, stateFile: join(dir, 'stripe.json') });
  const api = new URL(await simulator.start());
  const stripe = new Stripe(secretKey, { host: api.hostname, port: api.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  const running = simulator;
  return {
    simulator: running,
    stripe,
    localUrl,
    async close() {
      await running.close();
      await Promise.all([receiver, local].map((s) => new Promise((resolve) => s.close(resolve))));
      await rm(dir, { recursive: true, force: true });
    },
  };
};

export interface SimulatorProcess {
  /** Stripe's own client, pointed at the simulator's API. */
  stripe: Stripe;
  /** The simulator's local pages and actions (`/_local/stripe/...`). */
  localUrl: string;
  /** `kill -9`, as a crash would: no handler runs. Resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * The Stripe simulator in a process of its own (tests/support/stripe-simulator-main.ts) over `stateFile`, delivering
 * its webhooks to `webhookUrl`, so that a test can crash it and start another over the same files.
 */
export const startSimulatorProcess = async (options: {
  name: string;
  stateFile: string;
  webhookUrl: string;
  retryDelaysMs: readonly number[];
}): Promise<SimulatorProcess> => {
  const secretKey = `sk_test_${options.name}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/stripe-simulator-main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      SIM_SECRET_KEY: secretKey,
      SIM_WEBHOOK_SECRET: `whsec_${options.name}`,
      SIM_WEBHOOK_URL: options.webhookUrl,
      SIM_STATE_FILE: options.stateFile,
      SIM_RETRY_DELAYS_MS: JSON.stringify(options.retryDelaysMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the simulator exited (${code}) before it started:\n${output.slice(-2000)}`)));
  });
  const { apiUrl, localUrl } = JSON.parse(line) as { apiUrl: string; localUrl: string };
  const api = new URL(apiUrl);
  return {
    stripe: new Stripe(secretKey, { host: api.hostname, port: api.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false }),
    localUrl,
    kill: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
};
