import { makeHandler } from './routes.js';
import { SubscriptionConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildSubscriptions } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The subscriptions function's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(SubscriptionConfig);
  const clients = lambdaClientOptions();
  const { deps, options } = await buildSubscriptions(config, clients, secrets);
  return makeHandler(deps, options);
};
