import { describe, expect, it } from 'vitest';
import { median, ratioInterval, seeded } from '../../../bench/stats.js';

// Import times as the bundles bench sees them: each run's pair shares the machine's drift at that moment, each
// measurement has its own noise, and one in ten lands on a busy moment (20% slower).
const runs = (n: number, fnMs: number, refMs: number, random: () => number) => {
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const busy = () => (random() < 0.1 ? 1.2 : 1);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    const drift = Math.exp(0.04 * normal());
    a.push(fnMs * drift * Math.exp(0.05 * normal()) * busy());
    b.push(refMs * drift * Math.exp(0.05 * normal()) * busy());
  }
  return { a, b };
};

describe('the interval of a ratio of medians', () => {
  it('holds the true ratio about 90% of the time, by simulation of 15 paired runs', () => {
    const random = seeded(7);
    const trials = 200;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const { a, b } = runs(15, 70, 56, random);
      const { low, high } = ratioInterval(a, b, { resamples: 1000, seed: t + 1 });
      if (low <= 1.25 && 1.25 <= high) covered++;
    }
    // A percentile bootstrap of a median from 15 runs errs a little wide: 0.92 to 0.94 over 400 trials each.
    expect(covered / trials).toBeGreaterThan(0.84);
    expect(covered / trials).toBeLessThan(0.98);
  });

  it('is the ratio of the medians, inside its interval, narrower with more runs, and the same for the same runs', () => {
    const random = seeded(3);
    const few = runs(11, 70, 56, random);
    const many = runs(61, 70, 56, random);
    const interval = ratioInterval(few.a, few.b);
    expect(interval.ratio).toBe(median(few.a) / median(few.b));
    expect(interval.low).toBeLessThanOrEqual(interval.ratio);
    expect(interval.high).toBeGreaterThanOrEqual(interval.ratio);
    const wide = ratioInterval(few.a, few.b);
    const narrow = ratioInterval(many.a, many.b);
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
    expect(ratioInterval(few.a, few.b)).toEqual(interval);
  });

  it('moves with a drift both sides share only as much as the ratio does', () => {
    // The same ratio at every run, whatever the machine did: the interval is that ratio alone.
    const ref = [50, 61, 48, 70, 52, 55, 49];
    const { ratio, low, high } = ratioInterval(ref.map((ms) => ms * 1.2), ref);
    expect([ratio, low, high].map((x) => x.toFixed(6))).toEqual(['1.200000', '1.200000', '1.200000']);
  });

  it('refuses runs that do not pair up', () => {
    expect(() => ratioInterval([1, 2], [1])).toThrow(/as many pairs/);
    expect(() => ratioInterval([], [])).toThrow(/at least one/);
  });
});
