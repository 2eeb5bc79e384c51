import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import { ExportId } from '../core/admin/exports/model.js';
import { type ExportRunDeps, runExport } from '../core/admin/exports/exports.js';
import { logger } from '../platform/logger.js';

const ExportEvent = /* @__PURE__ */ onFirstUse(() => z.object({ exportId: ExportId }));

/** Invoked asynchronously by the admin function with `{ exportId }`: streams the export to S3. */
export const makeHandler = (deps: ExportRunDeps) => async (event: unknown) => {
  const { exportId } = parse(ExportEvent, event);
  const started = Date.now();
  await runExport(deps, exportId);
  logger.info('export finished', { exportId, ms: Date.now() - started });
};
