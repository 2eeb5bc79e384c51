import { makeHandler } from './handler.js';
import { RemindersConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildReminders } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The reminders job's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(RemindersConfig);
  const clients = lambdaClientOptions();
  const { deps } = await buildReminders(config, clients, secrets);
  return makeHandler(deps);
};
