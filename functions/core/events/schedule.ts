const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The waits before each retry of a failed delivery (Standard Webhooks' suggested schedule, as Svix runs it):
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. So one event is tried 8 times over about 28 hours.
 */
export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR] as const;

export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** Each wait is stretched or shrunk by up to this fraction, so that retries after an outage do not all land together. */
export const JITTER = 0.1;

/** An endpoint that has answered nothing but failures for this long is disabled (and the admins told). */
export const DISABLE_AFTER_MS = 3 * 24 * HOUR;

/** A delivery counts only if a 2xx answer starts within this time. */
export const DELIVERY_TIMEOUT_MS = 10 * SECOND;

/**
 * When to make attempt `attempt + 1` after attempt `attempt` (1-based) failed at `now`, or undefined when that
 * was the last. `random` is in [0, 1) (Math.random in production, fixed in tests).
 */
export const nextAttemptAt = (attempt: number, now: Date, random: () => number): Date | undefined => {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  if (delay === undefined || attempt < 1) return undefined;
  const factor = 1 + (random() * 2 - 1) * JITTER;
  return new Date(now.getTime() + Math.round(delay * factor));
};

/** What one attempt came to, as `deliver` reports it. */
export type AttemptResult = { delivered: true } | { delivered: false };

/** A delivery's state after an attempt, and what becomes of its endpoint. */
export interface DeliveryOutcome {
  status: 'delivered' | 'pending' | 'failed';
  /** Set when status is `pending`. */
  nextAttemptAt?: string;
  /** Since when the endpoint has failed without a success in between; undefined once it succeeds. */
  endpointFailingSince: string | undefined;
  /** True when this failure makes three days of failures: the endpoint is disabled and its pending deliveries stop. */
  disableEndpoint: boolean;
}

/**
 * Decides what follows attempt `attempt` (1-based) of a delivery, from its result, the endpoint's failing-since
 * time and the clock: a success clears the endpoint's failures; a failure schedules the next attempt by
 * RETRY_DELAYS_MS, or fails the delivery after the last one; and once the endpoint has failed for three days, it
 * is disabled and the delivery fails.
 */
export const deliveryOutcome = (input: {
  attempt: number;
  result: AttemptResult;
  endpointFailingSince: string | undefined;
  now: Date;
  random: () => number;
}): DeliveryOutcome => {
  const { attempt, result, now } = input;
  if (result.delivered) return { status: 'delivered', endpointFailingSince: undefined, disableEndpoint: false };
  const failingSince = input.endpointFailingSince ?? now.toISOString();
  if (now.getTime() - Date.parse(failingSince) >= DISABLE_AFTER_MS) {
    return { status: 'failed', endpointFailingSince: failingSince, disableEndpoint: true };
  }
  const next = nextAttemptAt(attempt, now, input.random);
  return next
    ? { status: 'pending', nextAttemptAt: next.toISOString(), endpointFailingSince: failingSince, disableEndpoint: false }
    : { status: 'failed', endpointFailingSince: failingSince, disableEndpoint: false };
};

/** SQS delays a message by at most 15 minutes: a longer wait is made of several. */
export const MAX_QUEUE_DELAY_SECONDS = 900;

/** The queue's delay (whole seconds, at most MAX_QUEUE_DELAY_SECONDS) until `at`, from `now`. */
export const delayUntil = (at: string, now: Date) => Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((Date.parse(at) - now.getTime()) / 1000)));
