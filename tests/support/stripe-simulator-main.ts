// The Stripe simulator in a process of its own, so that a test can kill it (`kill -9`) as a crash would: no
// handler runs, no shutdown saves anything. Reads its options from the environment; prints one JSON line with its
// API's URL and the URL of its local pages and actions, then runs until killed.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StripeSimulator } from '../../local/stand-ins/stripe/simulator.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

let simulator: StripeSimulator | undefined;
const local = createServer((req, res) => {
  void simulator?.handleLocal(req, res).then((handled) => handled || res.writeHead(404).end());
});
await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
const localUrl = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
simulator = new StripeSimulator({
  secretKey: env('SIM_SECRET_KEY'),
  webhookSecret: env('SIM_WEBHOOK_SECRET'),
  publicUrl: localUrl,
  webhookUrl: env('SIM_WEBHOOK_URL'),
  stateFile: env('SIM_STATE_FILE'),
  webhookRetryDelaysMs: JSON.parse(env('SIM_RETRY_DELAYS_MS')) as number[],
});
const apiUrl = await simulator.start();
console.log(JSON.stringify({ apiUrl, localUrl }));
