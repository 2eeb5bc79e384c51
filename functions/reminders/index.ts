import { makeHandler } from './handler.js';
import { RemindersConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildReminders } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The reminders job's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(RemindersConfig);
const clients = lambdaClientOptions();
const { deps } = await buildReminders(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps);
