import { type ClientOptions, documentClient } from '../clients.js';
import type { ExportWorkerConfig } from '../config.js';
import { exportDeps } from './exports.js';

/** The export worker's dependencies: the tables it reads and the bucket it writes. No secret, no Lambda client. */
export const buildExportWorker = (config: ExportWorkerConfig, clients: ClientOptions) => ({
  deps: exportDeps(config, clients, documentClient(clients), {
    start: async () => {
      throw new Error('the export worker does not start exports');
    },
  }),
});
