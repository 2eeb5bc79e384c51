// The benchmarks' statistics: medians, and how sure a ratio of two medians is.
//
// The ratio's interval is for `npm run bench:bundles`: a function's and its reference's import times are
// measured in pairs (function, reference, function, reference...), so the machine's drift hits both alike, and a run
// that landed on a busy moment should move both sides of the ratio together. The interval resamples whole runs
// (a pair at a time) and takes the ratio of the medians each time: the percentile bootstrap. Its coverage is checked
// by simulation in tests/unit/bench/stats.test.ts.

export const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** A small seeded generator (mulberry32): the same runs give the same interval. */
export const seeded = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

export interface RatioInterval {
  ratio: number;
  low: number;
  high: number;
}

/**
 * The ratio of the medians, `median(a) / median(b)`, with its `level` interval from `resamples` resamplings of the
 * pairs (a[i], b[i]). `a` and `b` are one run's pair at each index.
 */
export const ratioInterval = (a: readonly number[], b: readonly number[], { level = 0.9, resamples = 2000, seed = 1 } = {}): RatioInterval => {
  if (a.length !== b.length || a.length === 0) throw new Error('ratioInterval needs as many pairs on both sides, at least one');
  const random = seeded(seed);
  const ratios: number[] = [];
  const ra = new Array<number>(a.length);
  const rb = new Array<number>(b.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < a.length; i++) {
      const pick = Math.floor(random() * a.length);
      ra[i] = a[pick] ?? 0;
      rb[i] = b[pick] ?? 0;
    }
    ratios.push(median(ra) / median(rb));
  }
  ratios.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  return {
    ratio: median(a) / median(b),
    low: ratios[Math.floor(tail * resamples)] ?? Number.NaN,
    high: ratios[Math.min(resamples - 1, Math.ceil((1 - tail) * resamples) - 1)] ?? Number.NaN,
  };
};
