// The application's secrets, read once at cold start from a SecretSource (the extension in Lambda).
import * as z from 'zod';

const SigningSecret = z.object({ signingKey: z.string().min(32) });

const StripeSecret = z.object({ secretKey: z.string().regex(/^(sk|rk)_/), webhookSecret: z.string().regex(/^whsec_/) });

/** Where a secret's string comes from: the Secrets Manager API, or the Lambda extension that caches it. */
export interface SecretSource {
  getSecretString(secretId: string): Promise<string | undefined>;
}

/** Reads a JSON secret once, at cold start. Errors name the secret, never its value. */
const loadJsonSecret = async <T>(source: SecretSource, secretId: string, schema: z.ZodType<T>): Promise<T> => {
  const secretString = await source.getSecretString(secretId);
  let value: unknown;
  try {
    value = JSON.parse(secretString ?? '');
  } catch {
    value = undefined; // JSON.parse quotes the text in its message: never let the secret reach a log
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`secret ${secretId} does not have the expected fields`);
  return parsed.data;
};

export const loadSigningKey = async (source: SecretSource, secretId: string): Promise<string> =>
  (await loadJsonSecret(source, secretId, SigningSecret)).signingKey;

export const loadStripeSecrets = (source: SecretSource, secretId: string) => loadJsonSecret(source, secretId, StripeSecret);
