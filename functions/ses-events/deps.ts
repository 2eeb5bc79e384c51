import { loadSigningKey, type SecretSource } from '../adapters/secret-values.js';
import type { FeedbackDeps } from '../core/list-hygiene/feedback.js';
import { deriveKeys } from '../core/shared/secrets.js';
import { type ClientOptions, documentClient, systemClock } from '../platform/clients.js';
import type { SesEventsConfig } from '../configs.js';
import { subscriberStores } from '../platform/wiring/subscribers.js';

/** The SES feedback function's dependencies: the subscribers table and the signing key, nothing else. */
export const buildSesEvents = async (config: SesEventsConfig, clients: ClientOptions, secrets: SecretSource) => {
  const deps: FeedbackDeps = {
    clock: systemClock,
    ...subscriberStores(documentClient(clients), config.SUBSCRIBERS_TABLE_NAME, config.COUNTER_SHARDS),
    keys: deriveKeys(await loadSigningKey(secrets, config.SIGNING_SECRET_ID)),
  };
  return { deps };
};
