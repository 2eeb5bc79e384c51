import { makeHandler } from './routes.js';
import { WebhooksConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildWebhooks } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The webhooks API's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(WebhooksConfig);
  const { deps, options } = await buildWebhooks(config, lambdaClientOptions(), secrets);
  return makeHandler(deps, options);
};
