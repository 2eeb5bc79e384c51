import type { Client } from './model.js';
import type { Clock } from './ports.js';
import { type Keys, keyedHash } from './secrets.js';

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

/** Counts one request from a client (by keyed hash of its IP) against a limit; throws RateLimitedError. */
export const limitClient = (deps: { rateLimiter: RateLimiter; keys: Keys; clock: Clock }, rule: RateLimit, client: Client) =>
  deps.rateLimiter.hit(rule, keyedHash(deps.keys.clientIp, client.ip), deps.clock.now());
