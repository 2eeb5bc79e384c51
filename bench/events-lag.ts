/**
 * `npm run bench:webhooks`: how long a change takes to reach a newsroom's endpoint on the dev server. Readers sign
 * up at 100 a second for about 20 seconds (`--rate`, `--seconds`) and confirm from their confirmation emails; a
 * local receiver verifies every `subscriber.confirmed` with the standardwebhooks library and measures its lag:
 * from the confirmation (the event's `confirmedAt`) to its arrival. Prints p50, p99 and the maximum (the target:
 * p99 under 60 seconds), and whether every confirmation arrived exactly once.
 *
 * Everything runs as `npm start` runs it (the tables' streams read by the poller, the delivery queue journaled),
 * in a fresh data folder with its own DynamoDB Local.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoAdminTokens } from '../functions/adapters/dynamo-admin.js';
import { createAdminToken } from '../functions/core/admin/admin.js';
import { documentClient } from '../functions/platform/clients.js';
import { startDevServer } from '../local/server/dev-server.js';
import { startReceiver } from '../tests/support/webhook-receiver.js';

const { values: args } = parseArgs({ options: { rate: { type: 'string', default: '100' }, seconds: { type: 'string', default: '20' } } });
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const dataDir = await mkdtemp(join(tmpdir(), 'appeal-bench-webhooks-'));
const server = await startDevServer({
  port: 0,
  dataDir,
  env: {
    LOG_LEVEL: 'ERROR',
    SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000000',
    SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000000',
    LINK_CLIENT_LIMIT_PER_MINUTE: '1000000',
  },
});
const receiver = await startReceiver();
try {
  const tokens = new DynamoAdminTokens(documentClient(server.clientOptions), server.tables.subscribers);
  const { token } = await createAdminToken({ tokens, clock: { now: () => new Date() } }, 'bench webhooks');
  const added = await fetch(`${server.url}/v1/admin/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url, events: ['subscriber.confirmed'] }),
  });
  const { secret } = (await added.json()) as { secret: string };
  receiver.setSecrets([secret]);

  const total = Math.round(RATE * SECONDS);
  const confirmed = new Set<string>();
  const confirming = new Set<string>();
  let signupsDone = 0;
  let failures = 0;
  const started = Date.now();
  console.log(`${total} signups at ${RATE}/s, each confirmed from its email; events to ${receiver.url}`);

  // Confirm each reader as their confirmation email arrives (a person clicking at once).
  const confirmer = (async () => {
    while (confirmed.size + failures < total) {
      for (const mail of server.outbox()) {
        const to = mail.to[0] ?? '';
        if (confirming.has(to)) continue;
        const link = /https?:\/\/\S+\/v1\/subscriptions\/confirm\?token=\S+/.exec(mail.text)?.[0];
        if (!link) continue;
        confirming.add(to);
        void fetch(link, { method: 'POST', headers: { accept: 'application/json' } })
          .then((r) => (r.ok ? confirmed.add(to) : failures++))
          .catch(() => failures++);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (Date.now() - started > (SECONDS + 180) * 1000) break;
    }
  })();

  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    void fetch(`${server.url}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: `reader${i}@bench.example.org` }),
    })
      .then((r) => {
        if (r.status !== 202) failures++;
        signupsDone++;
      })
      .catch(() => failures++);
  }
  console.log(`signups sent in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await confirmer;
  const deadline = Date.now() + 120_000;
  while (receiver.received.length < confirmed.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));

  const lags = receiver.received
    .filter((r) => r.verified?.type === 'subscriber.confirmed')
    .map((r) => r.receivedAt - Date.parse(String((r.verified?.data as { confirmedAt?: string } | undefined)?.confirmedAt)))
    .sort((a, b) => a - b);
  const unverified = receiver.received.filter((r) => !r.verified).length;
  const distinct = new Set(receiver.received.map((r) => r.id)).size;
  console.log(`signups answered: ${signupsDone}, confirmed: ${confirmed.size}, failed requests: ${failures}`);
  console.log(`events received: ${receiver.received.length} (${distinct} distinct webhook-ids), unverified: ${unverified}`);
  console.log(`lag from confirmation to the endpoint: p50 ${(percentile(lags, 50) / 1000).toFixed(2)} s, p99 ${(percentile(lags, 99) / 1000).toFixed(2)} s, max ${((lags.at(-1) ?? Number.NaN) / 1000).toFixed(2)} s (target: p99 < 60 s)`);
  if (distinct !== confirmed.size || unverified > 0) process.exitCode = 1;
} finally {
  await receiver.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}
