import * as z from 'zod/mini';
import { DEFAULT_LANGUAGE, LANGUAGES } from '../core/shared/i18n/index.js';
import { nonEmpty, onFirstUse, wholeNumber } from '../core/shared/schema.js';
import { oneOf } from '../platform/config.js';

/** The webhook events producer: the tables' change streams into kept events and queued deliveries. */
export const WebhookEventsConfig = /* @__PURE__ */ onFirstUse(() => z.object({
  /** Where the endpoints, events and deliveries are kept; its stream tells subscriber changes and erasures. */
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  /** Its stream tells gifts and monthly gifts (named here to know a record's table by its stream). */
  DONATIONS_TABLE_NAME: nonEmpty(),
  /** The signing secret: events are filed under a person's keyed hash, and their ids are keyed. */
  SIGNING_SECRET_ID: nonEmpty(),
  WEBHOOK_QUEUE_URL: nonEmpty(),
  /** A subscriber's language when their own is not known. */
  SITE_LANGUAGE: z._default(oneOf(LANGUAGES), DEFAULT_LANGUAGE),
  /** How long the list of endpoints is kept between reads: an endpoint added gets events from at most this later. */
  WEBHOOK_ENDPOINTS_CACHE_SECONDS: z._default(wholeNumber(0, 300), 10),
}));
export type WebhookEventsConfig = z.infer<typeof WebhookEventsConfig>;
