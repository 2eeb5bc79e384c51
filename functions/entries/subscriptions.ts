import { makeHandler } from '../handlers/subscriptions.js';
import { SubscriptionConfig, lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildSubscriptions } from '../platform/roots/subscriptions.js';
import { secretsManagerSourceFor } from '../platform/secrets.js';

// The subscriptions function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(SubscriptionConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildSubscriptions(config, clients, secretsManagerSourceFor(clients));

export const handler = makeHandler(deps, options);
