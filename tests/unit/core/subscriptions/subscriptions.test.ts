import { describe, expect, it } from 'vitest';
import { InvalidTokenError, RateLimitedError, ValidationError } from '../../../../functions/core/shared/errors.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { MailIntent } from '../../../../functions/core/mail/model.js';
import { queueSignup, requestSubscription, SubscribeRequest } from '../../../../functions/core/subscriptions/subscriptions.js';
import { confirmSubscription, unsubscribe } from '../../../../functions/core/subscriptions/links.js';
import { MAX_PENDING_REQUESTS } from '../../../../functions/core/subscriptions/model.js';
import { makeSubscriptionDeps } from '../../../support/fakes.js';

const client = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 test' };
const signup = (email = 'Reader@Example.org', extra: Record<string, unknown> = {}) => ({
  email,
  name: 'Ann',
  lists: [] as string[],
  source: 'https://news.example.org/article',
  client,
  ...extra,
});

const tokenFrom = (url: string) => new URL(url).searchParams.get('token') ?? '';
const linkIn = (text: string, path: string) => {
  const found = text.match(new RegExp(`https://api\\.example\\.org${path}\\?token=[A-Za-z0-9._-]+`));
  if (!found) throw new Error(`no ${path} link in email`);
  return found[0];
};

/** Runs every queued job through the mailer use case, as the queue consumer does. */
const drain = async (t: ReturnType<typeof makeSubscriptionDeps>) => {
  for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
};

describe('requestSubscription', () => {
  it('stores a pending subscriber with consent and sends one confirmation link', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    expect(t.subscribers.items.size).toBe(0); // nothing decided on the request path
    await drain(t);
    const stored = t.subscribers.items.get('reader@example.org');
    expect(stored).toMatchObject({ status: 'pending', lists: ['news'], name: 'Ann' });
    expect(stored?.consent.signup).toMatchObject({
      at: '2026-11-25T10:00:00.000Z',
      source: 'https://news.example.org/article',
      wordingVersion: 'v1',
      userAgent: 'Mozilla/5.0 test',
      origin: 'form',
    });
    expect(stored?.consent.signup.ipHash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(stored)).not.toContain('203.0.113.7');
    expect(t.mailer.sent).toHaveLength(1);
    expect(t.mailer.sent[0]?.subject).toContain('confirm');
    expect(t.mailer.sent[0]?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('puts exactly one job on the queue for every valid address, known or not', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    await drain(t);
    await requestSubscription(t.deps, signup()); // pending now
    await requestSubscription(t.deps, signup('someone-new@example.org'));
    expect(t.queue.jobs.map((j) => j.kind)).toEqual(['signup', 'signup']);
  });

  it('rejects an unknown list and accepts configured ones', async () => {
    const t = makeSubscriptionDeps();
    await expect(requestSubscription(t.deps, signup('a@example.org', { lists: ['nope'] }))).rejects.toMatchObject({
      code: 'invalid_list',
      field: 'lists',
    });
    await requestSubscription(t.deps, signup('a@example.org', { lists: ['events', 'news', 'events'] }));
    await drain(t);
    expect(t.subscribers.items.get('a@example.org')?.lists).toEqual(['events', 'news']);
  });

  it('rejects an invalid address with invalid_email', async () => {
    const t = makeSubscriptionDeps();
    await expect(requestSubscription(t.deps, signup('not an address'))).rejects.toBeInstanceOf(ValidationError);
  });

  it('stores and sends nothing when the honeypot is filled', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup('bot@example.org', { website: 'http://spam.example' }));
    await drain(t);
    expect(t.subscribers.items.size).toBe(0);
    expect(t.mailer.sent).toHaveLength(0);
  });

  it('limits one address to 5 requests an hour', async () => {
    const t = makeSubscriptionDeps();
    for (let i = 0; i < 5; i++) await requestSubscription(t.deps, signup());
    const error = await requestSubscription(t.deps, signup('READER@example.org')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(3600);
    t.clock.advance(3600);
    await expect(requestSubscription(t.deps, signup())).resolves.toBeUndefined();
  });

  it('sends a pending address a fresh link, but at most one every five minutes; old links still work', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    await drain(t);
    t.clock.advance(60);
    await requestSubscription(t.deps, signup());
    await drain(t);
    expect(t.mailer.sent).toHaveLength(1);
    t.clock.advance(300);
    await requestSubscription(t.deps, signup());
    await drain(t);
    expect(t.mailer.sent).toHaveLength(2);
    const firstLink = linkIn(t.mailer.sent[0]?.text ?? '', '/v1/subscriptions/confirm');
    await confirmSubscription(t.deps, { token: tokenFrom(firstLink), client });
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('confirmed');
  });

  it('relays no requester text: neither the confirmation nor the "already subscribed" note carries the name', async () => {
    const t = makeSubscriptionDeps();
    const name = 'Your account is locked, visit http://evil.example/login';
    await requestSubscription(t.deps, signup('stranger@example.org', { name }));
    await drain(t);
    await confirmSubscription(t.deps, { token: tokenFrom(linkIn(t.mailer.sent[0]?.text ?? '', '/v1/subscriptions/confirm')), client });
    await drain(t); // welcome: the address is confirmed now, and it greets by the stored name
    t.clock.advance(600);
    await requestSubscription(t.deps, signup('stranger@example.org', { name: 'Bob, see http://evil.example/again' }));
    await drain(t);
    const [confirmation, welcome, note] = t.mailer.sent;
    expect(note?.subject).toContain('already subscribed');
    for (const mail of [confirmation, note]) {
      expect(`${mail?.subject}${mail?.text}${mail?.html}`).not.toContain('evil.example');
    }
    expect(welcome?.text).toContain(name);
  });

  it('sends every accepted signup its confirmation once SES answers again, however often the address signed up', async () => {
    const t = makeSubscriptionDeps();
    const pending: MailIntent[] = [];
    /** Runs queued and failed jobs once each, as SQS redelivers; a failed one stays for the next round. */
    const deliver = async () => {
      pending.push(...t.queue.take());
      for (const job of pending.splice(0)) await processMailJob(t.mailDeps, job).catch(() => pending.push(job));
    };
    t.mailer.throttleNext = 1000; // SES throttles
    await requestSubscription(t.deps, signup());
    await deliver();
    t.clock.advance(60);
    await requestSubscription(t.deps, signup());
    await deliver();
    t.clock.advance(60);
    await deliver();
    expect(t.mailer.sent).toHaveLength(0);
    t.mailer.throttleNext = 0; // SES answers again
    await deliver();
    expect(pending).toHaveLength(0);
    const confirmations = t.mailer.sent.filter((m) => m.subject.includes('confirm'));
    expect(confirmations.length).toBeGreaterThanOrEqual(1);
    // Once one went out, the interval holds again: a third signup a minute later gets no further link.
    const before = t.mailer.sent.length;
    t.clock.advance(60);
    await requestSubscription(t.deps, signup());
    await deliver();
    expect(t.mailer.sent).toHaveLength(before);
    await confirmSubscription(t.deps, { token: tokenFrom(linkIn(confirmations[0]?.text ?? '', '/v1/subscriptions/confirm')), client });
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('confirmed');
  });

  it('sends a confirmed address an "already subscribed" note, not a new opt-in', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    await drain(t);
    await confirmSubscription(t.deps, { token: tokenFrom(linkIn(t.mailer.sent[0]?.text ?? '', '/v1/subscriptions/confirm')), client });
    await drain(t); // welcome
    t.clock.advance(600);
    await requestSubscription(t.deps, signup());
    await drain(t);
    const last = t.mailer.sent.at(-1);
    expect(last?.subject).toContain('already subscribed');
    expect(last?.text).not.toContain('/confirm');
    expect(last?.headers['List-Unsubscribe']).toMatch(/^<https:\/\/api\.example\.org\/v1\/subscriptions\/unsubscribe\?token=/);
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('confirmed');
  });

  it('brings an unsubscribed address back only through a new opt-in; its old links stop working', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    await drain(t);
    const oldLink = linkIn(t.mailer.sent[0]?.text ?? '', '/v1/subscriptions/confirm');
    await confirmSubscription(t.deps, { token: tokenFrom(oldLink), client });
    await unsubscribe(t.deps, { token: tokenFrom(linkIn(t.mailer.sent[0]?.text ?? '', '/v1/subscriptions/unsubscribe')) });
    await expect(confirmSubscription(t.deps, { token: tokenFrom(oldLink), client })).rejects.toBeInstanceOf(InvalidTokenError);
    t.clock.advance(600);
    await requestSubscription(t.deps, signup());
    await drain(t);
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('pending');
    await expect(confirmSubscription(t.deps, { token: tokenFrom(oldLink), client })).rejects.toBeInstanceOf(InvalidTokenError);
    const newLink = linkIn(t.mailer.sent.at(-1)?.text ?? '', '/v1/subscriptions/confirm');
    await confirmSubscription(t.deps, { token: tokenFrom(newLink), client });
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('confirmed');
  });

  it('treats a bounced or complained address like an unsubscribed one: a new double opt-in', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    await drain(t);
    const stored = t.subscribers.items.get('reader@example.org');
    if (!stored) throw new Error('missing');
    t.subscribers.items.set(stored.email, { ...stored, status: 'bounced' });
    t.clock.advance(600);
    await requestSubscription(t.deps, signup());
    await drain(t);
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('pending');
    expect(t.mailer.sent.at(-1)?.subject).toContain('confirm');
  });
});

describe('the name rule (one for every path)', () => {
  const consent = { at: '2026-11-25T10:00:00.000Z', wordingVersion: 'v1', origin: 'donation' as const };
  const breaks = 'Ann\nSmith\r\n\u2028 Jr\u0085=cmd';

  it('refuses a form name with a line break or another control character', () => {
    for (const name of ['Ann\nSmith', 'Ann\rSmith', 'Ann\u2028Smith', 'Ann\u0000']) {
      expect(SubscribeRequest.safeParse({ email: 'a@example.org', name }).success).toBe(false);
    }
    expect(SubscribeRequest.parse({ email: 'a@example.org', name: '  Ann Smith ' }).name).toBe('Ann Smith');
  });

  it("fits a donor's name from the payment provider to one line before it is stored", async () => {
    const t = makeSubscriptionDeps();
    await queueSignup(t.queue, { email: 'donor@example.org', name: breaks, lists: ['news'], consent });
    expect(t.queue.jobs[0]).toMatchObject({ request: { name: 'Ann Smith Jr =cmd' } });
    await drain(t);
    expect(t.subscribers.items.get('donor@example.org')?.name).toBe('Ann Smith Jr =cmd');
  });

  it('fits the name of a job read from the queue', async () => {
    const request = { email: 'queued@example.org', name: `${breaks}${'x'.repeat(200)}`, lists: ['news'], consent };
    const parsed = MailIntent.parse({ kind: 'signup', id: 'j1', request });
    const name = parsed.kind === 'signup' ? parsed.request.name : undefined;
    expect(name).toMatch(/^Ann Smith Jr =cmdx+$/);
    expect(name).toHaveLength(100);
    const t = makeSubscriptionDeps();
    await processMailJob(t.mailDeps, parsed);
    expect(t.subscribers.items.get('queued@example.org')?.name).toBe(name);
  });
});

describe('processMailJob', () => {
  it('replays the mail of a redelivered signup job without applying it again; the interval starts once it is sent', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    const [job] = t.queue.take() as [MailIntent];
    t.mailer.throttleNext = 1;
    await expect(processMailJob(t.mailDeps, job)).rejects.toMatchObject({ name: 'TransientError' });
    const afterFirst = t.subscribers.items.get('reader@example.org');
    expect(afterFirst?.lastMailAt).toBeUndefined(); // nothing went out
    t.clock.advance(30);
    await processMailJob(t.mailDeps, job); // SQS delivers it again
    const after = t.subscribers.items.get('reader@example.org');
    expect(after).toEqual({ ...afterFirst, lastMailAt: '2026-11-25T10:00:30.000Z', version: (afterFirst?.version ?? 0) + 1 });
    expect(t.mailer.sent).toHaveLength(1);
  });

  it('retries a signup that lost a race with another writer', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    t.subscribers.failNextSaves = 2;
    await drain(t);
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('pending');
  });

  it('never mails a bounced or complaining address', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    await drain(t);
    const stored = t.subscribers.items.get('reader@example.org');
    if (!stored) throw new Error('missing');
    t.subscribers.items.set(stored.email, { ...stored, status: 'complained' });
    const outcome = await processMailJob(t.mailDeps, { kind: 'welcome', id: 'j1', email: 'reader@example.org', round: stored.round });
    expect(outcome).toBe('suppressed');
    expect(t.mailer.sent).toHaveLength(1);
  });
});

describe('confirmSubscription', () => {
  const confirmed = async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    await drain(t);
    const token = tokenFrom(linkIn(t.mailer.sent[0]?.text ?? '', '/v1/subscriptions/confirm'));
    return { t, token };
  };

  it('confirms, records the confirmation consent, and welcomes once even when confirmed twice', async () => {
    const { t, token } = await confirmed();
    t.clock.advance(30);
    await confirmSubscription(t.deps, { token, client: { ip: '198.51.100.4', userAgent: 'Phone' } });
    await confirmSubscription(t.deps, { token, client });
    await drain(t);
    await drain(t);
    const stored = t.subscribers.items.get('reader@example.org');
    expect(stored?.status).toBe('confirmed');
    expect(stored?.confirmedAt).toBe('2026-11-25T10:00:30.000Z');
    expect(stored?.consent.confirmation).toMatchObject({ at: '2026-11-25T10:00:30.000Z', userAgent: 'Phone' });
    expect(stored?.consent.confirmation?.ipHash).not.toBe(stored?.consent.signup.ipHash);
    const welcomes = t.mailer.sent.filter((m) => m.subject.startsWith('Welcome'));
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]?.headers['List-Unsubscribe']).toBeDefined();
  });

  it('refuses an expired link', async () => {
    const { t, token } = await confirmed();
    t.clock.advance(7 * 86400 + 1);
    await expect(confirmSubscription(t.deps, { token, client })).rejects.toMatchObject({
      name: 'InvalidTokenError',
      email: 'reader@example.org',
    });
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('pending');
  });
});

describe('a link confirms what its own request asked', () => {
  const stranger = { ip: '192.0.2.66', userAgent: 'SpamBot/1.0' };
  const spam = { lists: ['events'], name: 'visit http://evil.example', source: 'https://spam.example/', client: stranger };
  const confirmLinks = (t: ReturnType<typeof makeSubscriptionDeps>) =>
    t.mailer.sent.filter((m) => m.subject.includes('confirm')).map((m) => tokenFrom(linkIn(m.text, '/v1/subscriptions/confirm')));
  /** The reader asks for [news] as Ann; later a stranger signs the same pending address up again. */
  const twoRequests = async (secondAfterSeconds: number) => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup('reader@example.org', { lists: ['news'] }));
    await drain(t);
    const first = structuredClone(t.subscribers.items.get('reader@example.org')?.consent.signup);
    t.clock.advance(secondAfterSeconds);
    await requestSubscription(t.deps, signup('reader@example.org', spam));
    await drain(t);
    return { t, first };
  };

  for (const [when, seconds] of [
    ['with a link of its own', 600],
    ['within the mail interval (no second link)', 60],
  ] as const) {
    it(`confirms the first request's lists, name and consent after a second signup ${when}`, async () => {
      const { t, first } = await twoRequests(seconds);
      const links = confirmLinks(t);
      expect(links).toHaveLength(seconds >= 300 ? 2 : 1);
      t.clock.advance(30);
      await confirmSubscription(t.deps, { token: links[0] ?? '', client });
      const stored = t.subscribers.items.get('reader@example.org');
      expect(stored).toMatchObject({ status: 'confirmed', lists: ['news'], name: 'Ann', source: 'https://news.example.org/article' });
      expect(stored?.consent.signup).toEqual(first);
      expect(stored?.consent.signup).toMatchObject({ at: '2026-11-25T10:00:00.000Z', userAgent: 'Mozilla/5.0 test' });
      expect(stored?.consent.confirmation?.source).toBe('https://news.example.org/article');
      expect(stored?.requests).toBeUndefined(); // nothing pending is kept once confirmed
      await drain(t);
      const welcome = t.mailer.sent.at(-1);
      expect(welcome?.subject).toMatch(/^Welcome/);
      expect(welcome?.text).toContain('Ann');
      expect(`${welcome?.subject}${welcome?.text}${welcome?.html}`).not.toContain('evil.example');
    });
  }

  it("confirms the second request's lists, name and consent with the second link", async () => {
    const { t, first } = await twoRequests(600);
    const [, second] = confirmLinks(t);
    t.clock.advance(60); // a third signup, within the interval: no link of its own, and nothing the second confirms
    await requestSubscription(t.deps, signup('reader@example.org', { lists: ['news'], name: 'Third' }));
    await drain(t);
    expect(confirmLinks(t)).toHaveLength(2);
    await confirmSubscription(t.deps, { token: second ?? '', client });
    const stored = t.subscribers.items.get('reader@example.org');
    expect(stored).toMatchObject({ status: 'confirmed', lists: ['events'], name: 'visit http://evil.example', source: 'https://spam.example/' });
    expect(stored?.consent.signup).toMatchObject({ at: '2026-11-25T10:10:00.000Z', userAgent: 'SpamBot/1.0' });
    expect(stored?.consent.signup.ipHash).not.toBe(first?.ipHash);
  });

  it('keeps only the last few requests of a round; a link whose request fell out no longer confirms', async () => {
    const t = makeSubscriptionDeps();
    for (let i = 0; i < MAX_PENDING_REQUESTS + 2; i++) {
      await requestSubscription(t.deps, signup('reader@example.org', { name: `Reader ${i}` }));
      await drain(t);
      t.clock.advance(3600);
    }
    const links = confirmLinks(t);
    expect(links).toHaveLength(MAX_PENDING_REQUESTS + 2);
    expect(t.subscribers.items.get('reader@example.org')?.requests).toHaveLength(MAX_PENDING_REQUESTS);
    await expect(confirmSubscription(t.deps, { token: links[0] ?? '', client })).rejects.toBeInstanceOf(InvalidTokenError);
    expect(t.subscribers.items.get('reader@example.org')?.status).toBe('pending');
    await confirmSubscription(t.deps, { token: links[2] ?? '', client });
    expect(t.subscribers.items.get('reader@example.org')).toMatchObject({ status: 'confirmed', name: 'Reader 2' });
  });

  it('gives a redelivered signup job the same request: its replayed link confirms it', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup('reader@example.org', { lists: ['events'] }));
    const [job] = t.queue.take() as [MailIntent];
    await processMailJob(t.mailDeps, job);
    await processMailJob(t.mailDeps, job); // SQS delivers it again: the same mail, the same request
    expect(t.subscribers.items.get('reader@example.org')?.requests).toHaveLength(1);
    const links = confirmLinks(t);
    expect(links).toHaveLength(2);
    for (const token of links) await confirmSubscription(t.deps, { token, client });
    expect(t.subscribers.items.get('reader@example.org')).toMatchObject({ status: 'confirmed', lists: ['events'] });
  });
});

describe('unsubscribe', () => {
  it('is idempotent and succeeds for an address we do not know', async () => {
    const t = makeSubscriptionDeps();
    await requestSubscription(t.deps, signup());
    await drain(t);
    const token = tokenFrom(linkIn(t.mailer.sent[0]?.text ?? '', '/v1/subscriptions/unsubscribe'));
    await unsubscribe(t.deps, { token });
    const first = t.subscribers.items.get('reader@example.org');
    t.clock.advance(10);
    await unsubscribe(t.deps, { token });
    expect(t.subscribers.items.get('reader@example.org')).toEqual(first);
    expect(first?.status).toBe('unsubscribed');
    t.subscribers.items.clear();
    await expect(unsubscribe(t.deps, { token })).resolves.toBeUndefined();
  });
});
