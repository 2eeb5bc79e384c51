import { makeHandler } from '../handlers/stripe-webhook.js';
import { WebhookConfig } from '../platform/env/stripe-webhook.js';
import { lambdaClientOptions, loadConfig } from '../platform/env/shared.js';
import { buildStripeWebhook } from '../platform/roots/stripe-webhook.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The stripe-webhook function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(WebhookConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildStripeWebhook(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
