import { makeHandler } from './handler.js';
import { WebhookDeliveryConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildWebhookDelivery } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The webhook delivery worker's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(WebhookDeliveryConfig);
  const { deps, backfill, pull } = await buildWebhookDelivery(config, lambdaClientOptions(), secrets);
  return makeHandler(deps, backfill, pull);
};
