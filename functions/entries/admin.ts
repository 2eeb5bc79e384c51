import { makeHandler } from '../handlers/admin.js';
import { AdminConfig, lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildAdmin } from '../platform/roots/admin.js';
import { secretsManagerSourceFor } from '../platform/secrets.js';

// The admin function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(AdminConfig);
const clients = lambdaClientOptions();
const { deps, options } = await buildAdmin(config, clients, secretsManagerSourceFor(clients));

export const handler = makeHandler(deps, options);
