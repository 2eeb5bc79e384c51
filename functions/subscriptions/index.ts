import { makeHandler } from './routes.js';
import { SubscriptionConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildSubscriptions } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The subscriptions function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(SubscriptionConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildSubscriptions(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
