import type { Campaign, CampaignSettings, Gift } from '../../functions/core/donations-model.js';
import { ConflictError } from '../../functions/core/errors.js';
import type { GiftDeps } from '../../functions/core/gifts.js';
import { type CampaignOp, type CampaignRepository, type DonorRegistry, type GiftLedger, type MonthlyGifts, OP_GRACE_SECONDS } from '../../functions/core/ports.js';
import { FakeClock, MemoryQueue, testKeys } from './fakes.js';

export class MemoryCampaigns implements CampaignRepository {
  readonly items = new Map<string, Campaign & { ops: Map<string, number> }>();
  async get(id: string) {
    const item = this.items.get(id);
    if (!item) return undefined;
    const { ops: _ops, ...campaign } = item;
    return structuredClone(campaign);
  }
  async list() {
    return Promise.all([...this.items.keys()].map(async (id) => (await this.get(id)) as Campaign));
  }
  async saveSettings(settings: CampaignSettings, now: Date) {
    const existing = this.items.get(settings.id);
    const at = now.toISOString();
    const next = {
      raised: 0,
      donations: 0,
      donors: 0,
      createdAt: at,
      ops: new Map<string, number>(),
      ...existing,
      ...settings,
      updatedAt: at,
    };
    this.items.set(settings.id, next);
    return (await this.get(settings.id)) as Campaign;
  }
  async applyOp(campaignId: string, op: CampaignOp, now: Date) {
    const item = this.items.get(campaignId);
    if (!item) throw new Error('no campaign');
    if (item.ops.has(op.id)) return false;
    item.ops.set(op.id, 0);
    item.raised += op.raised;
    item.donations += op.donations;
    item.donors += op.donors;
    item.updatedAt = now.toISOString();
    return true;
  }
  async retireOp(campaignId: string, opId: string, now: Date) {
    const ops = this.items.get(campaignId)?.ops;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (!ops?.has(opId)) return;
    ops.set(opId, nowSeconds);
    for (const [id, retiredAt] of ops) if (retiredAt > 0 && retiredAt < nowSeconds - OP_GRACE_SECONDS) ops.delete(id);
  }
}

export class MemoryGifts implements GiftLedger {
  readonly items = new Map<string, Gift>();
  async get(key: string) {
    const item = this.items.get(key);
    return item && structuredClone(item);
  }
  async save(next: Gift, expectedVersion: number | undefined) {
    const current = this.items.get(next.key);
    if (expectedVersion === undefined ? current !== undefined : current?.version !== expectedVersion) {
      throw new ConflictError('gift changed concurrently');
    }
    const stored = JSON.parse(JSON.stringify({ ...next, version: (expectedVersion ?? 0) + 1 })) as Gift;
    this.items.set(next.key, stored);
    return structuredClone(stored);
  }
}

export class MemoryDonors implements DonorRegistry {
  readonly items = new Map<string, string>();
  async registerFirstGift(campaignId: string, donorKey: string, opId: string) {
    const id = `${campaignId}#${donorKey}`;
    const first = this.items.get(id);
    if (first === undefined) {
      this.items.set(id, opId);
      return true;
    }
    return first === opId;
  }
}

export class MemoryMonthly implements MonthlyGifts {
  readonly items = new Map<string, string>();
  async record(subscription: string, status: 'active' | 'ended') {
    if (this.items.get(subscription) !== 'ended') this.items.set(subscription, status);
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

export const makeGiftDeps = async () => {
  const clock = new FakeClock();
  const campaigns = new MemoryCampaigns();
  await campaigns.saveSettings(campaignSettings(), clock.now());
  const gifts = new MemoryGifts();
  const donors = new MemoryDonors();
  const monthly = new MemoryMonthly();
  const queue = new MemoryQueue();
  const deps: GiftDeps = {
    clock,
    gifts,
    campaigns,
    donors,
    monthly,
    queue,
    keys: testKeys,
    settings: {
      siteName: 'Example News',
      charityName: 'Example Charity',
      charityRegistration: '1234567',
      apiBaseUrl: 'https://api.example.org',
      consentVersion: 'v1',
      defaultList: 'news',
    },
  };
  return { deps, clock, campaigns, gifts, donors, monthly, queue };
};
