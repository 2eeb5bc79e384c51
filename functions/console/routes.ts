import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';
import { type AdminDeps, authenticateAdmin } from '../core/admin/admin.js';
import { ExportId, UNKNOWN_EXPORT } from '../core/admin/exports/model.js';
import { CAMPAIGN_EDITOR, CONSOLE_PAGES } from '../core/console/access.js';
import type { CampaignFormValues } from '../core/console/campaign-pages.js';
import type { ConsoleCampaignDeps } from '../core/console/campaigns.js';
import type { ExportFormValues } from '../core/console/export-pages.js';
import type { ConsoleExportDeps } from '../core/console/exports.js';
import type { ConsoleExperimentDeps } from '../core/console/experiments.js';
import type { ConsoleOutboundDeps, WebhookFormValues } from '../core/console/webhooks.js';
import type { DashboardDeps } from '../core/dashboard/dashboard.js';
import { CampaignCurrencyLockedError, CampaignId } from '../core/donations/model.js';
import { CONSOLE_SCRIPT, CONSOLE_SCRIPT_PATH, CONSOLE_STYLE, CONSOLE_STYLE_PATH } from '../core/console/assets.js';
import { recentAudit, recordAudit } from '../core/console/audit.js';
import { hasRole, Role } from '../core/console/model.js';
import type { Viewer } from '../core/console/pages.js';
import type { PasskeyDeps } from '../core/console/passkeys.js';
import {
  checkCsrf,
  checkOrigin,
  clearedSessionCookie,
  currentEditor,
  endSession,
  liveSessions,
  sessionCookie,
} from '../core/console/sessions.js';
import { checkSignInLink, requestSignIn, type SignInRequestDeps, signInWithLink } from '../core/console/signin.js';
import type { Brand } from '../core/shared/brand.js';
import { ConflictError, ForbiddenError, InvalidTokenError, NotFoundError, RateLimitedError, UnauthorizedError, ValidationError } from '../core/shared/errors.js';
import { normalizeEmail } from '../core/shared/email-address.js';
import { LANGUAGES } from '../core/shared/i18n/index.js';
import { httpHandler } from '../platform/http/handler.js';
import { readerLanguage, siteFor } from '../platform/http/language.js';
import { FORM_TYPE } from '../platform/http/media-types.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { type HttpResponse, html, json, seeOther } from '../platform/http/responses.js';

/** The pages, the charts and what each section does, loaded with the first request that needs one (sections.ts). */
const sections = () => import('./sections.js');
const pages = async () => (await sections()).pages;
const campaignPages = async () => (await sections()).campaignPages;
const exportPages = async () => (await sections()).exportPages;
const peoplePages = async () => (await sections()).peoplePages;
const charts = async () => (await sections()).charts;
const passkeyCore = async () => (await sections()).passkeys;
const campaignCore = async () => (await sections()).campaigns;
const exportCore = async () => (await sections()).exports;
const peopleCore = async () => (await sections()).people;
const dashboardCore = async () => (await sections()).dashboard;
const editorCore = async () => (await sections()).editors;
const experimentPages = async () => (await sections()).experimentPages;
const experimentCore = async () => (await sections()).experiments;
const webhookPages = async () => (await sections()).webhookPages;
const webhookCore = async () => (await sections()).webhooks;

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

const text = (max: number) => z.string().check(z.maxLength(max));
const Csrf = onFirstUse(() => z.looseObject({ csrf: z.optional(text(100)) }));
const SignInForm = onFirstUse(() => z.object({ email: text(320), lang: z.optional(z.enum(LANGUAGES)) }));
const LinkQuery = onFirstUse(() => z.object({ token: text(2000), lang: z.optional(z.enum(LANGUAGES)) }));
const PasskeyForm = onFirstUse(() => z.object({ csrf: z.optional(text(100)), state: text(2000), response: text(12_000) }));
const EditorForm = onFirstUse(() => z.object({ csrf: text(100), email: text(320), role: Role }));
const EmailForm = onFirstUse(() => z.object({ csrf: text(100), email: text(320) }));
const IdForm = onFirstUse(() => z.object({ csrf: text(100), id: text(1400) }));
const OnlyCsrf = onFirstUse(() => z.object({ csrf: text(100) }));
const field = (max: number) => z.optional(text(max));
const CampaignForm = onFirstUse(() => z.object({
  csrf: text(100),
  mode: z.enum(['create', 'edit']),
  id: text(64),
  title: text(400),
  currency: field(3),
  goal: text(40),
  minAmount: field(40),
  maxAmount: field(40),
  suggested: field(400),
}));
const CampaignQuery = onFirstUse(() => z.object({ id: z.optional(text(64)) }));
const CampaignIdForm = onFirstUse(() => z.object({ csrf: text(100), id: text(64), confirm: z.optional(z.literal('yes')) }));
const ExportForm = onFirstUse(() => z.object({ csrf: text(100), kind: text(40), status: field(64), list: field(64), campaign: field(64), since: field(40), until: field(40) }));
const PersonForm = onFirstUse(() => z.object({ csrf: text(100), email: text(320) }));
const EraseForm = onFirstUse(() => z.object({ csrf: text(100), email: text(320), confirm: field(320) }));
// The variant is looked up among the campaign's (an unknown one is 404): the experiments' model stays out of the cold start.
const EndExperimentForm = onFirstUse(() => z.object({ csrf: text(100), keep: text(40), confirm: z.optional(z.literal('yes')) }));
const AllocationForm = onFirstUse(() => z.object({ csrf: text(100), allocation: z.enum(['weights', 'thompson']) }));
const WebhookForm = onFirstUse(() => z.object({
  csrf: text(100),
  url: text(2048),
  // One ticked box posts a value, several post a list (none: no field, which the admin API's rule then refuses).
  events: z.optional(z.union([text(60), z.array(text(60)).check(z.maxLength(40))])),
  description: field(200),
}));
const WebhookAction = onFirstUse(() => z.enum(['rotate', 'remove', 'enable', 'replay']));
const ConnectorAction = onFirstUse(() => z.enum(['remove', 'backfill']));
const ConfirmForm = onFirstUse(() => z.object({ csrf: text(100), confirm: z.optional(z.literal('yes')) }));
const ReplayForm = onFirstUse(() => z.object({ csrf: text(100), since: text(40) }));
const ConnectorForm = onFirstUse(() => z.object({
  csrf: text(100),
  kind: z.enum(['mailchimp', 'listmonk']),
  apiKey: field(100),
  list: field(100),
  apiUrl: field(2048),
  url: field(2048),
  username: field(300),
  token: field(600),
  lists: field(400),
}));
const AuditQuery = onFirstUse(() => z.object({ limit: z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(500))), 50) }));

/** A page that shows a secret this once: never kept by a cache or the browser's history. */
const NO_STORE = { 'cache-control': 'no-store' };

/** Who needs what: each page's least role, from the navigation's table. */
/** donations/campaigns.ts's UNKNOWN_CAMPAIGN, which the cold start does not load. */
const UNKNOWN_CAMPAIGN = 'There is no campaign with this id.';

const roleOf = (path: string): Role => CONSOLE_PAGES.find((p) => p.path === path)?.role ?? 'admin';

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
        if (error instanceof ConflictError || error instanceof CampaignCurrencyLockedError) return page(409, (await pages()).consoleErrorPage(s, 409, { message: error.message }, viewer));
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

  /** The campaign form again, with what was typed and what is wrong with it (400, or 409 for a currency change). */
  const campaignProblem = async (req: HttpRequest, viewer: Viewer, form: z.infer<typeof CampaignForm>, error: unknown) => {
    if (!(error instanceof ValidationError || error instanceof CampaignCurrencyLockedError || (error instanceof ConflictError && form.mode === 'create'))) throw error;
    const campaign = form.mode === 'edit' ? await deps.campaigns.get(form.id) : undefined;
    const values: CampaignFormValues = {
      id: form.id,
      title: form.title,
      currency: form.currency ?? campaign?.currency ?? '',
      goal: form.goal,
      minAmount: form.minAmount ?? '',
      maxAmount: form.maxAmount ?? '',
      suggested: form.suggested ?? '',
    };
    const problem = { message: error.message, field: error instanceof ValidationError || error instanceof CampaignCurrencyLockedError ? error.field : 'id' };
    return page(error instanceof ValidationError ? 400 : 409, (await campaignPages()).campaignFormPage(site(req, viewer), viewer, { campaign, values, currencies: deps.settings.currencies, problem }));
  };

  /** The exports page: the form (with what was typed and its problem, after a refused post) and the history. */
  const exportsView = async (req: HttpRequest, viewer: Viewer, form?: { values: ExportFormValues; problem: { message: string; field?: string | undefined } }) => {
    const { EXPORT_HISTORY, isFileKept } = await exportCore();
    const [jobs, campaigns] = await Promise.all([deps.exportHistory.recent(EXPORT_HISTORY), deps.campaigns.list()]);
    const now = deps.clock.now();
    const history = jobs.map((job) => ({ job, downloadable: isFileKept(job, now) }));
    const data = { lists: deps.listIds, campaigns: campaigns.map((c) => c.id).sort(), history, ...form };
    return page(form ? 400 : 200, (await exportPages()).exportsPage(site(req, viewer), viewer, data));
  };


  const webhookId = async (req: HttpRequest) => {
    const core = await webhookCore();
    return req.pathParam('webhookId', core.WebhookId, core.UNKNOWN_WEBHOOK);
  };

  /** The webhooks page: the endpoints and the add form (with what was typed and its problem, after a refused post). */
  const webhooksView = async (req: HttpRequest, viewer: Viewer, form?: { values: WebhookFormValues; problem: { message: string; field?: string | undefined } }) => {
    const core = await webhookCore();
    const endpoints = await core.consoleWebhooks(deps);
    const data = { endpoints, eventTypes: ['*', ...core.EVENT_TYPES], ...form };
    return page(form ? 400 : 200, (await webhookPages()).webhooksPage(site(req, viewer), viewer, data));
  };

  /** An endpoint's page: its state, the replay form and its delivery log (after a replay, what it did). */
  const webhookView = async (req: HttpRequest, viewer: Viewer, id: string, extra: { done?: string; since?: string; problem?: { message: string; field?: string | undefined } } = {}) => {
    const log = await (await webhookCore()).consoleWebhookLog(deps, id);
    return page(extra.problem ? 400 : 200, (await webhookPages()).webhookPage(site(req, viewer), viewer, { ...log, ...extra }), { 'cache-control': 'no-store' });
  };

  /** The connectors page: the connectors and the two add forms (the posted one with its values and problem). */
  const connectorsView = async (req: HttpRequest, viewer: Viewer, form?: { kind: 'mailchimp' | 'listmonk'; values: Record<string, string | undefined>; problem: { message: string; field?: string | undefined } }) => {
    const connectors = await (await webhookCore()).consoleConnectors(deps);
    return page(form ? 400 : 200, (await webhookPages()).connectorsPage(site(req, viewer), viewer, { connectors, ...form }), { 'cache-control': 'no-store' });
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
      // The dashboard's numbers for scripts (Bearer) and for any editor's browser (the session cookie).
      'GET /v1/admin/dashboard': async (req) => {
        await sessionOrToken(req, roleOf('/admin'));
        return json(200, await (await dashboardCore()).readDashboard(deps, req.queryParams((await dashboardCore()).DashboardQuery)));
      },
      'GET /admin/campaigns': forEditors(roleOf('/admin/campaigns'), async (req, viewer) => {
        const campaigns = (await deps.campaigns.list()).sort((a, b) => Number(b.open) - Number(a.open) || b.updatedAt.localeCompare(a.updatedAt));
        return page(200, (await campaignPages()).campaignsPage(site(req, viewer), viewer, campaigns));
      }),
      'GET /admin/campaigns/edit': forEditors(CAMPAIGN_EDITOR, async (req, viewer) => {
        const { id } = req.queryParams(CampaignQuery);
        const campaign = id === undefined ? undefined : await (await campaignCore()).campaignToEdit(deps, id);
        return page(200, (await campaignPages()).campaignFormPage(site(req, viewer), viewer, { campaign, currencies: deps.settings.currencies }));
      }),
      'POST /admin/campaigns': forEditors(CAMPAIGN_EDITOR, async (req, viewer) => {
        const form = await req.body(CampaignForm);
        const input = { ...form, id: form.id.trim(), title: form.title.trim(), currency: form.currency?.trim().toLowerCase() || undefined };
        try {
          await (form.mode === 'create' ? (await campaignCore()).createCampaign : (await campaignCore()).updateCampaign)(deps, client(req, viewer), input);
        } catch (error) {
          return campaignProblem(req, viewer, form, error);
        }
        return seeOther('/admin/campaigns');
      }),
      'GET /admin/campaigns/close': forEditors(CAMPAIGN_EDITOR, async (req, viewer) => {
        const { id = '' } = req.queryParams(CampaignQuery);
        return page(200, (await campaignPages()).closeCampaignPage(site(req, viewer), viewer, await (await campaignCore()).campaignToEdit(deps, id)));
      }),
      'POST /admin/campaigns/close': forEditors(CAMPAIGN_EDITOR, async (req, viewer) => {
        const form = await req.body(CampaignIdForm);
        // Closing is asked twice: a post without the confirmation page's answer shows that page.
        if (form.confirm !== 'yes') return page(200, (await campaignPages()).closeCampaignPage(site(req, viewer), viewer, await (await campaignCore()).campaignToEdit(deps, form.id)));
        await (await campaignCore()).closeCampaign(deps, client(req, viewer), form.id);
        return seeOther('/admin/campaigns');
      }),
      'POST /admin/campaigns/reopen': forEditors(CAMPAIGN_EDITOR, async (req, viewer) => {
        const form = await req.body(CampaignIdForm);
        await (await campaignCore()).reopenCampaign(deps, client(req, viewer), form.id);
        return seeOther('/admin/campaigns');
      }),
      'GET /admin/exports': forEditors(roleOf('/admin/exports'), async (req, viewer) => exportsView(req, viewer)),
      'POST /admin/exports': forEditors(roleOf('/admin/exports'), async (req, viewer) => {
        const { csrf: _csrf, ...values } = await req.body(ExportForm);
        try {
          const started = await (await exportCore()).startConsoleExport(deps, client(req, viewer), (await exportCore()).exportRequestOf(values));
          return seeOther(`/admin/exports/${started.id}`);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return exportsView(req, viewer, { values, problem: { message: error.message, field: error.field } });
        }
      }),
      'GET /admin/exports/{exportId}': forEditors(roleOf('/admin/exports'), async (req, viewer) => {
        const id = req.pathParam('exportId', ExportId, UNKNOWN_EXPORT);
        return page(200, (await exportPages()).exportPage(site(req, viewer), viewer, await (await exportCore()).consoleExport(deps, id)), { 'cache-control': 'no-store' });
      }),
      'GET /admin/exports/{exportId}/download': forEditors(roleOf('/admin/exports'), async (req, viewer) => {
        const id = req.pathParam('exportId', ExportId, UNKNOWN_EXPORT);
        // HEAD issues no link (and records none), as on the admin API.
        if (req.method !== 'GET') return seeOther(`/admin/exports/${id}`);
        return seeOther(await (await exportCore()).downloadExport(deps, client(req, viewer), id));
      }),
      'GET /admin/people': forEditors(roleOf('/admin/people'), async (req, viewer) => page(200, (await peoplePages()).peoplePage(site(req, viewer), viewer))),
      'POST /admin/people': forEditors(roleOf('/admin/people'), async (req, viewer) => {
        const form = await req.body(PersonForm);
        try {
          const held = await (await peopleCore()).showPerson(deps, client(req, viewer), form.email);
          return page(200, (await peoplePages()).personPage(site(req, viewer), viewer, normalizeEmail(form.email), held), { 'cache-control': 'no-store' });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return page(400, (await peoplePages()).peoplePage(site(req, viewer), viewer, { message: error.message, field: 'email' }));
        }
      }),
      'POST /admin/people/erase': forEditors(roleOf('/admin/people'), async (req, viewer) => {
        const form = await req.body(EraseForm);
        const email = normalizeEmail(form.email);
        // The first post (the record page's button) asks for the address again; the second, with it, erases.
        if (form.confirm === undefined) return page(200, (await peoplePages()).confirmErasePage(site(req, viewer), viewer, email));
        try {
          await (await peopleCore()).erasePerson(deps, client(req, viewer), email, form.confirm);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return page(400, (await peoplePages()).confirmErasePage(site(req, viewer), viewer, email, { message: error.message, field: 'confirm' }));
        }
        return page(200, (await peoplePages()).erasedPage(site(req, viewer), viewer, email));
      }),
      'GET /admin/experiments': forEditors(roleOf('/admin/experiments'), async (req, viewer) =>
        page(200, (await experimentPages()).experimentsPage(site(req, viewer), viewer, await (await experimentCore()).listExperiments(deps))),
      ),
      'GET /admin/experiments/{campaignId}': forEditors(roleOf('/admin/experiments'), async (req, viewer) => {
        const id = req.pathParam('campaignId', CampaignId, UNKNOWN_CAMPAIGN);
        return page(200, (await experimentPages()).experimentPage(site(req, viewer), viewer, await (await experimentCore()).readExperiment(deps, id)), { 'cache-control': 'no-store' });
      }),
      'POST /admin/experiments/{campaignId}/end': forEditors(roleOf('/admin/experiments'), async (req, viewer) => {
        const id = req.pathParam('campaignId', CampaignId, UNKNOWN_CAMPAIGN);
        const form = await req.body(EndExperimentForm);
        // Ending is asked twice: a post without the confirmation page's answer shows that page, naming the variant.
        if (form.confirm !== 'yes') return page(200, (await experimentPages()).endExperimentPage(site(req, viewer), viewer, await (await experimentCore()).variantToKeep(deps, id, form.keep)));
        await (await experimentCore()).endExperiment(deps, client(req, viewer), id, form.keep);
        return seeOther(`/admin/experiments/${id}`);
      }),
      'POST /admin/experiments/{campaignId}/allocation': forEditors(roleOf('/admin/experiments'), async (req, viewer) => {
        const id = req.pathParam('campaignId', CampaignId, UNKNOWN_CAMPAIGN);
        const form = await req.body(AllocationForm);
        await (await experimentCore()).allocateExperiment(deps, client(req, viewer), id, form.allocation);
        return seeOther(`/admin/experiments/${id}`);
      }),
      'GET /admin/webhooks': forEditors(roleOf('/admin/webhooks'), async (req, viewer) => webhooksView(req, viewer)),
      'POST /admin/webhooks': forEditors(roleOf('/admin/webhooks'), async (req, viewer) => {
        const form = await req.body(WebhookForm);
        const values = { url: form.url, events: form.events === undefined ? [] : [form.events].flat(), description: form.description ?? '' };
        try {
          const added = await (await webhookCore()).addConsoleWebhook(deps, client(req, viewer), values);
          return page(200, (await webhookPages()).webhookSecretPage(site(req, viewer), viewer, { endpoint: added, secret: added.secret }), NO_STORE);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return webhooksView(req, viewer, { values, problem: { message: error.message, field: error.field } });
        }
      }),
      'GET /admin/webhooks/{webhookId}': forEditors(roleOf('/admin/webhooks'), async (req, viewer) => webhookView(req, viewer, await webhookId(req))),
      // One route for an endpoint's four actions (API Gateway's throttle is per route, and each route adds to the
      // account's burst): rotate, remove (asked twice), enable, replay.
      'POST /admin/webhooks/{webhookId}/{action}': forEditors(roleOf('/admin/webhooks'), async (req, viewer) => {
        const id = await webhookId(req);
        const action = req.pathParam('action', WebhookAction, 'There is no such action for a webhook endpoint.');
        const core = await webhookCore();
        const views = await webhookPages();
        if (action === 'rotate') {
          const endpoint = await core.consoleWebhook(deps, id);
          const rotated = await core.rotateConsoleWebhook(deps, client(req, viewer), id);
          return page(200, views.webhookSecretPage(site(req, viewer), viewer, { endpoint, secret: rotated.secret, previousExpiresAt: rotated.previousSecretExpiresAt ?? undefined }), NO_STORE);
        }
        if (action === 'remove') {
          const form = await req.body(ConfirmForm);
          // Removing is asked twice: a post without the confirmation page's answer shows that page, naming the URL.
          if (form.confirm !== 'yes') return page(200, views.removeWebhookPage(site(req, viewer), viewer, await core.consoleWebhook(deps, id)));
          await core.removeConsoleWebhook(deps, client(req, viewer), id);
          return seeOther('/admin/webhooks');
        }
        if (action === 'enable') {
          await core.enableConsoleWebhook(deps, client(req, viewer), id);
          return seeOther(`/admin/webhooks/${id}`);
        }
        const form = await req.body(ReplayForm);
        try {
          const replayed = await core.replayConsoleWebhook(deps, client(req, viewer), id, form.since);
          return webhookView(req, viewer, id, { done: views.replayedText(site(req, viewer), replayed.deliveries) });
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return webhookView(req, viewer, id, { since: form.since, problem: { message: error.message, field: 'since' } });
        }
      }),
      'POST /admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry': forEditors(roleOf('/admin/webhooks'), async (req, viewer) => {
        const core = await webhookCore();
        const id = await webhookId(req);
        await core.retryConsoleDelivery(deps, client(req, viewer), id, req.pathParam('deliveryId', core.DeliveryId, core.UNKNOWN_DELIVERY));
        return seeOther(`/admin/webhooks/${id}`);
      }),
      'GET /admin/connectors': forEditors(roleOf('/admin/connectors'), async (req, viewer) => connectorsView(req, viewer)),
      'POST /admin/connectors': forEditors(roleOf('/admin/connectors'), async (req, viewer) => {
        const { csrf: _csrf, ...values } = await req.body(ConnectorForm);
        try {
          const added = await (await webhookCore()).addConsoleConnector(deps, client(req, viewer), values);
          const listing = await (await webhookCore()).consoleConnector(deps, added.id);
          return page(200, (await webhookPages()).connectorAddedPage(site(req, viewer), viewer, listing, 'webhookUrl' in added ? added.webhookUrl : undefined), NO_STORE);
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          return connectorsView(req, viewer, { kind: values.kind, values, problem: { message: error.message, field: error.field } });
        }
      }),
      // One route for a connector's two actions (each route adds to the account's burst): remove (asked twice), and
      // backfill (every confirmed reader pushed, or a failed run resumed).
      'POST /admin/connectors/{connectorId}/{action}': forEditors(roleOf('/admin/connectors'), async (req, viewer) => {
        const core = await webhookCore();
        const id = req.pathParam('connectorId', core.ConnectorId, core.UNKNOWN_CONNECTOR);
        const action = req.pathParam('action', ConnectorAction, 'There is no such action for a connector.');
        if (action === 'backfill') {
          await core.backfillConsoleConnector(deps, client(req, viewer), id);
          return seeOther('/admin/connectors');
        }
        const form = await req.body(ConfirmForm);
        if (form.confirm !== 'yes') return page(200, (await webhookPages()).removeConnectorPage(site(req, viewer), viewer, await core.consoleConnector(deps, id)));
        await core.removeConsoleConnector(deps, client(req, viewer), id);
        return seeOther('/admin/connectors');
      }),
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
      'GET /admin/account': forEditors(roleOf('/admin/account'), async (req, viewer) => {
        const [passkeys, sessions, registration] = await Promise.all([
          deps.passkeys.listFor(viewer.editor.email),
          liveSessions(deps, viewer.editor),
          (await passkeyCore()).passkeyRegistration(deps, viewer.editor),
        ]);
        return page(200, (await pages()).accountPage(site(req, viewer), viewer, { passkeys, sessions, registration }));
      }),
      'POST /admin/account/passkeys': forEditors(roleOf('/admin/account'), async (req, viewer) => {
        const form = await req.body(PasskeyForm);
        await (await passkeyCore()).addPasskey(deps, viewer.editor, { state: form.state, response: form.response, client: req.client });
        return seeOther('/admin/account');
      }),
      'POST /admin/account/passkeys/remove': forEditors(roleOf('/admin/account'), async (req, viewer) => {
        const { id } = await req.body(IdForm);
        await (await passkeyCore()).removePasskey(deps, viewer.editor, { id, client: req.client });
        return seeOther('/admin/account');
      }),
      'POST /admin/account/signout-everywhere': forEditors(roleOf('/admin/account'), async (req, viewer) => {
        await req.body(OnlyCsrf);
        await (await editorCore()).endEditorSessions(deps, client(req, viewer), viewer.editor.email);
        return withCookie(seeOther('/admin'), clearedSessionCookie(options.secureCookie));
      }),
      'GET /admin/editors': forEditors(roleOf('/admin/editors'), async (req, viewer) =>
        page(200, (await pages()).editorsPage(site(req, viewer), viewer, await deps.editors.list())),
      ),
      'POST /admin/editors': forEditors(roleOf('/admin/editors'), async (req, viewer) => {
        const form = await req.body(EditorForm);
        await (await editorCore()).putEditor(deps, client(req, viewer), { email: form.email, role: form.role });
        return seeOther('/admin/editors');
      }),
      'POST /admin/editors/remove': forEditors(roleOf('/admin/editors'), async (req, viewer) => {
        const form = await req.body(EmailForm);
        await (await editorCore()).removeEditor(deps, client(req, viewer), form.email);
        return seeOther('/admin/editors');
      }),
      'POST /admin/editors/signout-everywhere': forEditors(roleOf('/admin/editors'), async (req, viewer) => {
        const form = await req.body(EmailForm);
        await (await editorCore()).endEditorSessions(deps, client(req, viewer), form.email);
        return seeOther('/admin/editors');
      }),
      'GET /admin/tokens': forEditors(roleOf('/admin/tokens'), async (req, viewer) =>
        page(200, (await pages()).tokensPage(site(req, viewer), viewer, await deps.tokens.list())),
      ),
      'POST /admin/tokens/revoke': forEditors(roleOf('/admin/tokens'), async (req, viewer) => {
        const form = await req.body(IdForm);
        await (await editorCore()).revokeToken(deps, client(req, viewer), form.id);
        return seeOther('/admin/tokens');
      }),
      'GET /admin/audit': forEditors(roleOf('/admin/audit'), async (req, viewer) =>
        page(200, (await pages()).auditPage(site(req, viewer), viewer, await recentAudit(deps, 100))),
      ),
      [`GET ${CONSOLE_SCRIPT_PATH}`]: async () => asset(CONSOLE_SCRIPT, 'text/javascript; charset=utf-8'),
      [`GET ${CONSOLE_STYLE_PATH}`]: async () => asset(CONSOLE_STYLE, 'text/css; charset=utf-8'),
      // The audit log for scripts (Bearer) and for an admin's browser (the session cookie).
      'GET /v1/admin/audit': async (req) => {
        await sessionOrToken(req, roleOf('/admin/audit'));
        return json(200, await recentAudit(deps, req.queryParams(AuditQuery).limit));
      },
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

