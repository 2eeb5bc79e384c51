import { makeHandler } from './routes.js';
import { WebhookConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildStripeWebhook } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The stripe-webhook function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(WebhookConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildStripeWebhook(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
