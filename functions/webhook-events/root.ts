import { makeHandler } from './handler.js';
import { WebhookEventsConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildWebhookEvents } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The webhook events producer's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(WebhookEventsConfig);
  const { deps, tables } = await buildWebhookEvents(config, lambdaClientOptions(), secrets);
  return makeHandler(deps, tables);
};
