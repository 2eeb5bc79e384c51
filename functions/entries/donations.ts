import { makeHandler } from '../handlers/donations.js';
import { DonationConfig } from '../platform/env/donations.js';
import { lambdaClientOptions, loadConfig } from '../platform/env/shared.js';
import { buildDonations } from '../platform/roots/donations.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The donations function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(DonationConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildDonations(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps, options);
