import * as z from 'zod/mini';
import { nonEmpty } from '../../core/shared/schema.js';
import { BaseConfig, COUNTER_SHARDS } from './shared.js';
import { ExportStorage } from './export-worker.js';

/** The admin API. */
export const AdminConfig = z.extend(z.extend(BaseConfig, ExportStorage.shape), {
  EXPORT_WORKER_FUNCTION_NAME: nonEmpty(),
  COUNTER_SHARDS,
});
export type AdminConfig = z.infer<typeof AdminConfig>;
