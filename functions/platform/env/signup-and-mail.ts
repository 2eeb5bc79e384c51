import * as z from 'zod/mini';
import { blankAsAbsent, nonEmpty } from '../../core/shared/schema.js';
import { SubscriberConfig, defaultListIsAList } from './subscribers.js';

/** The mailer: applies signup work and sends mail through SES. It consumes the queue and puts nothing on it. */
export const SignupAndMailConfig = z.extend(SubscriberConfig, {
  MAIL_FROM: z.string().check(z.minLength(3)),
  MAIL_REPLY_TO: blankAsAbsent(z.string().check(z.minLength(3))),
  SES_CONFIGURATION_SET: blankAsAbsent(z.string()),
  /** Named on every receipt, which the mailer renders from the gift the webhook queued. */
  CHARITY_NAME: nonEmpty(),
  CHARITY_REGISTRATION: nonEmpty(),
}).check(z.refine(...defaultListIsAList));
export type SignupAndMailConfig = z.infer<typeof SignupAndMailConfig>;
