import { describe, expect, it } from 'vitest';
import { CachedCampaigns } from '../../../../functions/core/donations/campaign-cache.js';
import { campaignSettings, MemoryCampaigns } from '../../../support/donation-fakes.js';
import { FakeClock } from '../../../support/fakes.js';

const counting = async () => {
  const inner = new MemoryCampaigns();
  const clock = new FakeClock();
  await inner.saveSettings(campaignSettings(), clock.now());
  const calls = { get: 0 };
  const get = inner.get.bind(inner);
  inner.get = async (id: string) => {
    calls.get += 1;
    return get(id);
  };
  return { inner, clock, calls };
};

describe('the campaign progress cache', () => {
  it('reads a campaign once per few seconds however many banners ask, then again', async () => {
    const { inner, clock, calls } = await counting();
    const cached = new CachedCampaigns(inner, clock, 5);
    await Promise.all(Array.from({ length: 50 }, () => cached.get('ukraine')));
    expect(calls.get).toBe(1);
    inner.items.get('ukraine')!.raised = 4200;
    clock.advance(4);
    expect((await cached.get('ukraine'))?.raised).toBe(0);
    clock.advance(2);
    expect((await cached.get('ukraine'))?.raised).toBe(4200);
    expect(calls.get).toBe(2);
  });

  it('keeps no failed read, and caches nothing at 0 s', async () => {
    const { inner, clock, calls } = await counting();
    const cached = new CachedCampaigns(inner, clock, 5);
    const get = inner.get;
    inner.get = async () => {
      throw new Error('DynamoDB is unavailable');
    };
    await expect(cached.get('ukraine')).rejects.toThrow('unavailable');
    inner.get = get;
    expect((await cached.get('ukraine'))?.title).toBe('Support Ukraine');
    const uncached = new CachedCampaigns(inner, clock, 0);
    const before = calls.get;
    await uncached.get('ukraine');
    await uncached.get('ukraine');
    expect(calls.get - before).toBe(2);
  });
});
