import * as z from 'zod';
import { runExport } from '../core/admin/exports.js';
import { exportDeps } from '../platform/admin-deps.js';
import { ExportWorkerConfig, loadConfig } from '../platform/config.js';
import { logger } from '../platform/logger.js';

const ExportEvent = z.object({ exportId: z.string().regex(/^exp_[\w-]+$/) });

const deps = exportDeps(loadConfig(ExportWorkerConfig), {
  start: async () => {
    throw new Error('the export worker does not start exports');
  },
});

/** Invoked asynchronously by the admin function with `{ exportId }`: streams the export to S3. */
export const handler = async (event: unknown) => {
  const { exportId } = ExportEvent.parse(event);
  const started = Date.now();
  await runExport(deps, exportId);
  logger.info('export finished', { exportId, ms: Date.now() - started });
};
