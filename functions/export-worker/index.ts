import { makeHandler } from './handler.js';
import { ExportWorkerConfig } from './config.js';
import { lambdaClientOptions, loadConfig } from '../platform/config.js';
import { buildExportWorker } from './deps.js';

// The export worker's composition root: its configuration is parsed and its clients built once, at cold start.
const { deps } = buildExportWorker(loadConfig(ExportWorkerConfig), lambdaClientOptions());

export const handler = makeHandler(deps);
