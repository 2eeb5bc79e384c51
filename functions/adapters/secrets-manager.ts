import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';

const SigningSecret = z.object({ signingKey: z.string().min(32) });

const StripeSecret = z.object({ secretKey: z.string().regex(/^(sk|rk)_/), webhookSecret: z.string().regex(/^whsec_/) });

/** Reads a JSON secret once, at cold start. Errors name the secret, never its value. */
const loadJsonSecret = async <T>(client: SecretsManagerClient, secretId: string, schema: z.ZodType<T>): Promise<T> => {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  let value: unknown;
  try {
    value = JSON.parse(SecretString ?? '');
  } catch {
    value = undefined; // JSON.parse quotes the text in its message: never let the secret reach a log
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`secret ${secretId} does not have the expected fields`);
  return parsed.data;
};

export const loadSigningKey = async (client: SecretsManagerClient, secretId: string): Promise<string> =>
  (await loadJsonSecret(client, secretId, SigningSecret)).signingKey;

export const loadStripeSecrets = (client: SecretsManagerClient, secretId: string) =>
  loadJsonSecret(client, secretId, StripeSecret);
