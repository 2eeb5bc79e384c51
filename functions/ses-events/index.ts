import { makeHandler } from './handler.js';
import { SesEventsConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildSesEvents } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The ses-events function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(SesEventsConfig);
const clients = lambdaClientOptions();
const { deps } = await buildSesEvents(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps);
