import * as z from 'zod/mini';
import { httpUrl, onFirstUse } from '../core/shared/schema.js';
import { optionalUrl, positiveInt, SITE_TIME_ZONE } from '../platform/config.js';
import { SubscriberConfig, defaultListIsAList } from '../platform/subscriber-config.js';

/** The subscriptions function: signup, confirm, unsubscribe; puts signup work and mail on the queue. */
export const SubscriptionConfig = /* @__PURE__ */ onFirstUse(() => z.extend(SubscriberConfig, {
  /** The queue that carries signup work and mail to the mailer. */
  SIGNUP_AND_MAIL_QUEUE_URL: httpUrl(),
  THANK_YOU_URL: optionalUrl,
  CONFIRMED_URL: optionalUrl,
  SIGNUP_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 30),
  LINK_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 60),
  /** "Remind me later": requests per client a minute, and reminders asked for one address a day. */
  REMINDER_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 30),
  REMINDER_ADDRESS_LIMIT_PER_DAY: z._default(positiveInt, 5),
  SITE_TIME_ZONE,
}).check(z.refine(...defaultListIsAList)));
export type SubscriptionConfig = z.infer<typeof SubscriptionConfig>;
