import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type SecretSource, secretsManagerSource } from '../adapters/secrets-manager.js';
import { type ClientOptions, clientConfig } from './clients.js';

/** Secrets through the Secrets Manager API, with a client built from the function's client options. */
export const secretsManagerSourceFor = (clients: ClientOptions): SecretSource =>
  secretsManagerSource(new SecretsManagerClient(clientConfig(clients, 'secretsManager')));
