import { type ExportAdminDeps, type ExportCatalogue, EXPORT_FILE_DAYS, exportStatus, startExport } from '../admin/exports/exports.js';
import { type ExportJob, ExportRequest, UNKNOWN_EXPORT } from '../admin/exports/model.js';
import type { ExportHistory } from '../admin/exports/ports.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { safeParse } from '../shared/schema.js';
import { type AuditDeps, recordAudit } from './audit.js';
import type { Actor } from './editors.js';

export interface ConsoleExportDeps extends AuditDeps, ExportAdminDeps, ExportCatalogue {
  /** The past exports (the same store as `jobs`). */
  exportHistory: ExportHistory;
}

/** How many past exports the console lists. */
export const EXPORT_HISTORY = 50;

/** The kinds of export there are: the API's own list, so that a kind added there is offered here too. */
export const exportKinds = (): readonly string[] => ExportRequest.shape.kind.options;

/**
 * The export form's fields as the admin API's request: a field left blank is no filter. Throws ValidationError
 * (`invalid_field`, with its field) for what ExportRequest refuses.
 */
export const exportRequestOf = (form: Readonly<Record<string, string | undefined>>): ExportRequest => {
  const fields = Object.fromEntries(Object.entries(form).filter(([name, value]) => name !== 'csrf' && value !== undefined && value.trim() !== ''));
  const result = safeParse(ExportRequest, fields);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.');
  throw new ValidationError('invalid_field', `${field ? `${field}: ` : ''}${issue?.message ?? 'Invalid input.'}`, { field });
};

/**
 * Starts an export for an editor, with the admin API's rules (startExport: filters checked against the lists and
 * campaigns), recording who started it on the job and `export.start` in the audit log.
 */
export const startConsoleExport = async (deps: ConsoleExportDeps, who: Actor, request: ExportRequest) => {
  const started = await startExport(deps, request, who.actor);
  await recordAudit(deps, { actor: who.actor, action: 'export.start', target: `${started.id} ${JSON.stringify(request)}`, client: who.client });
  return started;
};

/** Whether a job's file is still in the bucket (it deletes each EXPORT_FILE_DAYS days after it was written). */
export const isFileKept = (job: Pick<ExportJob, 'status' | 'finishedAt' | 'objectKey'>, now: Date) =>
  job.status === 'done' && job.objectKey !== undefined && job.finishedAt !== undefined && now.getTime() < Date.parse(job.finishedAt) + EXPORT_FILE_DAYS * 86_400_000;

/**
 * One export's state for its page: the admin API's (a job whose worker died is reported failed) with the job's own
 * details, and whether its file can still be downloaded. NotFoundError for no such export.
 */
export const consoleExport = async (deps: ConsoleExportDeps, id: string) => {
  await exportStatus(deps, id); // marks a job whose worker died as failed
  const job = await deps.jobs.get(id);
  if (!job) throw new NotFoundError(UNKNOWN_EXPORT);
  return { job, downloadable: isFileKept(job, deps.clock.now()) };
};

/**
 * A download link for a finished export whose file is still kept: presigned now, valid 15 minutes, and recorded
 * as `export.download`. NotFoundError when there is no such export or no file (not done yet, or deleted).
 */
export const downloadExport = async (deps: ConsoleExportDeps, who: Actor, id: string) => {
  const job = await deps.jobs.get(id);
  if (!job) throw new NotFoundError(UNKNOWN_EXPORT);
  if (!isFileKept(job, deps.clock.now())) {
    throw new NotFoundError(job.status === 'done' ? `This export's file has been deleted: files are kept ${EXPORT_FILE_DAYS} days. Start the export again.` : 'This export has no file to download.');
  }
  const status = await exportStatus(deps, id);
  if (!('url' in status)) throw new NotFoundError('This export has no file to download.');
  await recordAudit(deps, { actor: who.actor, action: 'export.download', target: id, client: who.client });
  return status.url;
};
