import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';

const SigningSecret = z.object({ signingKey: z.string().min(32) });

/** Reads the signing secret once, at cold start. Errors name the secret, never its value. */
export const loadSigningKey = async (client: SecretsManagerClient, secretId: string): Promise<string> => {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  let value: unknown;
  try {
    value = JSON.parse(SecretString ?? '');
  } catch {
    value = undefined; // JSON.parse quotes the text in its message: never let the secret reach a log
  }
  const parsed = SigningSecret.safeParse(value);
  if (!parsed.success) throw new Error(`secret ${secretId} has no usable signingKey`);
  return parsed.data.signingKey;
};
