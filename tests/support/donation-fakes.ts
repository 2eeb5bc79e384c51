import type { GiftAidDeclaration } from '../../functions/core/donations/gift-aid.js';
import { type Campaign, CampaignCurrencyLockedError, type CampaignSettings, type Gift } from '../../functions/core/donations/model.js';
import { ConflictError } from '../../functions/core/shared/errors.js';
import type { GiftDeps } from '../../functions/core/donations/gifts.js';
import type { CampaignRepository, CheckoutAttempts, GiftLedger, MonthlyGifts, Payments, TotalsChange, UnassignedTotals } from '../../functions/core/donations/ports.js';
import type { DonationDeps, DonationSettings } from '../../functions/core/donations/checkout.js';
import { type DonationRoutesOptions, makeHandler } from '../../functions/donations/routes.js';
import { FakeClock, MemoryRateLimiter, makeSubscriptionDeps, testKeys } from './fakes.js';

/** Campaigns with their totals on the item: the in-memory ledger changes them atomically with the gift. */
export class MemoryCampaigns implements CampaignRepository {
  readonly items = new Map<string, Campaign>();
  /** The unassigned totals by currency, kept by the in-memory ledger. */
  readonly unassignedTotals = new Map<string, UnassignedTotals>();
  async unassigned() {
    return Object.fromEntries([...this.unassignedTotals].map(([currency, totals]) => [currency, { ...totals }]));
  }
  async get(id: string) {
    const item = this.items.get(id);
    return item && structuredClone(item);
  }
  async getSettings(id: string) {
    const item = this.items.get(id);
    if (!item) return undefined;
    const { raised: _r, donations: _d, donors: _n, ...record } = structuredClone(item);
    return record;
  }
  async list() {
    return [...this.items.values()].map((c) => structuredClone(c));
  }
  async saveSettings(settings: CampaignSettings, now: Date) {
    const existing = this.items.get(settings.id);
    if (existing && existing.currency !== settings.currency) throw new CampaignCurrencyLockedError(existing.id, existing.currency);
    const at = now.toISOString();
    this.items.set(settings.id, { shards: 4, raised: 0, donations: 0, donors: 0, createdAt: at, ...existing, ...settings, updatedAt: at });
    return (await this.get(settings.id)) as Campaign;
  }
}

/** Gifts, their effect on the campaigns' totals and the donor markers, changed together or not at all. */
export class MemoryGifts implements GiftLedger {
  readonly items = new Map<string, Gift>();
  readonly donors = new Set<string>();
  constructor(private readonly campaigns: MemoryCampaigns) {}
  async get(key: string) {
    const item = this.items.get(key);
    return item && structuredClone(item);
  }
  async save(next: Gift, current: Gift | undefined, totals?: TotalsChange | readonly TotalsChange[]) {
    const stored = this.items.get(next.key);
    if (current === undefined ? stored !== undefined : stored?.version !== current.version) {
      throw new ConflictError('gift changed concurrently');
    }
    const saved = JSON.parse(JSON.stringify({ ...next, version: (current?.version ?? 0) + 1 })) as Gift;
    const changes = ([] as TotalsChange[]).concat(totals ?? []);
    for (const change of changes) {
      if ('unassigned' in change) {
        const before = this.campaigns.unassignedTotals.get(change.unassigned) ?? { raised: 0, donations: 0 };
        this.campaigns.unassignedTotals.set(change.unassigned, { raised: before.raised + change.raised, donations: before.donations + change.donations });
        continue;
      }
      // A campaign gone from the table keeps no totals to change (its shard items are orphans).
      const campaign = this.campaigns.items.get(change.campaign);
      const marker = change.newDonor && `${change.campaign}#${change.newDonor}`;
      const newDonor = marker !== undefined && !this.donors.has(marker);
      if (marker) this.donors.add(marker);
      if (!campaign) continue;
      campaign.raised += change.raised;
      campaign.donations += change.donations;
      campaign.donors += newDonor ? 1 : 0;
      if (change.feesCovered) campaign.feesCovered = (campaign.feesCovered ?? 0) + change.feesCovered;
    }
    this.items.set(next.key, saved);
    return structuredClone(saved);
  }
}

export class MemoryMonthly implements MonthlyGifts {
  readonly items = new Map<string, string>();
  readonly campaigns = new Map<string, string>();
  readonly declarations = new Map<string, GiftAidDeclaration>();
  async record(subscription: string, status: 'active' | 'ended', campaign?: string, _at?: Date, giftAid?: GiftAidDeclaration) {
    if (this.items.get(subscription) !== 'ended') this.items.set(subscription, status);
    if (campaign && !this.campaigns.has(subscription)) this.campaigns.set(subscription, campaign);
    if (giftAid && !this.declarations.has(subscription)) this.declarations.set(subscription, giftAid);
  }
  async declarationOf(subscription: string) {
    if (!this.items.has(subscription)) return undefined;
    return this.declarations.get(subscription) ?? null;
  }
  async campaignOf(subscription: string) {
    return this.campaigns.get(subscription);
  }
}

export const campaignSettings = (overrides: Partial<CampaignSettings> = {}): CampaignSettings => ({
  id: 'ukraine',
  title: 'Support Ukraine',
  currency: 'usd',
  goal: 1_000_000,
  open: true,
  suggestedAmounts: [1000, 2500, 5000],
  minAmount: 100,
  maxAmount: 10_000_000,
  ...overrides,
});

/** The gift ledger, with the mail worker on the other end of its queue (same clock, same keys). */
export const makeGiftDeps = async () => {
  const mail = makeSubscriptionDeps();
  const { clock, queue } = mail;
  const campaigns = new MemoryCampaigns();
  await campaigns.saveSettings(campaignSettings(), clock.now());
  const gifts = new MemoryGifts(campaigns);
  const monthly = new MemoryMonthly();
  const deps: GiftDeps = {
    clock,
    gifts,
    campaigns,
    monthly,
    queue,
    keys: testKeys,
    settings: {
      siteName: 'Example News',
      apiBaseUrl: 'https://api.example.org',
      consentVersion: 'v1',
      defaultList: 'news',
    },
  };
  return {
    deps,
    clock,
    campaigns,
    gifts,
    monthly,
    queue,
    mailer: mail.mailer,
    mailDeps: mail.mailDeps,
    suppressions: mail.suppressions,
    subscribers: mail.subscribers,
    /** The mailing list's use cases on the same stores: a donor who is also a reader. */
    subscriptionDeps: mail.deps,
  };
};

/** One live attempt per fingerprint, never expiring within a test. */
export class MemoryAttempts implements CheckoutAttempts {
  readonly ids = new Map<string, string>();
  async attemptFor(fingerprint: string) {
    const id = this.ids.get(fingerprint) ?? `att_${this.ids.size + 1}`;
    this.ids.set(fingerprint, id);
    return id;
  }
  async renew(fingerprint: string) {
    const id = `att_${this.ids.size + 1}_renewed`;
    this.ids.set(fingerprint, id);
    return id;
  }
}

/**
 * The donations function's handler over in-memory fakes and the test's own `payments`: the `campaigns` (by default
 * one, `ukraine`), the test keys, links on https://api.example.org, and the routes' options (a checkout limit of
 * 10 a minute unless `routes` says otherwise).
 */
export const makeDonationsHandler = async <P extends Payments>(
  payments: P,
  options: {
    attempts?: CheckoutAttempts;
    currencies?: string[];
    campaigns?: CampaignSettings[];
    routes?: Partial<DonationRoutesOptions>;
    /** More of the donation settings (fee rates, embedded Checkout). */
    settings?: Partial<DonationSettings>;
  } = {},
) => {
  const clock = new FakeClock();
  const campaigns = new MemoryCampaigns();
  for (const settings of options.campaigns ?? [campaignSettings({ id: 'ukraine' })]) await campaigns.saveSettings(settings, clock.now());
  const deps: DonationDeps = {
    clock,
    campaigns,
    attempts: options.attempts ?? new MemoryAttempts(),
    payments,
    keys: testKeys,
    settings: { apiBaseUrl: 'https://api.example.org', currencies: options.currencies ?? ['usd'], ...options.settings },
  };
  const handler = makeHandler(deps, {
    siteName: 'Example News',
    rateLimiter: new MemoryRateLimiter(),
    checkoutLimit: { name: 'checkout-client', limit: 10, windowSeconds: 60 },
    ...options.routes,
  });
  return { clock, campaigns, deps, handler, payments };
};
