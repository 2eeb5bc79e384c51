// Starts the Stripe simulator alone in its own process over SIM_STATE_FILE, delivering its webhooks to
// SIM_WEBHOOK_URL, so that bench/simulator.ts measures it from outside (its own event loop, as in the dev server).
// Prints one JSON line with its API's URL and its local pages' URL, then runs until killed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StripeSimulator } from '../local/stand-ins/stripe/simulator.js';

const { SIM_STATE_FILE, SIM_WEBHOOK_URL, SIM_SECRET_KEY } = process.env;
if (!SIM_STATE_FILE || !SIM_WEBHOOK_URL || !SIM_SECRET_KEY) throw new Error('SIM_STATE_FILE, SIM_WEBHOOK_URL and SIM_SECRET_KEY are required');

let simulator: StripeSimulator | undefined;
const local = createServer((req, res) => {
  void simulator?.handleLocal(req, res).then((handled) => handled || res.writeHead(404).end());
});
await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
const localUrl = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
simulator = new StripeSimulator({ secretKey: SIM_SECRET_KEY, webhookSecret: 'whsec_bench', publicUrl: localUrl, webhookUrl: SIM_WEBHOOK_URL, stateFile: SIM_STATE_FILE });
console.log(JSON.stringify({ apiUrl: await simulator.start(), localUrl }));
