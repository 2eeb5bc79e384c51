/**
 * Seeded randomness for the statistics: the same seed gives the same draws, so a result page, a test and a
 * simulation are reproducible. No `Math.random` here: its draws cannot be replayed.
 */
export type Random = () => number;

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Chaotic generator, 128 bits of state): uniform in [0, 1), passes
 * PractRand to terabytes, and is a few integer operations a draw. The seed is spread over the state by
 * splitmix32 and the first draws are discarded, so nearby seeds give unrelated streams.
 */
export const seededRandom = (seed: number): Random => {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
};

/** A standard normal draw (Marsaglia's polar method). */
export const normal = (random: Random): number => {
  for (;;) {
    const u = 2 * random() - 1;
    const v = 2 * random() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
};

/** A Gamma(shape, 1) draw (Marsaglia and Tsang, 2000; shape < 1 by the boost Gamma(shape + 1) · U^(1/shape)). */
export const gamma = (random: Random, shape: number): number => {
  if (shape < 1) return gamma(random, shape + 1) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
};

/** A Beta(a, b) draw, as X / (X + Y) of two Gamma draws. */
export const beta = (random: Random, a: number, b: number): number => {
  const x = gamma(random, a);
  return x / (x + gamma(random, b));
};

/**
 * A Binomial(n, p) draw by waiting times: geometric gaps between successes, so it costs the number of successes
 * (tens for a rare event over thousands of trials), not n.
 */
export const binomial = (random: Random, n: number, p: number): number => {
  if (p <= 0 || n <= 0) return 0;
  if (p >= 1) return n;
  const logQ = Math.log1p(-p);
  let successes = 0;
  let position = 0;
  for (;;) {
    position += Math.floor(Math.log(1 - random()) / logQ) + 1;
    if (position > n) return successes;
    successes += 1;
  }
};
