import { describe, expect, it } from 'vitest';
import { recordPaymentEvent } from '../../../../functions/core/donations/gifts.js';
import type { Gift } from '../../../../functions/core/donations/model.js';
import type { TotalsChange } from '../../../../functions/core/donations/ports.js';
import { giftAttributionChange } from '../../../../functions/core/experiments/attribution-counts.js';
import type { Experiment } from '../../../../functions/core/experiments/model.js';
import { allocate, type GiftSums, readResults } from '../../../../functions/core/experiments/results.js';
import { variantGiftChange } from '../../../../functions/core/experiments/variant-gifts.js';
import { analyse, verdict } from '../../../../functions/core/experiments/stats.js';
import { NotFoundError } from '../../../../functions/core/shared/errors.js';
import { makeGiftDeps } from '../../../support/donation-fakes.js';
import { dispute, paid, refund } from '../../../support/payment-events.js';

/** The gift ledger in memory, adding each write's variant change (and attribution change) as the DynamoDB one does. */
const countingLedger = async () => {
  const t = await makeGiftDeps();
  const sums = new Map<string, { gifts: number; raised: number; squares: bigint; cubes: bigint }>();
  const attribution = new Map<string, Record<string, number>>();
  const save = t.deps.gifts.save.bind(t.deps.gifts);
  t.deps.gifts.save = async (next: Gift, current: Gift | undefined, totals?: TotalsChange | readonly TotalsChange[]) => {
    const saved = await save(next, current, totals);
    const change = variantGiftChange(current, saved);
    if (change) {
      const entry = sums.get(change.variant) ?? { gifts: 0, raised: 0, squares: 0n, cubes: 0n };
      sums.set(change.variant, { gifts: entry.gifts + change.gifts, raised: entry.raised + change.raised, squares: entry.squares + change.squares, cubes: entry.cubes + change.cubes });
    }
    const attributed = giftAttributionChange(current, saved);
    for (const key of attributed?.keys ?? []) {
      const id = key.kind === 'page' ? key.source : `${key.utmSource}/${key.utmMedium}/${key.utmCampaign}`;
      const entry = attribution.get(id) ?? {};
      for (const [name, delta] of Object.entries(attributed?.counts ?? {})) entry[name] = (entry[name] ?? 0) + delta;
      attribution.set(id, entry);
    }
    return saved;
  };
  return { ...t, sums, attribution };
};

const fromVariant = (variant: string, source = 'https://news.example.org/story') => ({ attribution: { variant, source, utmSource: 'mail', component: 'banner' as const } });

describe("a variant's gift counters", () => {
  it('count a paid gift once with its amount, square and cube, however often its events come', async () => {
    const t = await countingLedger();
    for (let i = 0; i < 3; i++) await recordPaymentEvent(t.deps, paid('pi_1', fromVariant('b')));
    await recordPaymentEvent(t.deps, paid('pi_2', { amount: 10_000_000, ...fromVariant('b') }));
    expect(t.sums.get('b')).toEqual({ gifts: 2, raised: 10_002_500, squares: 2500n ** 2n + 10_000_000n ** 2n, cubes: 2500n ** 3n + 10_000_000n ** 3n });
  });

  it('take a refund\'s money off, a full refund or an open dispute the gift too, and a won dispute puts it back', async () => {
    const t = await countingLedger();
    await recordPaymentEvent(t.deps, paid('pi_1', fromVariant('b')));
    await recordPaymentEvent(t.deps, refund('pi_1', 1000));
    expect(t.sums.get('b')).toEqual({ gifts: 1, raised: 1500, squares: 1500n ** 2n, cubes: 1500n ** 3n });
    await recordPaymentEvent(t.deps, dispute('pi_1', 'open'));
    expect(t.sums.get('b')).toEqual({ gifts: 0, raised: 0, squares: 0n, cubes: 0n });
    await recordPaymentEvent(t.deps, dispute('pi_1', 'won'));
    expect(t.sums.get('b')?.raised).toBe(1500);
    await recordPaymentEvent(t.deps, refund('pi_1', 2500));
    expect(t.sums.get('b')).toEqual({ gifts: 0, raised: 0, squares: 0n, cubes: 0n });
  });

  it("count a refund that came before its payment when the payment comes, and nothing for a gift no variant led to, a later month, or one its campaign cannot count", async () => {
    const t = await countingLedger();
    await recordPaymentEvent(t.deps, refund('pi_1', 500));
    await recordPaymentEvent(t.deps, paid('pi_1', fromVariant('b')));
    expect(t.sums.get('b')).toEqual({ gifts: 1, raised: 2000, squares: 2000n ** 2n, cubes: 2000n ** 3n });
    await recordPaymentEvent(t.deps, paid('pi_2'));
    await recordPaymentEvent(t.deps, paid('pi_3', { frequency: 'monthly', offersSignup: false, subscription: 'sub_1', ...fromVariant('c') }));
    await recordPaymentEvent(t.deps, paid('pi_4', { currency: 'eur', ...fromVariant('d') }));
    await recordPaymentEvent(t.deps, paid('pi_5', { status: 'processing', ...fromVariant('e') }));
    expect([...t.sums.keys()]).toEqual(['b']);
  });

  it("add a gift's money to its page and UTM source in its currency, net of refunds", async () => {
    const t = await countingLedger();
    await recordPaymentEvent(t.deps, paid('pi_1', fromVariant('b')));
    await recordPaymentEvent(t.deps, paid('pi_2', fromVariant('c', 'https://news.example.org/other')));
    await recordPaymentEvent(t.deps, refund('pi_2', 2500));
    expect(t.attribution.get('https://news.example.org/story')).toEqual({ gifts: 1, 'raised:usd': 2500 });
    expect(t.attribution.get('https://news.example.org/other')).toEqual({ gifts: 0, 'raised:usd': 0 });
    expect(t.attribution.get('mail/undefined/undefined')).toEqual({ gifts: 1, 'raised:usd': 2500 });
  });
});

const experiment: Experiment = {
  campaign: 'ukraine',
  since: '2026-11-20T12:00:00.000Z',
  variants: [
    { id: 'control', weight: 1 },
    { id: 'b', weight: 1, headline: 'Now' },
    { id: 'old', weight: 0 },
  ],
};
const gifts: Record<string, GiftSums> = {
  control: { gifts: 3, raised: 7500, raisedSquares: 3 * 2500 ** 2, raisedCubes: 3 * 2500 ** 3 },
  b: { gifts: 5, raised: 20_000, raisedSquares: 4 * 2500 ** 2 + 10_000 ** 2, raisedCubes: 4 * 2500 ** 3 + 10_000 ** 3 },
};
const resultsDeps = (since: string[] = []) => ({
  clock: { now: () => new Date('2026-11-25T10:00:00Z') },
  experiments: { get: async (campaign: string) => (campaign === 'ukraine' ? experiment : undefined) },
  events: {
    totals: async (_campaign: string, from: string, until: string) => {
      since.push(from, until);
      return { control: { views: 400, clicks: 20 }, b: { views: 410, clicks: 31 } };
    },
  },
  gifts: { totals: async () => gifts },
});

describe('readResults', () => {
  it('gives each variant its counts, intervals and chance of beating the control from the counters since the experiment began', async () => {
    const days: string[] = [];
    const results = await readResults(resultsDeps(days), 'ukraine');
    expect(days).toEqual(['2026-11-20', '2026-11-25']);
    const arms = [
      { id: 'control', views: 400, gifts: 3, raised: 7500, raisedSquares: gifts.control?.raisedSquares ?? 0, raisedCubes: gifts.control?.raisedCubes ?? 0 },
      { id: 'b', views: 410, gifts: 5, raised: 20_000, raisedSquares: gifts.b?.raisedSquares ?? 0, raisedCubes: gifts.b?.raisedCubes ?? 0 },
      { id: 'old', views: 0, gifts: 0, raised: 0, raisedSquares: 0, raisedCubes: 0 },
    ];
    const expected = analyse(arms);
    expect(results.campaign).toBe('ukraine');
    expect(results.since).toBe(experiment.since);
    expect(results.variants.map(({ id, views, clicks, gifts: g, raised }) => ({ id, views, clicks, gifts: g, raised }))).toEqual([
      { id: 'control', views: 400, clicks: 20, gifts: 3, raised: 7500 },
      { id: 'b', views: 410, clicks: 31, gifts: 5, raised: 20_000 },
      { id: 'old', views: 0, clicks: 0, gifts: 0, raised: 0 },
    ]);
    expect(results.variants[1]?.conversion).toEqual(expected[1]?.conversion);
    expect(results.variants[1]?.rpm).toEqual(expected[1]?.rpm);
    expect(results.variants[1]?.probabilityBeatsControl).toBe(expected[1]?.probabilityBeatsControl);
    expect(results.variants[0]).not.toHaveProperty('probabilityBeatsControl');
    expect(results.verdict).toBe(verdict(arms).sentence);
    expect(results.verdict).toMatch(/^Not enough data yet/);
  });

  it('answers NotFoundError for a campaign that does not exist', async () => {
    await expect(readResults(resultsDeps(), 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('allocate', () => {
  it('serves the set weights unless the experiment follows its results', async () => {
    expect(await allocate(resultsDeps(), experiment)).toEqual(experiment.variants);
  });

  it('with Thompson sampling, shows the likelier winner more, and a variant at weight 0 never', async () => {
    const weights = await allocate(resultsDeps(), { ...experiment, allocation: 'thompson' });
    const [control, b, old] = weights.map((v) => v.weight);
    expect(old).toBe(0);
    expect(b).toBeGreaterThan(control ?? 1);
    expect((control ?? 0) + (b ?? 0)).toBeCloseTo(1, 2);
    expect(weights[1]?.headline).toBe('Now');
  });
});
