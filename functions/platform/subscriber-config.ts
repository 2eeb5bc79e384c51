import * as z from 'zod/mini';
import { nonEmpty, onFirstUse } from '../core/shared/schema.js';
import { ListId } from '../core/subscriptions/fields.js';
import { BaseConfig, COUNTER_SHARDS, listOf, positiveInt } from './config.js';

/** What every function that writes subscribers or mails them needs: the lists, the consent and the links' terms. */
export const SubscriberConfig = /* @__PURE__ */ onFirstUse(() => z.extend(BaseConfig, {
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  LIST_IDS: listOf(ListId),
  DEFAULT_LIST: nonEmpty(),
  CONSENT_VERSION: nonEmpty(),
  CONFIRM_TTL_DAYS: z._default(positiveInt, 7),
  MAIL_INTERVAL_SECONDS: z._default(positiveInt, 300),
  SIGNUP_ADDRESS_LIMIT_PER_HOUR: z._default(positiveInt, 5),
  COUNTER_SHARDS,
}));
export const defaultListIsAList = [(c: { LIST_IDS: string[]; DEFAULT_LIST: string }) => c.LIST_IDS.includes(c.DEFAULT_LIST), { message: 'DEFAULT_LIST must be one of LIST_IDS' }] as const;

