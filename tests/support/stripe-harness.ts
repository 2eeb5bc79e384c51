import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { StripeSimulator } from '../../local/stripe-simulator.js';

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
  const receiver = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const event = Stripe.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), String(req.headers['stripe-signature']), webhookSecret);
    res.writeHead(answer(event)).end();
  });
  const receiverUrl = await listen(receiver);
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
