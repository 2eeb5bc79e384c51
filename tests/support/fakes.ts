import { countChange } from '../../functions/core/subscriptions/counting.js';
import { ConflictError, RateLimitedError, TransientError } from '../../functions/core/shared/errors.js';
import type { MailDeps } from '../../functions/core/mail/mail.js';
import type { MailIntent, OutgoingEmail } from '../../functions/core/mail/model.js';
import type { Subscriber } from '../../functions/core/subscriptions/model.js';
import type { Clock } from '../../functions/core/shared/ports.js';
import type { Mailer, MailLedger, SignupAndMailQueue, SuppressionReason, Suppressions } from '../../functions/core/mail/ports.js';
import type { RateLimit, RateLimiter } from '../../functions/core/shared/limits.js';
import type { SubscriberCounts, SubscriberRepository } from '../../functions/core/subscriptions/ports.js';
import { deriveKeys } from '../../functions/core/shared/secrets.js';
import { MemoryEditors } from './console-fakes.js';
import type { SubscriptionDeps } from '../../functions/core/subscriptions/subscriptions.js';

/** In-memory ports with the same contracts (and errors) as the DynamoDB/SES/SQS adapters. */
export class FakeClock implements Clock {
  constructor(public current = new Date('2026-11-25T10:00:00.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Subscribers and the counts they make, changed together (the DynamoDB adapter writes both in one transaction). */
export class MemorySubscribers implements SubscriberRepository, SubscriberCounts {
  readonly items = new Map<string, Subscriber>();
  readonly counts = new Map<string, number>();
  /** Set to make the next save fail as if another writer won the race. */
  failNextSaves = 0;
  async get(email: string) {
    const item = this.items.get(email);
    return item && structuredClone(item);
  }
  private count(from: Subscriber | undefined, to: Subscriber | undefined) {
    for (const [key, n] of Object.entries(countChange(from, to))) this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  async save(next: Subscriber, current: Subscriber | undefined) {
    const stored = this.items.get(next.email);
    if (this.failNextSaves > 0) {
      this.failNextSaves -= 1;
      throw new ConflictError('simulated race');
    }
    if (current === undefined ? stored !== undefined : stored?.version !== current.version) {
      throw new ConflictError('subscriber changed concurrently');
    }
    const saved = JSON.parse(JSON.stringify({ ...next, version: (current?.version ?? 0) + 1 })) as Subscriber;
    this.count(stored, saved);
    this.items.set(next.email, saved);
    return structuredClone(saved);
  }
  async delete(current: Subscriber) {
    const stored = this.items.get(current.email);
    if (stored?.version !== current.version) throw new ConflictError('subscriber changed concurrently');
    this.count(stored, undefined);
    this.items.delete(current.email);
  }
  async read() {
    return Object.fromEntries([...this.counts].filter(([, n]) => n !== 0));
  }
}

export class MemoryRateLimiter implements RateLimiter {
  readonly counts = new Map<string, number>();
  async hit(rule: RateLimit, key: string, now: Date) {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % rule.windowSeconds);
    const id = `${rule.name}#${key}#${windowStart}`;
    const hits = (this.counts.get(id) ?? 0) + 1;
    this.counts.set(id, hits);
    if (hits > rule.limit) throw new RateLimitedError(windowStart + rule.windowSeconds - nowSeconds);
  }
}

export class MemoryQueue implements SignupAndMailQueue {
  readonly jobs: MailIntent[] = [];
  async enqueue(job: MailIntent) {
    this.jobs.push(structuredClone(job));
  }
  take(): MailIntent[] {
    return this.jobs.splice(0);
  }
}

export class MemoryMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  /** Number of upcoming sends that fail as a throttled SES would. */
  throttleNext = 0;
  async send(email: OutgoingEmail) {
    if (this.throttleNext > 0) {
      this.throttleNext -= 1;
      throw new TransientError('the mail service is unavailable');
    }
    this.sent.push(email);
    return { messageId: `m-${this.sent.length}` };
  }
}

export class MemoryLedger implements MailLedger {
  readonly entries = new Map<string, { state: 'sending' | 'sent'; leaseUntil: number }>();
  async claim(key: string, now: Date, leaseSeconds: number) {
    const entry = this.entries.get(key);
    const nowSeconds = now.getTime() / 1000;
    if (entry?.state === 'sent') return 'sent' as const;
    if (entry && entry.leaseUntil >= nowSeconds) return 'busy' as const;
    this.entries.set(key, { state: 'sending', leaseUntil: nowSeconds + leaseSeconds });
    return 'claimed' as const;
  }
  async markSent(key: string) {
    const entry = this.entries.get(key);
    if (entry) entry.state = 'sent';
  }
}

export class MemorySuppressions implements Suppressions {
  readonly items = new Map<string, { reason: SuppressionReason; at: string }>();
  async get(hash: string) {
    return this.items.get(hash);
  }
  async put(hash: string, reason: SuppressionReason, at: Date) {
    const kept = this.items.get(hash);
    if (reason === 'erased' && kept && kept.reason !== 'erased') return; // as DynamoSuppressions: a bounce stays
    this.items.set(hash, { reason, at: at.toISOString() });
  }
  async remove(hash: string) {
    this.items.delete(hash);
  }
}

export const testKeys = deriveKeys('a-test-signing-secret-that-is-long-enough-0123456789');

export const makeSubscriptionDeps = () => {
  const clock = new FakeClock();
  const subscribers = new MemorySubscribers();
  const suppressions = new MemorySuppressions();
  const queue = new MemoryQueue();
  const mailer = new MemoryMailer();
  const ledger = new MemoryLedger();
  const rateLimiter = new MemoryRateLimiter();
  const deps: SubscriptionDeps = {
    clock,
    subscribers,
    rateLimiter,
    queue,
    suppressions,
    keys: testKeys,
    settings: {
      siteName: 'Example News',
      apiBaseUrl: 'https://api.example.org',
      lists: { ids: ['news', 'events'], default: 'news' },
      consentVersion: 'v1',
      confirmTtlSeconds: 7 * 86400,
      mailIntervalSeconds: 300,
      limits: { signupAddress: { name: 'signup-address', limit: 5, windowSeconds: 3600 } },
    },
  };
  const mailDeps: MailDeps = {
    ...deps,
    suppressions, // the mailer reads and files markers; a signup request only lifts them
    mailer,
    ledger,
    editors: new MemoryEditors(),
    settings: { ...deps.settings, charityName: 'Example Charity', charityRegistration: '1234567' },
  };
  return { deps, clock, subscribers, suppressions, queue, mailer, ledger, rateLimiter, mailDeps };
};
