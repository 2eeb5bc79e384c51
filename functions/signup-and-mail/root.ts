import { makeHandler } from './handler.js';
import { SignupAndMailConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildSignupAndMail } from './deps.js';
import type { SecretSource } from '../adapters/secret-values.js';

/**
 * The mailer function's composition root: its configuration is parsed and its clients built once, at cold start,
 * with the secrets index.ts asked the extension for while this code loaded.
 */
export const start = async (secrets: SecretSource) => {
  const config = loadConfig(SignupAndMailConfig);
  const clients = lambdaClientOptions();
  const { deps } = await buildSignupAndMail(config, clients, secrets);
  return makeHandler(deps);
};
