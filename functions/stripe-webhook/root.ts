import { makeHandler } from './routes.js';
import { WebhookConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildStripeWebhook } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The stripe-webhook function's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(WebhookConfig);
  const clients = lambdaClientOptions();
  const { deps, options } = await buildStripeWebhook(config, clients, secrets);
  return makeHandler(deps, options);
};
