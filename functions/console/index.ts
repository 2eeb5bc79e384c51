import { makeHandler } from './routes.js';
import { ConsoleConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildConsole } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The console function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(ConsoleConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildConsole(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
