import { describe, expect, it } from 'vitest';
import { type AdminDeps, accessSubscriber, adminStats, authenticateAdmin, createAdminToken, eraseSubscriber, revokeAdminTokens } from '../../../../functions/core/admin/admin.js';
import { recordMailFeedback } from '../../../../functions/core/list-hygiene/feedback.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { NotFoundError, UnauthorizedError } from '../../../../functions/core/shared/errors.js';
import { requestSubscription } from '../../../../functions/core/subscriptions/subscriptions.js';
import { confirmSubscription, unsubscribe } from '../../../../functions/core/subscriptions/links.js';
import { crashAfterWrite, runRetryingAfterCrash } from '../../../support/crash.js';
import { MemoryCampaigns, makeGiftDeps } from '../../../support/donation-fakes.js';
import { recordPaymentEvent } from '../../../../functions/core/donations/gifts.js';
import { paid, refund } from '../../../support/payment-events.js';
import { makeSubscriptionDeps } from '../../../support/fakes.js';
import { MemoryAuditLog } from '../../../support/console-fakes.js';
import { MemoryDonorGifts, MemoryTokens } from '../../../support/admin-fakes.js';


const client = { ip: '203.0.113.1', userAgent: 'ua' };
const linkToken = (text: string, path: string) => new URL(text.match(new RegExp(`https://\\S+${path}\\?token=\\S+`))?.[0] ?? '').searchParams.get('token') ?? '';

const setup = () => {
  const t = makeSubscriptionDeps();
  const admin: AdminDeps = {
    clock: t.clock,
    tokens: new MemoryTokens(),
    subscribers: t.deps.subscribers,
    suppressions: t.suppressions,
    counts: t.subscribers,
    campaigns: new MemoryCampaigns(),
    donorGifts: new MemoryDonorGifts(),
    keys: t.deps.keys,
    audit: new MemoryAuditLog(),
  };
  const drain = async () => {
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
  };
  const join = async (email: string, lists: string[] = []) => {
    await requestSubscription(t.deps, { email, lists, client });
    await drain();
    const mail = t.mailer.sent.filter((m) => m.to === email).at(-1);
    await confirmSubscription(t.deps, { token: linkToken(mail?.text ?? '', '/v1/subscriptions/confirm'), client });
    await drain();
    return mail;
  };
  return { t, admin, drain, join };
};

describe('admin tokens', () => {
  it('are 256-bit, shown once, stored only as a hash, and checked', async () => {
    const { admin } = setup();
    const { token, record } = await createAdminToken(admin, 'ops laptop');
    expect(token).toMatch(/^apl_[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify([...(admin.tokens as MemoryTokens).items]);
    expect(stored).not.toContain(token.slice(4));
    expect(await authenticateAdmin(admin, `Bearer ${token}`)).toMatchObject({ id: record.id, name: 'ops laptop' });
    // RFC 9110: the scheme is case-insensitive.
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      expect(await authenticateAdmin(admin, `${scheme} ${token}`)).toMatchObject({ id: record.id });
    }
    expect((await admin.tokens.list())[0]?.lastUsedAt).toBe('2026-11-25T10:00:00.000Z');
    for (const bad of [undefined, '', token, `Bearer ${token}x`, `Bearer apl_${'A'.repeat(43)}`, `Basic ${token}`]) {
      // The class is what platform/http/errors.ts maps to 401; the core error carries no status.
      const error = await authenticateAdmin(admin, bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error).toMatchObject({ code: 'unauthorized' });
    }
    expect(await revokeAdminTokens(admin, { name: 'ops laptop' })).toEqual([expect.objectContaining({ id: record.id })]);
    await expect(authenticateAdmin(admin, `Bearer ${token}`)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('revoke every token of a name, or the one of an id, and say which', async () => {
    const { admin } = setup();
    const a = await createAdminToken(admin, 'laptop');
    const b = await createAdminToken(admin, 'laptop');
    const other = await createAdminToken(admin, 'ci');
    const works = async (...tokens: { token: string }[]) =>
      Promise.all(tokens.map(({ token }) => authenticateAdmin(admin, `Bearer ${token}`).then(() => true, () => false)));

    expect(await revokeAdminTokens(admin, { id: a.record.id })).toEqual([expect.objectContaining({ id: a.record.id, name: 'laptop' })]);
    expect(await works(a, b, other)).toEqual([false, true, true]);

    const c = await createAdminToken(admin, 'laptop');
    const revoked = await revokeAdminTokens(admin, { name: ' laptop ' });
    expect(revoked.map((r) => r.id).sort()).toEqual([b.record.id, c.record.id].sort());
    expect(await works(b, c, other)).toEqual([false, false, true]);

    expect(await revokeAdminTokens(admin, { name: 'laptop' })).toEqual([]);
    expect(await revokeAdminTokens(admin, { id: a.record.id })).toEqual([]);
    // A name is never taken for an id, nor an id for a name.
    expect(await revokeAdminTokens(admin, { name: other.record.id })).toEqual([]);
    expect(await revokeAdminTokens(admin, { id: 'ci' })).toEqual([]);
    expect(await works(other)).toEqual([true]);
  });

  it('refuse a token past its expiry, as a wrong one', async () => {
    const { t, admin } = setup();
    const { token, record } = await createAdminToken(admin, 'admin-cli temporary 42', { expiresInSeconds: 3600 });
    expect(record.expiresAt).toBe('2026-11-25T11:00:00.000Z');
    expect((await admin.tokens.list())[0]?.expiresAt).toBe('2026-11-25T11:00:00.000Z');
    t.clock.advance(3599);
    expect(await authenticateAdmin(admin, `Bearer ${token}`)).toMatchObject({ id: record.id });
    t.clock.advance(1);
    const error = await authenticateAdmin(admin, `Bearer ${token}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ tokenRefused: true });
    // A token made without a lifetime keeps working.
    const { token: lasting, record: lastingRecord } = await createAdminToken(admin, 'ops laptop');
    expect(lastingRecord.expiresAt).toBeUndefined();
    t.clock.advance(400 * 86400);
    expect(await authenticateAdmin(admin, `Bearer ${lasting}`)).toMatchObject({ name: 'ops laptop' });
  });

  it('take a lifetime of whole seconds, at least one', async () => {
    const { admin } = setup();
    for (const expiresInSeconds of [0, -1, 1.5, Number.NaN]) {
      await expect(createAdminToken(admin, 'x', { expiresInSeconds })).rejects.toThrow();
    }
    expect(await admin.tokens.list()).toEqual([]);
  });
});

describe('subscriber counts', () => {
  it('follow every transition: signup, confirm, unsubscribe, bounce, erase', async () => {
    const { t, admin, join } = setup();
    await join('a@example.org', ['news', 'events']);
    await join('b@example.org');
    await requestSubscription(t.deps, { email: 'c@example.org', lists: [], client });
    await processMailJob(t.mailDeps, t.queue.take()[0]!);
    expect((await adminStats(admin)).subscribers).toEqual({
      byStatus: { confirmed: 2, pending: 1 },
      byList: { news: { confirmed: 2, pending: 1 }, events: { confirmed: 1 } },
    });
    const bMail = t.mailer.sent.find((m) => m.to === 'b@example.org');
    await unsubscribe(t.deps, { token: linkToken(bMail?.text ?? '', '/v1/subscriptions/unsubscribe') });
    await recordMailFeedback(admin, { kind: 'bounce', addresses: ['A@Example.org'] });
    await eraseSubscriber(admin, 'c@example.org');
    expect((await adminStats(admin)).subscribers).toEqual({
      byStatus: { bounced: 1, unsubscribed: 1 },
      byList: { news: { bounced: 1, unsubscribed: 1 }, events: { bounced: 1 } },
    });
  });

  it('move an address that comes back after unsubscribing, without a trace of its old status', async () => {
    const { t, admin, join } = setup();
    const mail = await join('back@example.org');
    await unsubscribe(t.deps, { token: linkToken(mail?.text ?? '', '/v1/subscriptions/unsubscribe') });
    t.clock.advance(3600);
    await join('back@example.org');
    expect((await adminStats(admin)).subscribers).toEqual({ byStatus: { confirmed: 1 }, byList: { news: { confirmed: 1 } } });
  });

  it('count once when the function dies after any write and the work is retried', async () => {
    const run = async (crashAt: number) => {
      const { t, admin } = setup();
      const crashing = crashAfterWrite({ subscribers: t.subscribers }, crashAt, { subscribers: ['save', 'delete'] });
      const repo = crashing.deps.subscribers;
      const deps = { ...t.deps, subscribers: repo };
      await requestSubscription(deps, { email: 'x@example.org', lists: ['news'], client });
      const jobs = t.queue.take();
      const steps = [
        async () => {
          for (const job of jobs) await processMailJob({ ...t.mailDeps, subscribers: repo }, job); // SQS redelivers the same job
        },
        async () => {
          const mail = t.mailer.sent.at(-1);
          await confirmSubscription(deps, { token: linkToken(mail?.text ?? '', '/v1/subscriptions/confirm'), client });
        },
        async () => eraseSubscriber({ ...admin, subscribers: repo }, 'x@example.org'),
      ];
      const crashed = await runRetryingAfterCrash(steps);
      return { crashed, counts: await t.subscribers.read(), writes: crashing.count() };
    };
    const clean = await run(Number.POSITIVE_INFINITY);
    expect(clean.counts).toEqual({});
    expect(clean.writes).toBeGreaterThanOrEqual(3);
    for (let n = 1; n <= clean.writes; n++) {
      const result = await run(n);
      expect(result.crashed, `write ${n}`).toBe(true);
      expect(result.counts, `crash after write ${n}`).toEqual({});
    }
  });
});

describe('data requests and list hygiene', () => {
  it('answers an access request with the record and its consent, without internals', async () => {
    const { admin, join } = setup();
    await join('reader@example.org');
    const record = await accessSubscriber(admin, 'Reader@Example.org');
    expect(record).toMatchObject({ email: 'reader@example.org', status: 'confirmed', consent: { signup: { wordingVersion: 'v1' }, confirmation: {} } });
    expect(record).not.toHaveProperty('round');
    expect(record).not.toHaveProperty('countOp');
    await expect(accessSubscriber(admin, 'nobody@example.org')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('erases to a keyed hash: no list mail again until the address signs up and confirms afresh', async () => {
    const { t, admin, join } = setup();
    await join('gone@example.org');
    await eraseSubscriber(admin, 'gone@example.org');
    await eraseSubscriber(admin, 'gone@example.org'); // idempotent
    expect(t.subscribers.items.has('gone@example.org')).toBe(false);
    expect(JSON.stringify([...t.suppressions.items])).not.toContain('gone');
    expect(await accessSubscriber(admin, 'gone@example.org')).toMatchObject({ status: 'suppressed', suppression: { reason: 'erased' } });
    const listMail = (round: string) => ({ kind: 'welcome' as const, id: round, email: 'gone@example.org', round });
    expect(await processMailJob(t.mailDeps, listMail('r1'))).toBe('suppressed');

    t.clock.advance(3600);
    await join('gone@example.org'); // the confirmation goes out despite the marker; confirming lifts it
    expect(await processMailJob(t.mailDeps, listMail('r2'))).toBe('sent');
  });

  it('never mails a permanently bounced or complaining address, subscriber or not', async () => {
    const { t, admin, join } = setup();
    await join('bouncy@example.org');
    await recordMailFeedback(admin, { kind: 'bounce', addresses: ['bouncy@example.org'] });
    await recordMailFeedback(admin, { kind: 'complaint', addresses: ['"Donor" <donor@example.org>'] });
    expect(t.subscribers.items.get('bouncy@example.org')?.status).toBe('bounced');
    for (const to of ['bouncy@example.org', 'donor@example.org']) {
      const outcome = await processMailJob(t.mailDeps, { kind: 'welcome', id: to, email: to, round: 'r' });
      expect(outcome).toBe('suppressed');
    }
  });
});

describe('donation stats', () => {
  it('show the gifts no campaign counts, by currency, apart from the campaigns\' totals', async () => {
    const { admin } = setup();
    const g = await makeGiftDeps();
    await recordPaymentEvent(g.deps, paid('pi_1'));
    await recordPaymentEvent(g.deps, paid('pi_2', { campaign: 'deleted', amount: 1200 }));
    await recordPaymentEvent(g.deps, paid('pi_3', { currency: 'eur', amount: 900 }));
    await recordPaymentEvent(g.deps, paid('pi_4', { campaign: 'deleted', amount: 300 }));
    await recordPaymentEvent(g.deps, refund('pi_4', 300));
    const { donations } = await adminStats({ ...admin, campaigns: g.campaigns });
    expect(donations.byCurrency).toEqual({ usd: { raised: 2500, donations: 1 } });
    expect(donations.unassigned).toEqual({ usd: { raised: 1200, donations: 1 }, eur: { raised: 900, donations: 1 } });
  });
});
