import { makeHandler } from './handler.js';
import { WebhookDeliveryConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildWebhookDelivery } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The webhook delivery worker's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(WebhookDeliveryConfig);
const { deps, backfill } = await buildWebhookDelivery(config, lambdaClientOptions(), SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, backfill);
