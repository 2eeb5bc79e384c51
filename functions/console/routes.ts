import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';
import type { AdminDeps } from '../core/admin/admin.js';
import { authenticateAdmin } from '../core/admin/authenticate.js';
import { CAMPAIGN_EDITOR, CONSOLE_PAGES } from '../core/console/access.js';
import type { ConsoleCampaignDeps } from '../core/console/campaigns.js';
import type { ConsoleExportDeps } from '../core/console/exports.js';
import type { ConsoleExperimentDeps } from '../core/console/experiments.js';
import type { ConsoleOutboundDeps } from '../core/console/webhooks.js';
import type { DashboardDeps } from '../core/dashboard/dashboard.js';
import { CONSOLE_SCRIPT_PATH, CONSOLE_STYLE_PATH } from '../core/console/asset-paths.js';
import { recentAudit, recordAudit } from '../core/console/audit.js';
import { hasRole, type Role } from '../core/console/model.js';
import type { Viewer } from '../core/console/pages.js';
import type { PasskeyDeps } from '../core/console/passkeys.js';
import { checkCsrf, checkOrigin, clearedSessionCookie, currentEditor, endSession, sessionCookie } from '../core/console/sessions.js';
import { checkSignInLink, requestSignIn, type SignInRequestDeps, signInWithLink } from '../core/console/signin.js';
import type { Brand } from '../core/shared/brand.js';
import { ConflictError, ForbiddenError, InvalidTokenError, NotFoundError, RateLimitedError, UnauthorizedError, ValidationError } from '../core/shared/errors.js';
import { LANGUAGES } from '../core/shared/i18n/index.js';
import { httpHandler, type RouteHandler } from '../platform/http/handler.js';
import { readerLanguage, siteFor } from '../platform/http/language.js';
import { FORM_TYPE } from '../platform/http/media-types.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { type HttpResponse, html, json, seeOther } from '../platform/http/responses.js';
import { PasskeyForm, text } from './forms.js';
import type { SectionKit, SectionRouteKey, sectionRoutes as buildSectionRoutes } from './section-routes.js';

/**
 * The pages, the charts, what each section does and the sections' route bodies, loaded with the first request that
 * needs one (sections.ts): a cold console reads only the sign-in page's and the session check's code.
 */
const sections = () => import('./sections.js');
const pages = async () => (await sections()).pages;
const charts = async () => (await sections()).charts;
const passkeyCore = async () => (await sections()).passkeys;
const dashboardCore = async () => (await sections()).dashboard;

/**
 * Everything the console does: sign-in and sessions, and, with the admin API's own rules and stores, the dashboard,
 * campaigns, exports and data requests.
 */
export type ConsoleDeps = PasskeyDeps & SignInRequestDeps & AdminDeps & DashboardDeps & ConsoleCampaignDeps & ConsoleExportDeps & ConsoleExperimentDeps & ConsoleOutboundDeps;

export interface ConsoleOptions {
  brand: Brand;
  /** The API's base URL: its origin is the only one a state-changing request may come from. */
  apiBaseUrl: string;
  /** Whether the session cookie is `Secure` (every deployed stage; the dev server over plain HTTP sets false). */
  secureCookie: boolean;
}

const Csrf = /* @__PURE__ */ onFirstUse(() => z.looseObject({ csrf: z.optional(text(100)) }));
const SignInForm = /* @__PURE__ */ onFirstUse(() => z.object({ email: text(320), lang: z.optional(z.enum(LANGUAGES)) }));
const LinkQuery = /* @__PURE__ */ onFirstUse(() => z.object({ token: text(2000), lang: z.optional(z.enum(LANGUAGES)) }));
const AuditQuery = /* @__PURE__ */ onFirstUse(() => z.object({ limit: z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(500))), 50) }));

/** Who needs what: each page's least role, from the navigation's table. */
const roleOf = (path: string): Role => CONSOLE_PAGES.find((p) => p.path === path)?.role ?? 'admin';

/**
 * The sections' routes and each one's least role, checked here before their body (section-routes.ts) is loaded.
 * The type makes this table and the bodies' name the same routes.
 */
const SECTION_ROLES: Record<SectionRouteKey, Role> = {
  'GET /admin/campaigns': roleOf('/admin/campaigns'),
  'GET /admin/campaigns/edit': CAMPAIGN_EDITOR,
  'POST /admin/campaigns': CAMPAIGN_EDITOR,
  'GET /admin/campaigns/close': CAMPAIGN_EDITOR,
  'POST /admin/campaigns/close': CAMPAIGN_EDITOR,
  'POST /admin/campaigns/reopen': CAMPAIGN_EDITOR,
  'GET /admin/exports': roleOf('/admin/exports'),
  'POST /admin/exports': roleOf('/admin/exports'),
  'GET /admin/exports/{exportId}': roleOf('/admin/exports'),
  'GET /admin/exports/{exportId}/download': roleOf('/admin/exports'),
  'GET /admin/people': roleOf('/admin/people'),
  'POST /admin/people': roleOf('/admin/people'),
  'POST /admin/people/erase': roleOf('/admin/people'),
  'GET /admin/experiments': roleOf('/admin/experiments'),
  'GET /admin/experiments/{campaignId}': roleOf('/admin/experiments'),
  'POST /admin/experiments/{campaignId}/end': roleOf('/admin/experiments'),
  'POST /admin/experiments/{campaignId}/allocation': roleOf('/admin/experiments'),
  'GET /admin/webhooks': roleOf('/admin/webhooks'),
  'POST /admin/webhooks': roleOf('/admin/webhooks'),
  'GET /admin/webhooks/{webhookId}': roleOf('/admin/webhooks'),
  'POST /admin/webhooks/{webhookId}/{action}': roleOf('/admin/webhooks'),
  'POST /admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry': roleOf('/admin/webhooks'),
  'GET /admin/connectors': roleOf('/admin/connectors'),
  'POST /admin/connectors': roleOf('/admin/connectors'),
  'POST /admin/connectors/{connectorId}/{action}': roleOf('/admin/connectors'),
  'GET /admin/account': roleOf('/admin/account'),
  'POST /admin/account/passkeys': roleOf('/admin/account'),
  'POST /admin/account/passkeys/remove': roleOf('/admin/account'),
  'POST /admin/account/signout-everywhere': roleOf('/admin/account'),
  'GET /admin/editors': roleOf('/admin/editors'),
  'POST /admin/editors': roleOf('/admin/editors'),
  'POST /admin/editors/remove': roleOf('/admin/editors'),
  'POST /admin/editors/signout-everywhere': roleOf('/admin/editors'),
  'GET /admin/tokens': roleOf('/admin/tokens'),
  'POST /admin/tokens/revoke': roleOf('/admin/tokens'),
  'GET /admin/audit': roleOf('/admin/audit'),
};

export const makeHandler = (deps: ConsoleDeps, options: ConsoleOptions) => {
  const ownOrigin = new URL(options.apiBaseUrl).origin;
  const site = (req: HttpRequest, viewer?: Viewer) => siteFor(req, options.brand, viewer?.editor.lang);

  /**
   * A console page: the strict policy with the console's one script from our origin ('self'), and a Referer kept to
   * our own origin, so that a browser names our origin on every form post (with `no-referrer` it sends `Origin: null`,
   * which the origin check refuses) while a link's token still never leaves for another site.
   */
  const page = (status: number, body: string, headers: Record<string, string> = {}): HttpResponse =>
    html(status, body, { 'referrer-policy': 'same-origin', ...headers }, ["'self'"]);

  const withCookie = (response: HttpResponse, cookie: string): HttpResponse => ({ ...response, cookies: [cookie] });

  /** The console's own pages for its errors: a bad link offers a new one; 403 and 429 say why, in the console's words. */
  const rendered =
    (route: (req: HttpRequest, setViewer: (viewer: Viewer) => void) => Promise<HttpResponse>) =>
    async (req: HttpRequest): Promise<HttpResponse> => {
      let viewer: Viewer | undefined;
      try {
        return await route(req, (v) => {
          viewer = v;
        });
      } catch (error) {
        if (!req.wantsHtml) throw error;
        const s = site(req, viewer);
        if (error instanceof InvalidTokenError) return page(400, (await pages()).badLinkPage(s, error.message));
        if (error instanceof ForbiddenError) return page(403, (await pages()).consoleErrorPage(s, 403, {}, viewer));
        if (error instanceof RateLimitedError) {
          return page(429, (await pages()).consoleErrorPage(s, 429, { retryAfterSeconds: error.retryAfterSeconds }, viewer), { 'retry-after': String(error.retryAfterSeconds) });
        }
        if (error instanceof ValidationError) return page(400, (await pages()).consoleErrorPage(s, 400, { message: error.message }, viewer));
        if (error instanceof NotFoundError) return page(404, (await pages()).consoleErrorPage(s, 404, { message: error.message }, viewer));
        // Only a campaign's form throws the currency's error: its class loads with the sections, not at cold start.
        if (error instanceof ConflictError || error instanceof (await sections()).CampaignCurrencyLockedError) return page(409, (await pages()).consoleErrorPage(s, 409, { message: error.message }, viewer));
        throw error;
      }
    };

  /**
   * A page or action for signed-in editors of at least `role`. A POST must come from our origin and carry its
   * session's CSRF token (403 otherwise). Without a session: a GET goes to the sign-in page, a POST too (303).
   */
  const forEditors = (role: Role, route: (req: HttpRequest, viewer: Viewer) => Promise<HttpResponse>) =>
    rendered(async (req, setViewer) => {
      const isPost = req.method === 'POST';
      if (isPost) checkOrigin(req.headers.origin, ownOrigin);
      const viewer = await currentEditor(deps, req.cookies);
      if (!viewer) return seeOther('/admin');
      setViewer(viewer);
      if (!hasRole(viewer.editor.role, role)) throw new ForbiddenError('Your role does not allow this page or action.');
      if (isPost) {
        checkBody(req, [FORM_TYPE]);
        checkCsrf(viewer.session, (await req.body(Csrf)).csrf);
      }
      return route(req, viewer);
    });

  const client = (req: HttpRequest, viewer: Viewer) => ({ actor: viewer.editor.email, client: req.client });

  /**
   * For the console's JSON routes (scripts and an editor's browser): an admin token (`Authorization: Bearer`) or a
   * session of at least `role`. 401 without either; 403 for a session whose role does not allow it.
   */
  const sessionOrToken = async (req: HttpRequest, role: Role) => {
    if (req.headers.authorization) return void (await authenticateAdmin(deps, req.headers.authorization));
    const viewer = await currentEditor(deps, req.cookies);
    if (!viewer) throw new UnauthorizedError('A valid admin token or a console session is required.');
    if (!hasRole(viewer.editor.role, role)) throw new ForbiddenError('Your role does not allow this.');
  };

  /** A section's route: its role checked here, its body built (with the others) on the first request for one. */
  const kit: SectionKit = { deps, options, page, site, client, withCookie };
  let bodies: ReturnType<typeof buildSectionRoutes> | undefined;
  const sectionRoute = (key: SectionRouteKey): RouteHandler =>
    forEditors(SECTION_ROLES[key], async (req, viewer) => {
      bodies ??= (await sections()).sectionRoutes(kit);
      return bodies[key](req, viewer);
    });
  const sectionTable = Object.fromEntries(Object.keys(SECTION_ROLES).map((key) => [key, sectionRoute(key as SectionRouteKey)]));

  return httpHandler(
    {
      'GET /admin': rendered(async (req, setViewer) => {
        const viewer = await currentEditor(deps, req.cookies);
        if (!viewer) return page(200, (await pages()).signInPage(site(req), await (await passkeyCore()).passkeySignInOptions(deps)));
        setViewer(viewer);
        const { days } = req.queryParams((await dashboardCore()).DashboardQuery);
        const s = site(req, viewer);
        return page(200, (await pages()).dashboardPage(s, viewer, { days, sections: (await charts()).dashboardSections(await (await dashboardCore()).readDashboard(deps, { days }), s.lang) }));
      }),
      // The dashboard's numbers for scripts (Bearer) and for any editor's browser (the session cookie).
      'GET /v1/admin/dashboard': async (req) => {
        await sessionOrToken(req, roleOf('/admin'));
        return json(200, await (await dashboardCore()).readDashboard(deps, req.queryParams((await dashboardCore()).DashboardQuery)));
      },
      'POST /admin': rendered(async (req) => {
        checkOrigin(req.headers.origin, ownOrigin);
        checkBody(req, [FORM_TYPE]);
        const form = await req.body(SignInForm);
        try {
          await requestSignIn(deps, { email: form.email, client: req.client, lang: readerLanguage(req, options.brand, form.lang) });
        } catch (error) {
          if (!(error instanceof ValidationError) || !req.wantsHtml) throw error;
          return page(400, (await pages()).signInPage(site(req), await (await passkeyCore()).passkeySignInOptions(deps), { message: error.message }));
        }
        return page(200, (await pages()).checkInboxPage(site(req), form.email.trim().toLowerCase()));
      }),
      'GET /admin/signin': rendered(async (req) => {
        const { token } = req.queryParams(LinkQuery);
        // A GET changes nothing (mail scanners follow links): a forged or expired link is refused now, a good one posts.
        checkSignInLink(deps, token);
        return page(200, (await pages()).signInLinkPage(site(req), `/admin/signin?${req.query.toString()}`));
      }),
      'POST /admin/signin': rendered(async (req) => {
        checkOrigin(req.headers.origin, ownOrigin);
        const { token } = req.queryParams(LinkQuery);
        const { id } = await signInWithLink(deps, { token, client: req.client, userAgent: req.headers['user-agent'] });
        return withCookie(seeOther('/admin'), sessionCookie(id, options.secureCookie));
      }),
      'POST /admin/passkey': rendered(async (req) => {
        checkOrigin(req.headers.origin, ownOrigin);
        checkBody(req, [FORM_TYPE]);
        const form = await req.body(PasskeyForm);
        const { id } = await (await passkeyCore()).signInWithPasskey(deps, { ...form, client: req.client, userAgent: req.headers['user-agent'] });
        return withCookie(seeOther('/admin'), sessionCookie(id, options.secureCookie));
      }),
      'POST /admin/signout': forEditors('viewer', async (req, viewer) => {
        await endSession(deps, viewer.session);
        await recordAudit(deps, { actor: viewer.editor.email, action: 'signout', client: req.client });
        return withCookie(seeOther('/admin'), clearedSessionCookie(options.secureCookie));
      }),
      // Loaded with the first request for one (a browser keeps them a few minutes), not with every cold start.
      [`GET ${CONSOLE_SCRIPT_PATH}`]: async () => asset((await sections()).assets.CONSOLE_SCRIPT, 'text/javascript; charset=utf-8'),
      [`GET ${CONSOLE_STYLE_PATH}`]: async () => asset((await sections()).assets.CONSOLE_STYLE, 'text/css; charset=utf-8'),
      // The audit log for scripts (Bearer) and for an admin's browser (the session cookie).
      'GET /v1/admin/audit': async (req) => {
        await sessionOrToken(req, roleOf('/admin/audit'));
        return json(200, await recentAudit(deps, req.queryParams(AuditQuery).limit));
      },
      ...sectionTable,
    },
    { siteName: options.brand.siteName, brand: options.brand },
  );
};

/** The console's script or stylesheet: the same for everyone, cached a few minutes (a deploy changes it). */
const asset = (body: string, type: string): HttpResponse => ({
  statusCode: 200,
  headers: { 'content-type': type, 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' },
  body,
});

