import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkIn, postJson } from '../support/dev-server.js';
import { startProduct } from '../support/process.js';

interface Mail {
  id: string;
  subject: string;
  to: string[];
  text: string;
}

const outboxOf = async (url: string) => (await (await fetch(`${url}/_local/outbox`)).json()) as Mail[];

/** Polls the running product's outbox (for up to 10 s) until `done` holds, and returns it. */
const waitForOutbox = async (url: string, done: (outbox: Mail[]) => boolean) => {
  let outbox = await outboxOf(url);
  for (let i = 0; i < 100 && !done(outbox); i++) {
    await new Promise((r) => setTimeout(r, 100));
    outbox = await outboxOf(url);
  }
  return outbox;
};

describe('npm start', () => {
  it('prints the site and outbox, stops cleanly on Ctrl-C, and keeps its data across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'appeal-restart-'));
    try {
      const first = await startProduct(dataDir);
      expect(first.output()).toContain(`Outbox: ${first.url}/_local/outbox`);
      await postJson(`${first.url}/v1/subscriptions`, { email: 'persistent@example.org' });
      const sentTo = (outbox: Mail[]) => outbox.find((m) => m.to.includes('persistent@example.org'));
      const mail = sentTo(await waitForOutbox(first.url, (outbox) => sentTo(outbox) !== undefined));
      const link = linkIn(mail?.text ?? '', '/v1/subscriptions/confirm');
      const checkout = (await (await postJson(`${first.url}/v1/donations/checkout`, { campaign: 'ukraine', amount: 2500, currency: 'usd' })).json()) as { id: string };
      expect(await first.interrupt()).toBe(0);

      const second = await startProduct(dataDir);
      try {
        const outbox = await outboxOf(second.url);
        expect(outbox.map((m) => m.subject)).toContain('Please confirm your subscription to GlobalSecurity.org');
        const { pathname, search } = new URL(link);
        const confirmed = await postJson(`${second.url}${pathname}${search}`, undefined);
        expect(confirmed.status).toBe(200);
        expect(await confirmed.json()).toEqual({ status: 'confirmed' });
        // The Stripe simulator kept its open session, and the campaign its totals.
        const paid = await postJson(`${second.url}/_local/stripe/checkout/${checkout.id}/complete`, {});
        expect(paid.status).toBe(200);
        const campaign = (await (await fetch(`${second.url}/v1/campaigns/ukraine`)).json()) as { raised: number };
        expect(campaign.raised).toBe(2500);
      } finally {
        expect(await second.interrupt()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('stops while mail is being sent without losing or breaking any: the rest goes out after a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'appeal-restart-'));
    try {
      const first = await startProduct(dataDir);
      const addresses = Array.from({ length: 25 }, (_, i) => `queued-${i}@example.org`);
      for (const email of addresses) expect((await postJson(`${first.url}/v1/subscriptions`, { email })).status).toBe(202);
      expect(await first.interrupt()).toBe(0); // the mail queue is still busy: its batch in flight finishes first
      expect(first.output()).not.toMatch(/error|failed/i);

      const second = await startProduct(dataDir);
      try {
        const outbox = await waitForOutbox(second.url, (sent) => sent.length >= addresses.length);
        const received = outbox.flatMap((m) => m.to);
        expect(received.sort()).toEqual(addresses.sort()); // each one once
      } finally {
        expect(await second.interrupt()).toBe(0);
      }
      expect(second.output()).not.toMatch(/error|failed/i);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
