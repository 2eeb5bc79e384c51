import * as z from 'zod/mini';
import { httpUrl } from '../core/shared/schema.js';
import { optionalUrl, positiveInt } from '../platform/config.js';
import { SubscriberConfig, defaultListIsAList } from '../platform/subscriber-config.js';

/** The subscriptions function: signup, confirm, unsubscribe; puts signup work and mail on the queue. */
export const SubscriptionConfig = z.extend(SubscriberConfig, {
  /** The queue that carries signup work and mail to the mailer. */
  SIGNUP_AND_MAIL_QUEUE_URL: httpUrl(),
  THANK_YOU_URL: optionalUrl,
  CONFIRMED_URL: optionalUrl,
  SIGNUP_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 30),
  LINK_CLIENT_LIMIT_PER_MINUTE: z._default(positiveInt, 60),
}).check(z.refine(...defaultListIsAList));
export type SubscriptionConfig = z.infer<typeof SubscriptionConfig>;
