import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import type { Clock } from '../shared/ports.js';
import { inLanguage } from '../shared/i18n/index.js';
import { openToken, sealToken } from '../shared/secrets.js';

/** The donor's cancellations of their Gift Aid declarations, by their address (canonical form). */
export interface GiftAidCancellations {
  /** Records that the donor cancelled at `at`; every cancellation is kept (see claimLineOf). Idempotent per instant. */
  cancel(email: string, at: Date): Promise<void>;
  /** When the donor cancelled (ISO instants, oldest first); none when they never did. */
  cancellationsOf(email: string): Promise<string[]>;
}

const CancelPayload = /* @__PURE__ */ onFirstUse(() => z.object({ e: z.string().check(z.minLength(3), z.maxLength(320)) }));
const PURPOSE = 'gift-aid';

/**
 * The link that lets a donor cancel their Gift Aid declarations, sealed for this purpose only (a manage, statement
 * or unsubscribe link never opens it). It never expires, like an unsubscribe link: HMRC lets a donor cancel at any
 * time, and the page it opens shows nothing about them and can only cancel.
 */
export const giftAidLink = (keys: { token: Buffer }, apiBaseUrl: string, email: string, lang?: string) =>
  inLanguage(`${apiBaseUrl}/v1/donations/gift-aid?${new URLSearchParams({ token: sealToken(keys.token, PURPOSE, { e: email }) })}`, lang);

/** The donor's address a Gift Aid link was sealed for. Throws InvalidTokenError for a forged or other-purpose one. */
export const readGiftAidToken = (keys: { token: Buffer }, token: string) => openToken(keys.token, PURPOSE, token, CancelPayload).e;

/** `GET|POST /v1/donations/gift-aid?token=T`. */
export const GiftAidQuery = /* @__PURE__ */ onFirstUse(() => z.object({
  token: z.string({ error: 'This link is not valid: it has no token. It may have been copied incompletely.' }).check(z.maxLength(2048)),
}));

export interface GiftAidCancelDeps {
  clock: Clock;
  keys: { token: Buffer };
  cancellations: GiftAidCancellations;
}

/**
 * Cancels the Gift Aid declarations of the donor a link was sealed for, from now: gifts paid from now on under
 * them are not claimed (those paid before still are, as HMRC's rules say). Recorded with its time. Throws
 * InvalidTokenError.
 */
export const cancelGiftAid = async (deps: GiftAidCancelDeps, token: string): Promise<void> => {
  const email = readGiftAidToken(deps.keys, token);
  await deps.cancellations.cancel(email, deps.clock.now());
};
