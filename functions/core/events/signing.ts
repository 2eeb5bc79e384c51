import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';

/** How long a rotated-out secret keeps signing beside the new one, so that receivers can switch without losing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/**
 * A signing secret as Standard Webhooks writes it: `whsec_` and the base64 of the key's bytes (the spec asks for
 * 24 to 64 random bytes; we take 32, the length of SHA-256's output).
 */
export const SigningSecret = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/, 'Not a Standard Webhooks secret.')));

export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** An endpoint's secrets: the current one, and the one it replaced while that one still signs. */
export const EndpointSecrets = /* @__PURE__ */ onFirstUse(() => z.object({
  secret: SigningSecret,
  previousSecret: z.optional(SigningSecret),
  previousSecretExpiresAt: z.optional(instant()),
}));
export type EndpointSecrets = z.infer<typeof EndpointSecrets>;

/** The secrets that sign now, newest first: a rotated-out one for 24 hours after the rotation. */
export const signingSecrets = (secrets: EndpointSecrets, now: Date): string[] =>
  secrets.previousSecret && secrets.previousSecretExpiresAt && Date.parse(secrets.previousSecretExpiresAt) > now.getTime()
    ? [secrets.secret, secrets.previousSecret]
    : [secrets.secret];

/**
 * Replaces the secret: the new one signs at once, the old one goes on signing for 24 hours. A secret rotated out
 * earlier stops at once (two sign at most, as the contract says).
 */
export const rotateSecret = (secrets: EndpointSecrets, newSecret: string, now: Date): EndpointSecrets => ({
  secret: newSecret,
  previousSecret: secrets.secret,
  previousSecretExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString(),
});

/**
 * The `webhook-id` of one event to one endpoint: the same for every attempt (receivers drop duplicates by it),
 * different per endpoint, and derived rather than stored, so a retry cannot pick another one.
 */
export const messageId = (eventId: string, endpointId: string): string =>
  `msg_${createHash('sha256').update(`${eventId}\n${endpointId}`).digest('hex').slice(0, 32)}`;
