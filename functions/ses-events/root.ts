import { makeHandler } from './handler.js';
import { SesEventsConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildSesEvents } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The ses-events function's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(SesEventsConfig);
  const clients = lambdaClientOptions();
  const { deps } = await buildSesEvents(config, clients, secrets);
  return makeHandler(deps);
};
