import * as z from 'zod/mini';
import { nonEmpty, onFirstUse } from '../core/shared/schema.js';

/** Where exports are read from and written to: the worker's whole configuration, and part of the admin API's. */
export const ExportStorage = /* @__PURE__ */ onFirstUse(() => z.object({
  SUBSCRIBERS_TABLE_NAME: nonEmpty(),
  DONATIONS_TABLE_NAME: nonEmpty(),
  EXPORT_BUCKET_NAME: nonEmpty(),
}));

/** The export worker: reads the tables, writes the bucket. */
export const ExportWorkerConfig = ExportStorage;
export type ExportWorkerConfig = z.infer<typeof ExportWorkerConfig>;
