import { makeHandler } from '../handlers/subscriptions.js';
import { SubscriptionConfig } from '../platform/env/subscriptions.js';
import { lambdaClientOptions, loadConfig } from '../platform/env/shared.js';
import { buildSubscriptions } from '../platform/roots/subscriptions.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The subscriptions function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(SubscriptionConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildSubscriptions(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
