import { makeHandler } from './handler.js';
import { WebhookEventsConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildWebhookEvents } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The webhook events producer's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(WebhookEventsConfig);
const { deps, tables } = await buildWebhookEvents(config, lambdaClientOptions(), SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, tables);
