import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { event, payment } from '../../../../../local/stand-ins/stripe/objects.js';
import { journalOf, StripeStore } from '../../../../../local/stand-ins/stripe/state.js';
import { WebhookSender } from '../../../../../local/stand-ins/stripe/webhooks.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'appeal-stripe-store-'));
  file = join(dir, 'stripe.json');
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A paid payment's objects and its event, committed as one action. */
const paidAction = (store: StripeStore) => {
  const paid = payment({ amount: 1000, currency: 'usd', metadata: {}, succeeded: true, customer: null, email: 'donor@example.org', name: null });
  store.keep(paid.paymentIntent, paid.charge);
  store.addEvent(event('payment_intent.succeeded', paid.paymentIntent));
  store.commit();
  return paid;
};

describe('the Stripe simulator’s store', () => {
  it('journals each action as one line, without rewriting the snapshot', () => {
    const store = new StripeStore(file);
    paidAction(store);
    const { charge } = paidAction(store);
    charge.amount_refunded = 400;
    store.keep(charge);
    store.commit();

    expect(existsSync(file)).toBe(false);
    expect(readFileSync(journalOf(file), 'utf8').trimEnd().split('\n')).toHaveLength(3);
    // What a crash leaves is what the store held.
    expect(new StripeStore(file).state).toEqual(store.state);
  });

  it('drops a last line cut off by a crash (its action never answered), keeps the rest, and appends after it cleanly', () => {
    const store = new StripeStore(file);
    const kept = paidAction(store);
    const journal = journalOf(file);
    const whole = readFileSync(journal, 'utf8');
    const lost = paidAction(store);
    const cut = readFileSync(journal, 'utf8');
    writeFileSync(journal, cut.slice(0, whole.length + Math.floor((cut.length - whole.length) / 2)));

    const after = new StripeStore(file);
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('skipped 1 incomplete line'));
    expect(Object.keys(after.state.paymentIntents)).toEqual([kept.paymentIntent.id]);
    expect(after.state.events.map((e) => e.type)).toEqual(['payment_intent.succeeded']);
    expect(after.state.charges[lost.charge.id]).toBeUndefined();
    const next = paidAction(after);
    expect(Object.keys(new StripeStore(file).state.paymentIntents).sort()).toEqual([kept.paymentIntent.id, next.paymentIntent.id].sort());
  });

  it('folds the journal into the snapshot at start, and a journal left behind by a crash during that adds nothing twice', () => {
    const first = new StripeStore(file);
    const { charge } = paidAction(first);
    charge.amount_refunded = 100;
    first.keep(charge);
    first.commit();
    first.put('deliveries', 'evt_1', { attempts: 1, dueAt: 1 });
    first.commit();
    first.delete('deliveries', 'evt_1');
    first.commit();
    const journal = readFileSync(journalOf(file), 'utf8');

    const second = new StripeStore(file);
    expect(statSync(journalOf(file)).size).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(second.state);
    // A crash after the new snapshot was in place, before the journal was emptied: both are read again.
    writeFileSync(journalOf(file), journal);
    const third = new StripeStore(file);
    expect(third.state).toEqual(first.state);
    expect(third.state.events).toHaveLength(1);
    expect(third.state.deliveries).toEqual({});
  });

  it('folds the journal into the snapshot while running once it has outgrown it', () => {
    const store = new StripeStore(file);
    const big = 'x'.repeat(200_000);
    for (let i = 0; i < 100; i++) {
      store.put('idempotency', `key-${i}`, { status: 200, body: { big, i } });
      store.commit();
    }
    expect(statSync(journalOf(file)).size).toBeLessThan(statSync(file).size);
    expect(Object.keys(new StripeStore(file).state.idempotency)).toHaveLength(100);
  });

  it('keeps an idempotency key such as __proto__ as a key of its own', () => {
    const store = new StripeStore(file);
    store.put('idempotency', '__proto__', { status: 200, body: { id: 'cs_1' } });
    store.commit();
    const after = new StripeStore(file).state.idempotency;
    expect(Object.hasOwn(after, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(after)).toBe(Object.prototype);
  });

  it('moves aside a state file that an earlier version left cut off, and starts empty', () => {
    writeFileSync(file, '{"sessions":{"cs_1":{"id":"cs_1","object":"checkout.sess');
    const store = new StripeStore(file);
    expect(store.state.sessions).toEqual({});
    const aside = readdirSync(dir).filter((name) => name.startsWith('stripe.json.damaged-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] ?? ''), 'utf8')).toContain('cs_1');
    expect(console.warn).toHaveBeenCalledWith(expect.stringContaining('cut off'));
  });

  it('takes up the state file of an earlier version, giving it the collections it lacked', () => {
    const store = new StripeStore(file);
    const { paymentIntent } = paidAction(store);
    const legacy = { ...new StripeStore(file).state } as Record<string, unknown>;
    delete legacy.deliveries;
    delete legacy.portalSessions;
    writeFileSync(file, JSON.stringify(legacy));
    rmSync(journalOf(file));
    const upgraded = new StripeStore(file);
    expect(Object.keys(upgraded.state.paymentIntents)).toEqual([paymentIntent.id]);
    expect(upgraded.state.deliveries).toEqual({});
    expect(upgraded.state.portalSessions).toEqual({});
  });
});

describe('the Stripe simulator’s webhook deliveries', () => {
  it('takes up the deliveries an earlier run left, except those of events older than three days (Stripe has given up on them)', () => {
    const earlier = new StripeStore(file);
    const { paymentIntent } = payment({ amount: 1000, currency: 'usd', metadata: {}, succeeded: true, customer: null, email: 'donor@example.org', name: null });
    const recent = event('payment_intent.succeeded', paymentIntent);
    const old = { ...event('payment_intent.succeeded', paymentIntent), created: Math.floor(Date.now() / 1000) - 3 * 86_400 - 60 };
    for (const e of [recent, old]) {
      earlier.addEvent(e);
      earlier.put('deliveries', e.id, { attempts: 2, dueAt: Date.now() + 60_000 });
    }
    earlier.commit();

    const store = new StripeStore(file);
    // Nothing listens there (loopback): no attempt can succeed while the test looks.
    const sender = new WebhookSender(store, { url: 'http://127.0.0.1:9/webhook', secret: 'whsec_test' });
    try {
      sender.resume();
      expect(Object.keys(store.state.deliveries)).toEqual([recent.id]);
      expect(sender.pendingRetries).toBe(1);
      expect(Object.keys(new StripeStore(file).state.deliveries)).toEqual([recent.id]);
    } finally {
      sender.close();
    }
    // The old event stays listed, for a resend by hand.
    expect(store.state.events.map((e) => e.id)).toEqual([recent.id, old.id]);
  });
});
