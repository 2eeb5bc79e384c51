import * as z from 'zod/mini';
import { blankAsAbsent, nonEmpty, onFirstUse } from '../core/shared/schema.js';
import type { MailSender } from '../core/mail/emails.js';
import { SubscriberConfig, defaultListIsAList } from '../platform/subscriber-config.js';

/** The mailer: applies signup work and sends mail through SES. It consumes the queue and puts nothing on it. */
export const SignupAndMailConfig = /* @__PURE__ */ onFirstUse(() => z.extend(SubscriberConfig, {
  MAIL_FROM: z.string().check(z.minLength(3)),
  MAIL_REPLY_TO: blankAsAbsent(z.string().check(z.minLength(3))),
  SES_CONFIGURATION_SET: blankAsAbsent(z.string()),
  /** Named on every receipt, which the mailer renders from the gift the webhook queued. */
  CHARITY_NAME: nonEmpty(),
  CHARITY_REGISTRATION: nonEmpty(),
  /** The sender's postal address, at the foot of every email (CAN-SPAM): no default outside the dev server. */
  POSTAL_ADDRESS: z.string().check(z.minLength(5), z.maxLength(300)),
  /** The organisation named with it as the sender; default SITE_NAME. */
  SENDER_NAME: blankAsAbsent(z.string().check(z.minLength(1), z.maxLength(200))),
}).check(z.refine(...defaultListIsAList)));
export type SignupAndMailConfig = z.infer<typeof SignupAndMailConfig>;

/** Who the mailer's emails come from, and how they look (their masthead and footer). */
export const mailSenderOf = (config: SignupAndMailConfig): MailSender => ({
  name: config.SENDER_NAME ?? config.SITE_NAME,
  postalAddress: config.POSTAL_ADDRESS,
  siteUrl: config.SITE_URL,
  logoUrl: config.SITE_LOGO_URL,
  color: config.SITE_BRAND_COLOR,
  accent: config.SITE_ACCENT_COLOR,
  language: config.SITE_LANGUAGE,
});
