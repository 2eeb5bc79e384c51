import { makeHandler } from './handler.js';
import { EventCounterConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildEventCounter } from './deps.js';

// The event counter's composition root: its configuration is parsed and its client built once, at cold start.
const config = loadConfig(EventCounterConfig);
const { deps } = buildEventCounter(config, lambdaClientOptions());

export const handler = makeHandler(deps);
