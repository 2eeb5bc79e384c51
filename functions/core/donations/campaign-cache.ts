import type { Campaign } from './campaign.js';
import type { CampaignReads } from './ports.js';
import type { Clock } from '../shared/ports.js';

/**
 * Keeps each campaign read by `get` (settings and summed totals) for a few seconds, so that a flood of banner
 * views costs one read of the campaign's shard items per warm function every few seconds, not one per view. The
 * banner is cached by browsers for 30 s anyway. Settings reads for checkout (`getSettings`) are never cached.
 */
export class CachedCampaigns implements CampaignReads {
  private readonly entries = new Map<string, { at: number; campaign: Promise<Campaign | undefined> }>();

  constructor(
    private readonly inner: CampaignReads,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
  ) {}

  get(id: string) {
    if (this.ttlSeconds <= 0) return this.inner.get(id);
    const now = this.clock.now().getTime();
    const entry = this.entries.get(id);
    if (entry && now - entry.at < this.ttlSeconds * 1000) return entry.campaign;
    const campaign = this.inner.get(id);
    this.entries.set(id, { at: now, campaign });
    // A failed read is not kept: the next view tries again.
    campaign.catch(() => this.entries.delete(id));
    if (this.entries.size > 100) this.entries.delete(this.entries.keys().next().value as string);
    return campaign;
  }

  getSettings(id: string) {
    return this.inner.getSettings(id);
  }
}
