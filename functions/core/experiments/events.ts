import { RateLimitedError, ValidationError } from '../shared/errors.js';
import type { Client } from '../shared/model.js';
import type { Clock } from '../shared/ports.js';
import type { CountedEvent, CounterIncrement, EventRequest, Experiment } from './model.js';
import type { EventCounters, EventQueue } from './ports.js';

/**
 * Crawlers and link previews that run the page's script would count views no reader saw. Those that say what they
 * are are left out here; readers without JavaScript never send an event at all.
 */
const BOT = /bot\b|crawl|spider|slurp|preview|facebookexternalhit|lighthouse|pagespeed/i;
export const isBot = (userAgent: string | undefined) => userAgent === undefined || userAgent === '' || BOT.test(userAgent);

/** Looks a campaign's experiment up (cached, see `cachedExperiments`): undefined when there is no such campaign. */
export type ExperimentLookup = (campaign: string) => Promise<Experiment | undefined>;

/**
 * Requests per client IP in a fixed window, counted in the function's own memory: a count in DynamoDB would be
 * a write per view, more than every other part of a view's cost together (bench/events.ts). So each running
 * instance limits on its own: a client that floods the route meets the limit in every instance it reaches, and the
 * route's throttling (infra) bounds the sum. The IP is held in memory for the window only, never written or logged.
 */
export class InstanceRateLimiter {
  private windowStart = 0;
  private hits = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly windowSeconds = 60,
    /** Clients kept per window: past it the window starts again, so memory stays bounded under a spread flood. */
    private readonly maxClients = 50_000,
  ) {}

  hit(ip: string, now: Date): void {
    const seconds = Math.floor(now.getTime() / 1000);
    const windowStart = seconds - (seconds % this.windowSeconds);
    if (windowStart !== this.windowStart || this.hits.size >= this.maxClients) {
      this.windowStart = windowStart;
      this.hits = new Map();
    }
    const hits = (this.hits.get(ip) ?? 0) + 1;
    this.hits.set(ip, hits);
    if (hits > this.limit) throw new RateLimitedError(Math.max(1, windowStart + this.windowSeconds - seconds));
  }
}

export interface EventDeps {
  clock: Clock;
  experiments: ExperimentLookup;
  queue: EventQueue;
  limiter: InstanceRateLimiter;
}

/**
 * One view or click from the embed: limited per client, checked against the campaign's variants, then queued for
 * the counter (the queue keeps it before this returns). A bot's event is accepted and not counted.
 * Throws ValidationError for an unknown campaign or variant, RateLimitedError past the client's limit.
 */
export const recordEvent = async (deps: EventDeps, event: EventRequest, client: Client): Promise<'counted' | 'ignored'> => {
  const now = deps.clock.now();
  deps.limiter.hit(client.ip, now);
  if (isBot(client.userAgent)) return 'ignored';
  const experiment = await deps.experiments(event.campaign);
  if (!experiment) throw new ValidationError('unknown_campaign', 'There is no campaign with this id.', { field: 'campaign' });
  if (!experiment.variants.some((variant) => variant.id === event.variant)) {
    throw new ValidationError('unknown_variant', 'The campaign has no variant with this id.', { field: 'variant' });
  }
  await deps.queue.send({ ...event, day: now.toISOString().slice(0, 10) });
  return 'counted';
};

/**
 * A look-up that keeps each campaign's experiment (or its absence) for `ttlSeconds`, so a flood of views reads
 * each campaign once per interval per running function, not once per view. A changed variant reaches the events
 * route within the interval.
 */
export const cachedExperiments = (load: ExperimentLookup, clock: Clock, ttlSeconds: number, maxCampaigns = 1_000): ExperimentLookup => {
  // The promise is kept, not its value: the views that arrive while a campaign is being read wait for that one read.
  const cache = new Map<string, { value: Promise<Experiment | undefined>; until: number }>();
  return (campaign) => {
    const now = clock.now().getTime();
    const hit = cache.get(campaign);
    if (hit && hit.until > now) return hit.value;
    const value = load(campaign);
    if (cache.size >= maxCampaigns) cache.clear();
    cache.set(campaign, { value, until: now + ttlSeconds * 1000 });
    value.catch(() => cache.delete(campaign));
    return value;
  };
};

/** A batch of events as counter increments: one per campaign and day, each holding every variant's views and clicks. */
export const aggregate = (events: readonly CountedEvent[]): CounterIncrement[] => {
  const byKey = new Map<string, CounterIncrement>();
  for (const event of events) {
    const key = `${event.campaign}\u0000${event.day}`;
    let increment = byKey.get(key);
    if (!increment) {
      increment = { campaign: event.campaign, day: event.day, counts: {} };
      byKey.set(key, increment);
    }
    const counter = `${event.type}:${event.variant}`;
    increment.counts[counter] = (increment.counts[counter] ?? 0) + 1;
  }
  return [...byKey.values()];
};

/** Adds a queue batch's events to the counters in one all-or-nothing write; the same batch again adds nothing. */
export const countEvents = async (deps: { counters: EventCounters }, events: readonly CountedEvent[], batchId: string) => {
  const increments = aggregate(events);
  if (increments.length > 0) await deps.counters.add(increments, batchId);
  return increments.length;
};
