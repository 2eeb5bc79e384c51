import { makeHandler } from '../handlers/mailer.js';
import { MailerConfig, lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildMailer } from '../platform/roots/mailer.js';
import { secretsManagerSourceFor } from '../platform/secrets.js';

// The mailer function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(MailerConfig);
const clients = lambdaClientOptions();
const { deps } = await buildMailer(config, clients, secretsManagerSourceFor(clients));

export const handler = makeHandler(deps);
