import * as z from 'zod/mini';
import { Frequency } from '../core/donations/frequency.js';
import { Tribute } from '../core/donations/tribute.js';
import { safeParse, onFirstUse } from '../core/shared/schema.js';
import { LANGUAGES } from '../core/shared/i18n/index.js';
import { attributionMetadataShape } from '../core/experiments/attribution-metadata.js';

export { idOf, isLiveKey, type StripeOptions, stripeClient, translate } from './stripe-api.js';

/** Our metadata on every session, subscription and payment: all strings, as Stripe stores them. */
export const Metadata = /* @__PURE__ */ onFirstUse(() => z.object({
  campaign: z.optional(z.string()),
  frequency: z.catch(Frequency, 'once'),
  subscribe: z.catch(z.enum(['true', 'false']), 'false'),
  /** The donor's language, one of ours; anything else (a session our checkout did not make) is no language. */
  lang: z.catch(z.optional(z.enum(LANGUAGES)), undefined),
  /** The fee the donor covered, in minor units, within what was charged; anything that is not one is none. */
  fee_covered: z.catch(z.optional(z.pipe(z.string().check(z.regex(/^\d{1,12}$/)), z.transform(Number))), undefined),
  tribute_type: z.catch(z.optional(z.enum(['honour', 'memory'])), undefined),
  tribute_name: z.catch(z.optional(z.string()), undefined),
  anonymous: z.catch(z.optional(z.enum(['true', 'false'])), undefined),
  /** The version of the Gift Aid declaration the donor ticked at checkout. */
  gift_aid: z.catch(z.optional(z.string().check(z.minLength(1), z.maxLength(64))), undefined),
  /** Where the gift came from, in a few short keys (core/experiments/attribution.ts). */
  ...attributionMetadataShape(),
}));

/**
 * What our metadata says about a gift beyond its campaign: the covered fee (only when it is within the amount
 * charged), the tribute (only a whole, valid one) and the anonymous choice.
 */
export const giftDetailsOf = (meta: z.infer<typeof Metadata>, amount: number) => {
  const tribute = safeParse(Tribute, { type: meta.tribute_type, name: meta.tribute_name });
  return {
    ...(meta.fee_covered !== undefined && meta.fee_covered > 0 && meta.fee_covered < amount ? { feeCovered: meta.fee_covered } : {}),
    ...(tribute.success ? { tribute: tribute.data } : {}),
    ...(meta.anonymous === 'true' ? { anonymous: true } : {}),
  };
};
