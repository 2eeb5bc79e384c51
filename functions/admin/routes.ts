import type { Clock } from '../core/shared/ports.js';
import { accessSubscriber, type AdminDeps, adminStats, authenticateAdmin, eraseSubscriber } from '../core/admin/admin.js';
import { type ExportAdminDeps, exportStatus, startExport } from '../core/admin/exports/exports.js';
import { ExportId, ExportRequest, UNKNOWN_EXPORT } from '../core/admin/exports/model.js';
import { recordAudit, tokenActor } from '../core/console/audit.js';
import type { AuditAction } from '../core/console/model.js';
import type { Brand } from '../core/shared/brand.js';
import { normalizeEmail } from '../core/shared/email-address.js';
import { httpHandler } from '../platform/http/handler.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { type HttpResponse, json, noContent } from '../platform/http/responses.js';
import type { ResultsDeps } from '../core/experiments/results.js';
import type { AttributionCounters } from '../core/experiments/attribution-counts.js';
import { AttributionQuery, readAttribution } from '../core/experiments/attribution-report.js';
import { CampaignId } from '../core/donations/model.js';

/** The experiments' statistics, loaded with the first request for a campaign's results. */
const experimentResults = () => import('../core/experiments/results.js');

export interface AdminApiDeps {
  admin: AdminDeps;
  exports: ExportAdminDeps;
  /** An appeal experiment's results: its variants, the event counters and the variant gift counters. */
  results?: ResultsDeps | undefined;
  /** The attribution counters. */
  attribution?: { clock: Clock; counters: AttributionCounters } | undefined;
}

export const makeHandler = ({ admin, exports, results, attribution }: AdminApiDeps, { siteName, brand, listIds = [] }: { siteName: string; brand?: Brand | undefined; listIds?: readonly string[] }) => {
  /**
   * Every admin route needs a valid bearer token first (401 otherwise). The route is handed `audit`, which records
   * what it did in the audit log as done by that token (`token:NAME`), and that actor.
   */
  const authorized =
    (route: (req: HttpRequest, audit: (action: AuditAction, target: string) => Promise<unknown>, actor: string) => Promise<HttpResponse>) => async (req: HttpRequest) => {
      const actor = tokenActor((await authenticateAdmin(admin, req.headers.authorization)).name);
      return route(req, (action, target) => recordAudit(admin, { actor, action, target, client: req.client }), actor);
    };
  const param = (req: HttpRequest, name: string) => req.pathParameters[name] ?? '';

  return httpHandler(
    {
      'POST /v1/admin/exports': authorized(async (req, audit, actor) => {
        checkBody(req, ['application/json']);
        const request = await req.body(ExportRequest);
        // The filters are checked against the lists and campaigns the admin deps know.
        const started = await startExport({ ...exports, listIds, counts: admin.counts, campaigns: admin.campaigns }, request, actor);
        await audit('export.start', `${started.id} ${JSON.stringify(request)}`);
        return json(202, started);
      }),
      'GET /v1/admin/exports/{exportId}': authorized(async (req, audit) => {
        const status = await exportStatus(exports, req.pathParam('exportId', ExportId, UNKNOWN_EXPORT));
        // Each answer with a link issues a new one (presigned now): each is recorded. HEAD issues none.
        if ('url' in status && req.method === 'GET') await audit('export.download', status.id);
        return json(200, status);
      }),
      'GET /v1/admin/subscribers/{email}': authorized(async (req, audit) => {
        // Recorded before the look-up: asking counts, whether or not anything is held.
        if (req.method === 'GET') await audit('subscriber.show', normalizeEmail(param(req, 'email')));
        return json(200, await accessSubscriber(admin, param(req, 'email')));
      }),
      'DELETE /v1/admin/subscribers/{email}': authorized(async (req, audit) => {
        await eraseSubscriber(admin, param(req, 'email'));
        await audit('subscriber.erase', normalizeEmail(param(req, 'email')));
        return noContent();
      }),
      'GET /v1/admin/stats': authorized(async () => json(200, await adminStats(admin))),
      ...(results && {
        'GET /v1/admin/campaigns/{campaignId}/results': authorized(async (req) =>
          json(200, await (await experimentResults()).readResults(results, req.pathParam('campaignId', CampaignId, 'There is no campaign with this id.'))),
        ),
      }),
      ...(attribution && {
        'GET /v1/admin/attribution': authorized(async (req) => json(200, await readAttribution(attribution, req.queryParams(AttributionQuery).days))),
      }),
    },
    { siteName, brand },
  );
};
