// The application's secrets, read once at cold start from a SecretSource (the extension in Lambda).
import * as z from 'zod/mini';
import { safeParse, type Schema } from '../core/shared/schema.js';

// Built when read (once, at cold start), so that a function reading one secret bundles no other's schema.
const signingSecret = () => z.object({ signingKey: z.string().check(z.minLength(32)) });
const stripeSecret = () => z.object({ secretKey: z.string().check(z.regex(/^(sk|rk)_/)), webhookSecret: z.string().check(z.regex(/^whsec_/)) });

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

export const loadStripeSecrets = (source: SecretSource, secretId: string) => loadJsonSecret(source, secretId, stripeSecret());
