import { type ClientOptions, documentClient } from '../clients.js';
import type { ExportWorkerConfig } from '../config.js';
import { exportRunDeps } from './exports.js';

/** The export worker's dependencies: the tables it reads and the bucket it writes. No secret, no Lambda client. */
export const buildExportWorker = (config: ExportWorkerConfig, clients: ClientOptions) => ({
  deps: exportRunDeps(config, clients, documentClient(clients)),
});
