import { makeHandler } from './handler.js';
import { SignupAndMailConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildSignupAndMail } from './deps.js';
import { SecretsExtensionSource } from '../adapters/secrets-extension.js';

// The mailer function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(SignupAndMailConfig);
const clients = lambdaClientOptions();
const { deps } = await buildSignupAndMail(config, clients, SecretsExtensionSource.fromEnvironment());

export const handler = makeHandler(deps);
