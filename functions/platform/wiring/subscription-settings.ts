import type { SubscriptionSettings } from '../../core/subscriptions/subscriptions.js';
import type { SignupAndMailConfig, SubscriptionConfig } from '../../configs.js';

/**
 * The mailing list's settings, as the subscriptions function and the mailer both apply them. Apart from the stores
 * (subscribers.ts): the subscriptions function reads them at cold start and builds its stores only on first use.
 */
export const subscriptionSettings = (config: SubscriptionConfig | SignupAndMailConfig): SubscriptionSettings => ({
  siteName: config.SITE_NAME,
  apiBaseUrl: config.PUBLIC_API_URL,
  lists: { ids: config.LIST_IDS, default: config.DEFAULT_LIST },
  consentVersion: config.CONSENT_VERSION,
  confirmTtlSeconds: config.CONFIRM_TTL_DAYS * 86400,
  mailIntervalSeconds: config.MAIL_INTERVAL_SECONDS,
  limits: {
    signupAddress: { name: 'signup-address', limit: config.SIGNUP_ADDRESS_LIMIT_PER_HOUR, windowSeconds: 3600 },
  },
});
