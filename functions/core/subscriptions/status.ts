import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { LANGUAGES } from '../shared/i18n/index.js';

// A module of its own: the events' bodies carry a reader's language and status without the subscriber's model.

/**
 * A reader's language, one of ours (functions/core/shared/i18n): stored with a subscriber, carried by a signup
 * request and by the mail intents, so that every page and email speaks it.
 */
export const LanguageCode = /* @__PURE__ */ onFirstUse(() => z.enum(LANGUAGES));

export const SubscriberStatus = /* @__PURE__ */ onFirstUse(() => z.enum(['pending', 'confirmed', 'unsubscribed', 'bounced', 'complained']));

export type SubscriberStatus = z.infer<typeof SubscriberStatus>;
