import { makeHandler } from '../handlers/signup-and-mail.js';
import { SignupAndMailConfig } from '../platform/env/signup-and-mail.js';
import { lambdaClientOptions, loadConfig } from '../platform/env/shared.js';
import { buildSignupAndMail } from '../platform/roots/signup-and-mail.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The mailer function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(SignupAndMailConfig);
const clients = lambdaClientOptions();
const { deps } = await buildSignupAndMail(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps);
