import { makeHandler } from '../handlers/export-worker.js';
import { ExportWorkerConfig } from '../platform/env/export-worker.js';
import { lambdaClientOptions, loadConfig } from '../platform/env/shared.js';
import { buildExportWorker } from '../platform/roots/export-worker.js';

// The export worker's composition root: its configuration is parsed and its clients built once, at cold start.
const { deps } = buildExportWorker(loadConfig(ExportWorkerConfig), lambdaClientOptions());

export const handler = makeHandler(deps);
