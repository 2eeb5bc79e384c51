import type { Campaign, CampaignSettings, Gift, PaymentEvent } from './donations-model.js';
import type { MailJob, OutgoingEmail, Subscriber } from './model.js';

export interface Clock {
  now(): Date;
}

/** Subscribers keyed by normalised email. */
export interface SubscriberRepository {
  get(email: string): Promise<Subscriber | undefined>;
  /**
   * Writes `next` only if the stored item is still at `expectedVersion` (undefined: no item may exist), and
   * stores it at `expectedVersion + 1`. Throws ConflictError when another writer got there first.
   */
  save(next: Subscriber, expectedVersion: number | undefined): Promise<Subscriber>;
  /** Deletes the subscriber if it is still at `expectedVersion`. Throws ConflictError otherwise. */
  delete(current: Subscriber): Promise<void>;
}

export interface RateLimit {
  /** Counter name: one family of limits, e.g. `signup-client`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** Fixed-window counters; `hit` counts one request and throws RateLimitedError once the window is full. */
export interface RateLimiter {
  hit(rule: RateLimit, key: string, now: Date): Promise<void>;
}

export interface MailQueue {
  enqueue(job: MailJob): Promise<void>;
}

/** Sends one email now. Throws TransientError when a retry may succeed. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/**
 * Remembers which deduplicated emails went out. `claim` answers `sent` when the key was sent before,
 * `claimed` when the caller may send it now (first time, or an earlier claim whose lease ran out).
 */
export interface MailLedger {
  claim(key: string, now: Date, leaseSeconds: number): Promise<'claimed' | 'sent' | 'busy'>;
  markSent(key: string, now: Date): Promise<void>;
}

/** How long a finished op's id stays on its campaign: far beyond the webhook function's 30 s timeout. */
export const OP_GRACE_SECONDS = 15 * 60;

export interface CampaignOp {
  id: string;
  raised: number;
  donations: number;
  donors: number;
}

export interface CampaignRepository {
  get(id: string): Promise<Campaign | undefined>;
  list(): Promise<Campaign[]>;
  /** Creates a campaign or updates its settings; never touches its totals. */
  saveSettings(settings: CampaignSettings, now: Date): Promise<Campaign>;
  /**
   * Adds an op's deltas to the campaign's totals unless that op was applied before: the campaign remembers the
   * ids of the ops it applied. Answers false for a repeat. One conditional UpdateItem.
   */
  applyOp(campaignId: string, op: CampaignOp, now: Date): Promise<boolean>;
  /**
   * Marks an op as finished (its gift has recorded it). The campaign forgets a finished op only after
   * OP_GRACE_SECONDS, longer than any function runs, so that a helper still holding the op from an earlier
   * read of the gift cannot apply it a second time. An op that was never finished is never forgotten.
   */
  retireOp(campaignId: string, opId: string, now: Date): Promise<void>;
}

/** Gifts keyed by payment intent id, written with version checks like subscribers. */
export interface GiftLedger {
  get(key: string): Promise<Gift | undefined>;
  save(next: Gift, expectedVersion: number | undefined): Promise<Gift>;
}

export interface DonorRegistry {
  /**
   * Marks a donor as having given to a campaign, on behalf of one op. True when that op is the one that first
   * marked the donor, including when the same op asks again after a crash; false for every later op.
   */
  registerFirstGift(campaignId: string, donorKey: string, opId: string): Promise<boolean>;
}

export interface MonthlyGifts {
  /** Records a monthly gift's subscription as active or ended; an ended one never becomes active again. */
  record(subscription: string, status: 'active' | 'ended', campaign: string | undefined, at: Date): Promise<void>;
}

/** Server-side ids for checkout attempts, so that a double click or a retry reuses one Stripe idempotency key. */
export interface CheckoutAttempts {
  /** The live attempt id for a fingerprint, created if there is none (or the last one expired). */
  attemptFor(fingerprint: string, now: Date, ttlSeconds: number): Promise<string>;
  /** Replaces a spent attempt id (its session was completed or expired) with a fresh one. */
  renew(fingerprint: string, spentId: string, now: Date, ttlSeconds: number): Promise<string>;
}

export interface CheckoutParams {
  mode: 'payment' | 'subscription';
  campaign: Campaign;
  amount: number;
  currency: string;
  frequency: 'once' | 'monthly';
  email?: string | undefined;
  subscribe: boolean;
  successUrl: string;
  cancelUrl: string;
}

export interface CheckoutSummary {
  complete: boolean;
  amount: number;
  currency: string;
  frequency: 'once' | 'monthly';
  campaign?: string | undefined;
}

export interface Payments {
  /** Creates a Checkout Session; the same idempotency key returns the same session. */
  createCheckout(params: CheckoutParams, idempotencyKey: string): Promise<{ id: string; url: string | null; open: boolean }>;
  /** What a Checkout Session was for, to thank the donor by amount; undefined when Stripe does not know it. */
  describeCheckout(sessionId: string): Promise<CheckoutSummary | undefined>;
}

/** Verifies a webhook delivery and says what it means. Throws InvalidSignatureError for a bad signature. */
export interface PaymentEvents {
  read(rawBody: string, signature: string | undefined): Promise<PaymentEvent>;
}

export interface AdminTokenRecord {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | undefined;
}

/** Admin tokens, stored only as SHA-256 hashes of the token. */
export interface AdminTokens {
  create(hash: string, record: AdminTokenRecord): Promise<void>;
  findByHash(hash: string): Promise<(AdminTokenRecord & { hash: string }) | undefined>;
  list(): Promise<AdminTokenRecord[]>;
  /** Deletes the token with this id or name; false when there is none. */
  revoke(idOrName: string): Promise<boolean>;
  touch(hash: string, at: Date): Promise<void>;
}

export type SuppressionReason = 'bounced' | 'complained' | 'erased';

/** Keyed hashes of addresses we must not mail (bounced, complained, erased), kept without the address. */
export interface Suppressions {
  get(addressHash: string): Promise<{ reason: SuppressionReason; at: string } | undefined>;
  put(addressHash: string, reason: SuppressionReason, at: Date): Promise<void>;
  remove(addressHash: string): Promise<void>;
}

/**
 * Named counters on one item, changed by ops that count once: the same protocol as a campaign's totals
 * (apply guarded by the op id; retire, then forget after OP_GRACE_SECONDS).
 */
export interface Counters {
  apply(opId: string, deltas: Record<string, number>, now: Date): Promise<boolean>;
  retire(opId: string, now: Date): Promise<void>;
  read(): Promise<Record<string, number>>;
}
