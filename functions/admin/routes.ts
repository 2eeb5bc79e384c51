import { accessSubscriber, type AdminDeps, adminStats, authenticateAdmin, eraseSubscriber } from '../core/admin/admin.js';
import { type ExportAdminDeps, exportStatus, startExport } from '../core/admin/exports/exports.js';
import { ExportId, ExportRequest, UNKNOWN_EXPORT } from '../core/admin/exports/model.js';
import type { Brand } from '../core/shared/brand.js';
import { DashboardQuery, type DashboardDeps, readDashboard } from '../core/dashboard/dashboard.js';
import { httpHandler } from '../platform/http/handler.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { type HttpResponse, json, noContent } from '../platform/http/responses.js';
import { readResults, type ResultsDeps } from '../core/experiments/results.js';
import type { AttributionCounters } from '../core/experiments/attribution-counts.js';
import { AttributionQuery, readAttribution } from '../core/experiments/attribution-report.js';
import { CampaignId } from '../core/donations/model.js';

export interface AdminApiDeps {
  admin: AdminDeps;
  exports: ExportAdminDeps;
  /** The dashboard's numbers, read from the day counters. */
  dashboard: DashboardDeps;
  /** An appeal experiment's results: its variants, the event counters and the variant gift counters. */
  results?: ResultsDeps | undefined;
  /** The attribution counters. */
  attribution?: { clock: DashboardDeps['clock']; counters: AttributionCounters } | undefined;
}

export const makeHandler = ({ admin, exports, dashboard, results, attribution }: AdminApiDeps, { siteName, brand, listIds = [] }: { siteName: string; brand?: Brand | undefined; listIds?: readonly string[] }) => {
  /** Every admin route needs a valid bearer token first (401 otherwise). */
  const authorized = (route: (req: HttpRequest) => Promise<HttpResponse>) => async (req: HttpRequest) => {
    await authenticateAdmin(admin, req.headers.authorization);
    return route(req);
  };
  const param = (req: HttpRequest, name: string) => req.pathParameters[name] ?? '';

  return httpHandler(
    {
      'POST /v1/admin/exports': authorized(async (req) => {
        checkBody(req, ['application/json']);
        const request = await req.body(ExportRequest);
        // The filters are checked against the lists and campaigns the admin deps know.
        return json(202, await startExport({ ...exports, listIds, counts: admin.counts, campaigns: admin.campaigns }, request));
      }),
      'GET /v1/admin/exports/{exportId}': authorized(async (req) => json(200, await exportStatus(exports, req.pathParam('exportId', ExportId, UNKNOWN_EXPORT)))),
      'GET /v1/admin/subscribers/{email}': authorized(async (req) => json(200, await accessSubscriber(admin, param(req, 'email')))),
      'DELETE /v1/admin/subscribers/{email}': authorized(async (req) => {
        await eraseSubscriber(admin, param(req, 'email'));
        return noContent();
      }),
      'GET /v1/admin/stats': authorized(async () => json(200, await adminStats(admin))),
      'GET /v1/admin/dashboard': authorized(async (req) => json(200, await readDashboard(dashboard, req.queryParams(DashboardQuery)))),
      ...(results && {
        'GET /v1/admin/campaigns/{campaignId}/results': authorized(async (req) =>
          json(200, await readResults(results, req.pathParam('campaignId', CampaignId, 'There is no campaign with this id.'))),
        ),
      }),
      ...(attribution && {
        'GET /v1/admin/attribution': authorized(async (req) => json(200, await readAttribution(attribution, req.queryParams(AttributionQuery).days))),
      }),
    },
    { siteName, brand },
  );
};
