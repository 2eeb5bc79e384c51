import { makeHandler } from '../handlers/signup-and-mail.js';
import { SignupAndMailConfig, lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildSignupAndMail } from '../platform/roots/signup-and-mail.js';
import { secretsManagerSourceFor } from '../platform/secrets.js';

// The mailer function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(SignupAndMailConfig);
const clients = lambdaClientOptions();
const { deps } = await buildSignupAndMail(config, clients, secretsManagerSourceFor(clients));

export const handler = makeHandler(deps);
