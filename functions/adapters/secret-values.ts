// The application's secrets, read from a SecretSource (the extension in Lambda): the signing key once, at cold
// start; the Stripe secret then and again from time to time (platform/wiring/stripe.ts).
import * as z from 'zod/mini';
import { safeParse, type Schema } from '../core/shared/schema.js';

// Built when read, so that a function reading one secret bundles no other's schema.
const signingSecret = () => z.object({ signingKey: z.string().check(z.minLength(32)) });
// `portalConfiguration` (Appeal's Customer Portal configuration, stored by `stripe setup`) is absent from a secret
// filled in before it was: its portal sessions then use the account's default configuration.
const stripeSecret = () =>
  z.object({
    secretKey: z.string().check(z.regex(/^(sk|rk)_/)),
    webhookSecret: z.string().check(z.regex(/^whsec_/)),
    portalConfiguration: z.optional(z.string().check(z.regex(/^bpc_/))),
  });

/** Where a secret's string comes from: the Secrets Manager API, or the Lambda extension that caches it. */
export interface SecretSource {
  getSecretString(secretId: string): Promise<string | undefined>;
}

/** Reads a JSON secret once, at cold start. Errors name the secret, never its value. */
const loadJsonSecret = async <T>(source: SecretSource, secretId: string, schema: Schema<T>): Promise<T> => {
  const secretString = await source.getSecretString(secretId);
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    value = undefined; // JSON.parse quotes the text in its message: never let the secret reach a log
  }
  const parsed = safeParse(schema, value);
  if (!parsed.success) throw new Error(`secret ${secretId} does not have the expected fields`);
  return parsed.data;
};

export const loadSigningKey = async (source: SecretSource, secretId: string): Promise<string> =>
  (await loadJsonSecret(source, secretId, signingSecret())).signingKey;

/** Why the Stripe secret cannot be used yet: what it holds, in a word (never its value). */
export type StripeSecretGap = 'empty' | 'placeholder' | 'unexpected fields';

/**
 * Reads the Stripe secret, which a person (or `stripe setup`) fills in after the first deploy: its keys, or why it
 * cannot be used yet. Until then it holds the stack's generated placeholder (`{"placeholder": "…"}`): a stage that
 * is not ready, not an error. Only a failure to read it at all throws.
 */
export const readStripeSecrets = async (
  source: SecretSource,
  secretId: string,
): Promise<{ set: true; secretKey: string; webhookSecret: string; portalConfiguration?: string | undefined } | { set: false; gap: StripeSecretGap }> => {
  const secretString = (await source.getSecretString(secretId)) ?? '';
  if (secretString.trim() === '') return { set: false, gap: 'empty' };
  let value: unknown;
  try {
    value = JSON.parse(secretString);
  } catch {
    value = undefined; // JSON.parse quotes the text in its message: never let the secret reach a log
  }
  const parsed = safeParse(stripeSecret(), value);
  if (parsed.success) return { set: true, ...parsed.data };
  const fields = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  return { set: false, gap: fields.length === 1 && fields[0] === 'placeholder' ? 'placeholder' : 'unexpected fields' };
};
