import { makeHandler } from './routes.js';
import { DonationConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildDonations } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The donations function's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(DonationConfig);
  const clients = lambdaClientOptions();
  const { deps, options } = await buildDonations(config, clients, secrets);
  return makeHandler(deps, options);
};
