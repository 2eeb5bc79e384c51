import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The cold start asks the secrets extension first, then loads the function (root.ts, a chunk of its own) while the
// extension answers: the request's name lookup, connection and wait overlap with reading and evaluating the code.
const secrets = SecretsExtensionSource.fromEnvironment().prefetch(process.env.SIGNING_SECRET_ID);
const { start } = await import('./root.js');

export const handler = await start(secrets);
