import * as z from 'zod/mini';
import { nonEmpty, onFirstUse, wholeNumber } from '../core/shared/schema.js';
import { positiveInt } from '../platform/config.js';

/** The events route (POST /v1/events): views and clicks from the embed, checked and queued for the counter. */
export const EventsConfig = /* @__PURE__ */ onFirstUse(() => z.object({
  /** Read only: the campaigns and their variants, to refuse an event for one that does not exist. */
  DONATIONS_TABLE_NAME: nonEmpty(),
  EVENTS_QUEUE_URL: nonEmpty(),
  /**
   * Events a client IP may send a minute, counted in each running instance (core/experiments/events.ts): a reader
   * sends a view per page and a click or two, so 120 leaves room for many readers behind one office's address.
   */
  EVENTS_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 120),
  /** How long an instance keeps a campaign's variants between reads: a changed variant is known within it. */
  EXPERIMENT_CACHE_SECONDS: z._default(wholeNumber(0, 300), 60),
}));
export type EventsConfig = z.infer<typeof EventsConfig>;
