import * as z from 'zod/mini';
import { authenticateAdmin } from '../core/admin/authenticate.js';
import { recentAudit } from '../core/console/audit.js';
import { hasRole, type Role } from '../core/console/model.js';
import { currentEditor } from '../core/console/sessions.js';
import { DashboardQuery, readDashboard } from '../core/dashboard/dashboard.js';
import { ForbiddenError, UnauthorizedError } from '../core/shared/errors.js';
import { onFirstUse, wholeNumber } from '../core/shared/schema.js';
import type { RouteHandler } from '../platform/http/handler.js';
import type { HttpRequest } from '../platform/http/request.js';
import { json } from '../platform/http/responses.js';
import type { ConsoleDeps } from './routes.js';
import { roleOf } from './section-roles.js';

const AuditQuery = /* @__PURE__ */ onFirstUse(() => z.object({ limit: z._default(wholeNumber(1, 500), 50) }));

/**
 * The console's JSON routes, for scripts (an admin token, `Authorization: Bearer`) and for an editor's browser (the
 * session cookie): the dashboard's numbers and the audit log. Loaded with the first of them (sections.ts): a browser
 * signing in or opening the dashboard's page uses neither.
 */
export const apiRoutes = (deps: ConsoleDeps) => {
  /** A token, or a session of at least `role`: 401 without either; 403 for a session whose role does not allow it. */
  const sessionOrToken = async (req: HttpRequest, role: Role) => {
    if (req.headers.authorization) return void (await authenticateAdmin(deps, req.headers.authorization));
    const viewer = await currentEditor(deps, req.cookies);
    if (!viewer) throw new UnauthorizedError('A valid admin token or a console session is required.');
    if (!hasRole(viewer.editor.role, role)) throw new ForbiddenError('Your role does not allow this.');
  };
  return {
    'GET /v1/admin/dashboard': async (req) => {
      await sessionOrToken(req, roleOf('/admin'));
      return json(200, await readDashboard(deps, req.queryParams(DashboardQuery)));
    },
    'GET /v1/admin/audit': async (req) => {
      await sessionOrToken(req, roleOf('/admin/audit'));
      return json(200, await recentAudit(deps, req.queryParams(AuditQuery).limit));
    },
  } satisfies Record<string, RouteHandler>;
};

/** The key of a JSON route, as API Gateway names it. */
export type ApiRouteKey = keyof ReturnType<typeof apiRoutes>;
