import { makeHandler } from './routes.js';
import { EventsConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildEvents } from './deps.js';

// The events function's composition root: its configuration is parsed and its clients built once, at cold start.
const config = loadConfig(EventsConfig);
const { deps } = buildEvents(config, lambdaClientOptions());

export const handler = makeHandler(deps);
