import { randomBytes } from 'node:crypto';
import { addressKey, normalizeEmail } from '../shared/email-address.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import type { AdminTokenRecord, AdminTokens, DonorGifts, TokenSelector } from './ports.js';
import { giftStatus } from './exports/csv.js';
import type { Gift } from '../donations/model.js';
import type { CampaignRepository } from '../donations/ports.js';
import type { Clock } from '../shared/ports.js';
import type { SubscriberCounts, SubscriberRepository } from '../subscriptions/ports.js';
import type { Suppressions } from '../mail/ports.js';
import { retryOnConflict } from '../shared/retry.js';
import type { Keys } from '../shared/secrets.js';
import type { AuditLog } from '../console/ports.js';
import { hashToken } from './authenticate.js';

// Apart, so that a function whose routes only check a token loads none of the rest.
export { authenticateAdmin } from './authenticate.js';


export interface AdminDeps {
  clock: Clock;
  tokens: AdminTokens;
  subscribers: SubscriberRepository;
  suppressions: Suppressions;
  counts: SubscriberCounts;
  campaigns: CampaignRepository;
  /** The gifts held for an address, for access requests. */
  donorGifts: DonorGifts;
  keys: Keys;
  /** The audit log: every export, download link, data request and erase made with a token is recorded there. */
  audit: AuditLog;
}

const TOKEN_PREFIX = 'apl_';

/** A token's name: who or what uses it. */
const TOKEN_NAME = /^[\w .@-]{1,64}$/;

/**
 * Makes an admin token: 256 random bits, shown once; only its SHA-256 is stored (a random 256-bit token needs
 * no slow hash). With `expiresInSeconds` (a whole number, at least 1) the token stops working that long after now
 * (a temporary token: one a run of the CLI makes for itself, which a killed run cannot revoke). Returns the token
 * and its record. Throws ValidationError for a bad name or lifetime.
 */
export const createAdminToken = async (deps: Pick<AdminDeps, 'tokens' | 'clock'>, name: string, options: { expiresInSeconds?: number } = {}) => {
  const trimmed = name.trim();
  if (!TOKEN_NAME.test(trimmed)) {
    throw new ValidationError('invalid_field', 'A token name is 1 to 64 letters, digits, spaces, dots, dashes or @.', { field: 'name' });
  }
  const { expiresInSeconds } = options;
  if (expiresInSeconds !== undefined && !(Number.isSafeInteger(expiresInSeconds) && expiresInSeconds >= 1)) {
    throw new ValidationError('invalid_field', 'A token lifetime is a whole number of seconds, at least 1.', { field: 'expiresInSeconds' });
  }
  const now = deps.clock.now();
  // Whole seconds, as the store's time to live keeps it: the moment the token is refused is the one it shows.
  const expiresAt = expiresInSeconds === undefined ? undefined : new Date((Math.ceil(now.getTime() / 1000) + expiresInSeconds) * 1000).toISOString();
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record: AdminTokenRecord = { id: randomBytes(6).toString('hex'), name: trimmed, createdAt: now.toISOString(), ...(expiresAt ? { expiresAt } : {}) };
  await deps.tokens.create(hashToken(token), record);
  return { token, record };
};

/**
 * Revokes the token with an id, or every token with a name (trimmed, as createAdminToken stores it). A name is never
 * taken for an id, nor an id for a name. Returns the tokens revoked: none when nothing matched.
 */
export const revokeAdminTokens = async (deps: Pick<AdminDeps, 'tokens'>, which: TokenSelector): Promise<AdminTokenRecord[]> => {
  if ('id' in which) return /^[0-9a-f]{12}$/.test(which.id) ? deps.tokens.revoke({ id: which.id }) : [];
  const name = which.name.trim();
  return TOKEN_NAME.test(name) ? deps.tokens.revoke({ name }) : [];
};

/**
 * The address a data request names, as the route hands it over: API Gateway (and the dev server's gateway) has
 * percent-decoded the path parameter once already (API.md: "decoded exactly once"). Decoding it again would make
 * `a%61@…`, a legal address of its own, name `aa@…`: another person's record shown or erased.
 */
const addressOf = (raw: string) => normalizeEmail(raw);

/** A gift as an access request lists it: what it is, when, and what we hold about the person on it. */
const heldDonation = (gift: Gift) => ({
  id: gift.key,
  createdAt: gift.createdAt,
  campaign: gift.campaign,
  amount: gift.amount,
  currency: gift.currency,
  frequency: gift.frequency,
  status: giftStatus(gift),
  refunded: gift.refunded,
  name: gift.donorName,
});

/**
 * The data-subject access request: everything stored about an address. The subscriber record (without internals)
 * and its suppression marker, and `donations`: the gifts held for the address, which an erase keeps (financial
 * records), so that the person is told about them. Throws NotFoundError when nothing at all is held.
 */
export const accessSubscriber = async (deps: Pick<AdminDeps, 'subscribers' | 'suppressions' | 'donorGifts' | 'keys'>, rawEmail: string) => {
  const email = addressOf(rawEmail);
  const key = addressKey(deps.keys, email);
  const [subscriber, suppression, gifts] = await Promise.all([
    deps.subscribers.get(email),
    deps.suppressions.get(key),
    deps.donorGifts.find(email, key),
  ]);
  const donations = gifts.map(heldDonation);
  if (!subscriber) {
    if (suppression) return { email, status: 'suppressed', suppression, donations };
    if (donations.length > 0) return { email, donations };
    throw new NotFoundError('We hold no subscriber record and no donation for this address.');
  }
  const { lastJob: _job, version: _version, round: _round, ...record } = subscriber;
  return { ...record, suppression, donations };
};

/**
 * Erases an address: deletes the subscriber (taking it out of the counts) and keeps only a keyed hash, so it
 * gets no mailing-list email unless it signs up and confirms afresh; a gift it makes later is still receipted.
 * A bounced or complaining subscriber's marker keeps that reason, so that nothing at all is mailed to it.
 * Idempotent; an unknown address is a success.
 */
export const eraseSubscriber = async (deps: Pick<AdminDeps, 'subscribers' | 'suppressions' | 'clock' | 'keys'>, rawEmail: string) => {
  const email = addressOf(rawEmail);
  const status = (await deps.subscribers.get(email))?.status;
  const reason = status === 'bounced' || status === 'complained' ? status : 'erased';
  await deps.suppressions.put(addressKey(deps.keys, email), reason, deps.clock.now());
  await retryOnConflict(async () => {
    const subscriber = await deps.subscribers.get(email);
    if (subscriber) await deps.subscribers.delete(subscriber);
  });
};

/** Counts kept by the writes themselves (subscribers) and by the gift ledger (campaign totals, unassigned gifts). */
export const adminStats = async (deps: AdminDeps) => {
  const counts = await deps.counts.read();
  const byStatus: Record<string, number> = {};
  const byList: Record<string, Record<string, number>> = {};
  for (const [key, n] of Object.entries(counts)) {
    const [kind, a, b] = key.split(':');
    if (kind === 'status' && a) byStatus[a] = n;
    if (kind === 'list' && a && b) byList[a] = { ...byList[a], [b]: n };
  }
  const [campaigns, unassigned] = await Promise.all([deps.campaigns.list(), deps.campaigns.unassigned()]);
  const totals: Record<string, { raised: number; donations: number }> = {};
  for (const c of campaigns) {
    const before = totals[c.currency] ?? { raised: 0, donations: 0 };
    totals[c.currency] = { raised: before.raised + c.raised, donations: before.donations + c.donations };
  }
  return {
    subscribers: { byStatus, byList },
    donations: {
      byCampaign: campaigns.map((c) => ({ campaign: c.id, currency: c.currency, raised: c.raised, donations: c.donations, donors: c.donors, goal: c.goal, open: c.open })),
      byCurrency: totals,
      // Paid gifts no campaign counts (an unknown campaign, another currency): to refund or reassign (docs/operating.md).
      unassigned,
    },
  };
};
