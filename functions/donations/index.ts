import { makeHandler } from './routes.js';
import { DonationConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildDonations } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The donations function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(DonationConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildDonations(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
