import { makeHandler } from './routes.js';
import { AdminConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildAdmin } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The admin function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(AdminConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildAdmin(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
