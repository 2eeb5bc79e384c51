import { makeHandler } from './routes.js';
import { WebhooksConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildWebhooks } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The webhooks API's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(WebhooksConfig);
const { deps, options } = await buildWebhooks(config, lambdaClientOptions(), SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
