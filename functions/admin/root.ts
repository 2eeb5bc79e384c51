import { makeHandler } from './routes.js';
import { AdminConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildAdmin } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The admin function's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(AdminConfig);
  const clients = lambdaClientOptions();
  const { deps, options } = await buildAdmin(config, clients, secrets);
  return makeHandler(deps, options);
};
