import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesIn, tearLastWrite } from '../support/crash.js';
import { postJson } from '../support/dev-server.js';
import { type RunningProduct, startProduct } from '../support/process.js';

interface Mail {
  id: string;
  subject: string;
  to: string[];
}

const BURST = 50;
/** The dev server's mail queue hands the mailer at most this many jobs at once (LocalQueue's default batch). */
const BATCH = 10;
/** One client sends the whole burst: lift the per-client limit so that every signup is accepted. */
const ENV = { SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000' };
const CONFIRMATION = 'Please confirm your subscription to GlobalSecurity.org';

const outboxOf = async (url: string) => (await (await fetch(`${url}/_local/outbox`)).json()) as Mail[];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the outbox (for up to 60 s) until `done` holds, and returns it. */
const waitForOutbox = async (url: string, done: (outbox: Mail[]) => boolean) => {
  const deadline = Date.now() + 60_000;
  let outbox = await outboxOf(url);
  while (!done(outbox) && Date.now() < deadline) {
    await pause(200);
    outbox = await outboxOf(url);
  }
  return outbox;
};

describe('npm start, killed (kill -9)', () => {
  // Whatever happens to the test (a failed assertion, a timeout), no product process outlives it.
  const started: RunningProduct[] = [];
  const dataDirs: string[] = [];
  const start = async (dataDir: string) => {
    const product = await startProduct(dataDir, ENV);
    started.push(product);
    return product;
  };
  afterEach(async () => {
    for (const product of started.splice(0)) await product.kill();
    for (const dir of dataDirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it('loses no accepted signup and no sent mail when killed mid-burst: each signup is mailed after a restart', { timeout: 180_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'appeal-crash-'));
    dataDirs.push(dataDir);
    const first = await start(dataDir);
    // A reader who signed up before the burst: the mail is sent (and the mailer warm) when the burst comes.
    expect((await postJson(`${first.url}/v1/subscriptions`, { email: 'earlier@example.org' })).status).toBe(202);
    await waitForOutbox(first.url, (sent) => sent.length > 0);

    // 50 signups, started 20 ms apart and all overlapping (a newsletter plug's burst). The process is killed once
    // half have been answered and confirmations are going out: signups still in flight, mail sent, mail queued.
    const addresses = Array.from({ length: BURST }, (_, i) => `burst-${i}@example.org`);
    const accepted: string[] = [];
    const statuses: number[] = [];
    let outboxAtKill: Mail[] = [];
    let killed: Promise<void> | undefined;
    const burstMail = (outbox: Mail[]) => outbox.filter((m) => m.to.some((to) => addresses.includes(to)));
    const giveUpAt = Date.now() + 60_000; // mail that never flows is a failure below, not a hang
    const watch = (async () => {
      while (!killed) {
        const outbox = await outboxOf(first.url).catch(() => []);
        const due = (burstMail(outbox).length > 0 && statuses.length >= BURST / 2) || Date.now() > giveUpAt;
        if (due && !killed) {
          outboxAtKill = outbox;
          killed = first.kill();
        }
        await pause(10);
      }
    })();
    const burst = await Promise.allSettled(
      addresses.map(async (email, i) => {
        await pause(i * 20);
        const response = await postJson(`${first.url}/v1/subscriptions`, { email });
        statuses.push(response.status);
        if (response.status === 202) accepted.push(email);
      }),
    );
    await watch;
    await killed;
    expect(statuses.every((status) => status === 202)).toBe(true);
    // Requests the kill cut off may or may not have been queued; only the ones answered 202 are promised.
    expect(accepted.length + burst.filter((request) => request.status === 'rejected').length).toBe(BURST);
    // The kill came while confirmations were going out: some were sent, some accepted signups were not mailed yet.
    const mailedAtKill = burstMail(outboxAtKill).length;
    expect(mailedAtKill).toBeGreaterThan(0);
    expect(mailedAtKill).toBeLessThan(accepted.length);

    const second = await start(dataDir);
    try {
      const confirmationsTo = (outbox: Mail[], email: string) =>
        outbox.filter((m) => m.subject === CONFIRMATION && m.to.includes(email)).length;
      const outbox = await waitForOutbox(second.url, (sent) => accepted.every((email) => confirmationsTo(sent, email) > 0));
      // The mail sent before the kill is still in the outbox, once.
      const ids = outbox.map((m) => m.id);
      expect(outboxAtKill.map((m) => m.id).filter((id) => !ids.includes(id))).toEqual([]);
      expect(new Set(ids).size).toBe(ids.length);
      // Every signup that was answered 202 gets its confirmation: those not mailed before the kill are delivered
      // from the mail queue's journal after the restart.
      expect(accepted.filter((email) => confirmationsTo(outbox, email) === 0)).toEqual([]);
      // At least once, not exactly once: a signup's confirmation is not deduplicated by the mail ledger (a
      // redelivered signup job replays its mail, as the mailer does for SQS's redeliveries), so jobs of the batch
      // in flight at the kill, mailed but not yet marked delivered, may be mailed again. Nothing else is.
      const repeated = accepted.filter((email) => confirmationsTo(outbox, email) > 1);
      expect(repeated.length).toBeLessThanOrEqual(BATCH);
    } finally {
      expect(await second.interrupt()).toBe(0);
    }
    expect(second.output()).not.toMatch(/error|failed/i);
  });

  it("starts again after a kill that cut off the Stripe simulator's last write, with the gifts paid before it", { timeout: 180_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'appeal-crash-'));
    dataDirs.push(dataDir);
    const isSimulatorFile = (name: string) => name.startsWith('stripe');
    const gift = async (url: string, amount: number, email: string) => {
      const checkout = (await (await postJson(`${url}/v1/donations/checkout`, { campaign: 'ukraine', amount, currency: 'usd', email })).json()) as { id: string };
      expect((await postJson(`${url}/_local/stripe/checkout/${checkout.id}/complete`, { email })).status).toBe(200);
    };
    const eventsOf = async (url: string) => (await fetch(`${url}/_local/stripe/events`)).json();
    const first = await start(dataDir);
    await gift(first.url, 2500, 'paid-before@example.org');
    const events = await eventsOf(first.url);
    const before = await filesIn(dataDir, isSimulatorFile);
    // The simulator is writing this donor's new session when the process is killed: the write is cut off.
    expect((await postJson(`${first.url}/v1/donations/checkout`, { campaign: 'ukraine', amount: 3000, currency: 'usd', email: 'cut-off@example.org' })).status).toBe(201);
    await first.kill();
    expect(await tearLastWrite(dataDir, before, isSimulatorFile)).not.toEqual([]);

    const second = await start(dataDir);
    try {
      expect(await eventsOf(second.url)).toEqual(events);
      await gift(second.url, 4000, 'paid-after@example.org');
      const campaign = (await (await fetch(`${second.url}/v1/campaigns/ukraine`)).json()) as { raised: number };
      expect(campaign.raised).toBe(2500 + 4000);
    } finally {
      expect(await second.interrupt()).toBe(0);
    }
    expect(second.output()).not.toMatch(/error|failed/i);
  });
});
