import { makeHandler } from '../handlers/ses-events.js';
import { SesEventsConfig } from '../platform/env/ses-events.js';
import { lambdaClientOptions, loadConfig } from '../platform/env/shared.js';
import { buildSesEvents } from '../platform/roots/ses-events.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The ses-events function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(SesEventsConfig);
const clients = lambdaClientOptions();
const { deps } = await buildSesEvents(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps);
