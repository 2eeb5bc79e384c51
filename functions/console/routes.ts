import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';
import type { AdminDeps } from '../core/admin/admin.js';
import type { ConsoleCampaignDeps } from '../core/console/campaigns.js';
import type { ConsoleExportDeps } from '../core/console/exports.js';
import type { ConsoleExperimentDeps } from '../core/console/experiments.js';
import type { ConsoleOutboundDeps } from '../core/console/webhooks.js';
import type { DashboardDeps } from '../core/dashboard/dashboard.js';
import { CONSOLE_SCRIPT_PATH, CONSOLE_STYLE_PATH } from '../core/console/asset-paths.js';
import { hasRole, type Role } from '../core/console/model.js';
import type { Viewer } from '../core/console/pages.js';
import type { PasskeyDeps } from '../core/console/passkeys.js';
import { checkCsrf, checkOrigin, currentEditor, sessionCookie } from '../core/console/sessions.js';
import { checkSignInLink, requestSignIn, type SignInRequestDeps, signInWithLink } from '../core/console/signin.js';
import type { Brand } from '../core/shared/brand.js';
import { ForbiddenError, ValidationError } from '../core/shared/errors.js';
import { LANGUAGES } from '../core/shared/i18n/index.js';
import { httpHandler, type RouteHandler } from '../platform/http/handler.js';
import { readerLanguage, siteFor } from '../platform/http/language.js';
import { FORM_TYPE } from '../platform/http/media-types.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { type HttpResponse, html, seeOther } from '../platform/http/responses.js';
import { PasskeyForm, text } from './forms.js';
import type { ApiRouteKey, apiRoutes as buildApiRoutes } from './api-routes.js';
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
/**
 * The sections' routes, whose least roles (section-roles.ts) and bodies (section-routes.ts) load with the first
 * request for one. The type makes this table and the bodies' name the same routes.
 */
const SECTION_KEYS: Record<SectionRouteKey, true> = {
  'GET /admin/campaigns': true,
  'GET /admin/campaigns/edit': true,
  'POST /admin/campaigns': true,
  'GET /admin/campaigns/close': true,
  'POST /admin/campaigns/close': true,
  'POST /admin/campaigns/reopen': true,
  'GET /admin/exports': true,
  'POST /admin/exports': true,
  'GET /admin/exports/{exportId}': true,
  'GET /admin/exports/{exportId}/download': true,
  'GET /admin/people': true,
  'POST /admin/people': true,
  'POST /admin/people/erase': true,
  'GET /admin/experiments': true,
  'GET /admin/experiments/{campaignId}': true,
  'POST /admin/experiments/{campaignId}/end': true,
  'POST /admin/experiments/{campaignId}/allocation': true,
  'GET /admin/webhooks': true,
  'POST /admin/webhooks': true,
  'GET /admin/webhooks/{webhookId}': true,
  'POST /admin/webhooks/{webhookId}/{action}': true,
  'POST /admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry': true,
  'GET /admin/connectors': true,
  'POST /admin/connectors': true,
  'POST /admin/connectors/{connectorId}/{action}': true,
  'GET /admin/account': true,
  'POST /admin/account/passkeys': true,
  'POST /admin/account/passkeys/remove': true,
  'POST /admin/account/signout-everywhere': true,
  'GET /admin/editors': true,
  'POST /admin/editors': true,
  'POST /admin/editors/remove': true,
  'POST /admin/editors/signout-everywhere': true,
  'GET /admin/tokens': true,
  'POST /admin/tokens/revoke': true,
  'GET /admin/audit': true,
  'POST /admin/signout': true,
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

  /**
   * The console's own pages for its errors (error-pages.ts, loaded with the first): a bad link offers a new one; 403, 404,
   * 409 and 429 say why, in the console's words. JSON and any other error: the API's answer.
   */
  const rendered =
    (route: (req: HttpRequest, setViewer: (viewer: Viewer) => void) => Promise<HttpResponse>) =>
    async (req: HttpRequest): Promise<HttpResponse> => {
      let viewer: Viewer | undefined;
      try {
        return await route(req, (v) => {
          viewer = v;
        });
      } catch (error) {
        const answer = req.wantsHtml ? await (await sections()).consoleErrorAnswer(error, site(req, viewer), viewer, page) : undefined;
        if (!answer) throw error;
        return answer;
      }
    };

  /**
   * A page or action for signed-in editors of at least the role `roleOf` names. A POST must come from our origin and
   * carry its session's CSRF token (403 otherwise). Without a session: a GET goes to the sign-in page, a POST too (303).
   */
  const forEditors = (roleOf: () => Promise<Role>, route: (req: HttpRequest, viewer: Viewer) => Promise<HttpResponse>) =>
    rendered(async (req, setViewer) => {
      const isPost = req.method === 'POST';
      if (isPost) checkOrigin(req.headers.origin, ownOrigin);
      const viewer = await currentEditor(deps, req.cookies);
      if (!viewer) return seeOther('/admin');
      setViewer(viewer);
      if (!hasRole(viewer.editor.role, await roleOf())) throw new ForbiddenError('Your role does not allow this page or action.');
      if (isPost) {
        checkBody(req, [FORM_TYPE]);
        checkCsrf(viewer.session, (await req.body(Csrf)).csrf);
      }
      return route(req, viewer);
    });

  const client = (req: HttpRequest, viewer: Viewer) => ({ actor: viewer.editor.email, client: req.client });

  /** A section's route: its role and its body loaded (with the others') on the first request for one. */
  const kit: SectionKit = { deps, options, page, site, client, withCookie };
  let bodies: ReturnType<typeof buildSectionRoutes> | undefined;
  const sectionRoute = (key: SectionRouteKey): RouteHandler =>
    forEditors(
      async () => (await sections()).SECTION_ROLES[key],
      async (req, viewer) => {
        bodies ??= (await sections()).sectionRoutes(kit);
        return bodies[key](req, viewer);
      },
    );
  const sectionTable = Object.fromEntries(Object.keys(SECTION_KEYS).map((key) => [key, sectionRoute(key as SectionRouteKey)]));

  /** A JSON route for scripts (a token) and an editor's browser (a session): api-routes.ts, loaded with the first. */
  let api: ReturnType<typeof buildApiRoutes> | undefined;
  const apiRoute =
    (key: ApiRouteKey): RouteHandler =>
    async (req) => {
      api ??= (await sections()).apiRoutes(deps);
      return api[key](req);
    };

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
      'GET /v1/admin/dashboard': apiRoute('GET /v1/admin/dashboard'),
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
      // Loaded with the first request for one (a browser keeps them a few minutes), not with every cold start.
      [`GET ${CONSOLE_SCRIPT_PATH}`]: async () => asset((await sections()).assets.CONSOLE_SCRIPT, 'text/javascript; charset=utf-8'),
      [`GET ${CONSOLE_STYLE_PATH}`]: async () => asset((await sections()).assets.CONSOLE_STYLE, 'text/css; charset=utf-8'),
      'GET /v1/admin/audit': apiRoute('GET /v1/admin/audit'),
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

