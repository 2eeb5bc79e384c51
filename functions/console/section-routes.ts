import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';
import { ExportId, UNKNOWN_EXPORT } from '../core/admin/exports/model.js';
import { recentAudit, recordAudit } from '../core/console/audit.js';
import * as campaignPages from '../core/console/campaign-pages.js';
import type { CampaignFormValues } from '../core/console/campaign-pages.js';
import * as campaignCore from '../core/console/campaigns.js';
import * as editorCore from '../core/console/editors.js';
import * as experimentPages from '../core/console/experiment-pages.js';
import * as experimentCore from '../core/console/experiments.js';
import * as exportPages from '../core/console/export-pages.js';
import type { ExportFormValues } from '../core/console/export-pages.js';
import * as exportCore from '../core/console/exports.js';
import { Role } from '../core/console/model.js';
import * as pages from '../core/console/pages.js';
import type { Viewer } from '../core/console/pages.js';
import * as passkeyCore from '../core/console/passkeys.js';
import * as peoplePages from '../core/console/people-pages.js';
import * as peopleCore from '../core/console/people.js';
import { clearedSessionCookie, endSession, liveSessions } from '../core/console/sessions.js';
import * as webhookPages from '../core/console/webhook-pages.js';
import * as webhookCore from '../core/console/webhooks.js';
import type { WebhookFormValues } from '../core/console/webhooks.js';
import { UNKNOWN_CAMPAIGN } from '../core/donations/campaigns.js';
import { CampaignCurrencyLockedError, CampaignId } from '../core/donations/model.js';
import type { Brand } from '../core/shared/brand.js';
import { ConflictError, ValidationError } from '../core/shared/errors.js';
import { normalizeEmail } from '../core/shared/email-address.js';
import type { HttpRequest } from '../platform/http/request.js';
import { type HttpResponse, seeOther } from '../platform/http/responses.js';
import { field, PasskeyForm, text } from './forms.js';
import type { ConsoleDeps, ConsoleOptions } from './routes.js';

// The sections' forms, built on first use.
const EditorForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), email: text(320), role: Role }));
const EmailForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), email: text(320) }));
const IdForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), id: text(1400) }));
const OnlyCsrf = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100) }));
const CampaignForm = /* @__PURE__ */ onFirstUse(() => z.object({
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
const CampaignQuery = /* @__PURE__ */ onFirstUse(() => z.object({ id: z.optional(text(64)) }));
const CampaignIdForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), id: text(64), confirm: z.optional(z.literal('yes')) }));
const ExportForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), kind: text(40), status: field(64), list: field(64), campaign: field(64), since: field(40), until: field(40) }));
const PersonForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), email: text(320) }));
const EraseForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), email: text(320), confirm: field(320) }));
// The variant is looked up among the campaign's (an unknown one is 404).
const EndExperimentForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), keep: text(40), confirm: z.optional(z.literal('yes')) }));
const AllocationForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), allocation: z.enum(['weights', 'thompson']) }));
const WebhookForm = /* @__PURE__ */ onFirstUse(() => z.object({
  csrf: text(100),
  url: text(2048),
  // One ticked box posts a value, several post a list (none: no field, which the admin API's rule then refuses).
  events: z.optional(z.union([text(60), z.array(text(60)).check(z.maxLength(40))])),
  description: field(200),
}));
const WebhookAction = /* @__PURE__ */ onFirstUse(() => z.enum(['rotate', 'remove', 'enable', 'replay']));
const ConnectorAction = /* @__PURE__ */ onFirstUse(() => z.enum(['remove', 'backfill']));
const ConfirmForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), confirm: z.optional(z.literal('yes')) }));
const ReplayForm = /* @__PURE__ */ onFirstUse(() => z.object({ csrf: text(100), since: text(40) }));
const ConnectorForm = /* @__PURE__ */ onFirstUse(() => z.object({
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

/** A page that shows a secret this once: never kept by a cache or the browser's history. */
const NO_STORE = { 'cache-control': 'no-store' };

/** What routes.ts lends the sections' routes: its way of answering with a console page, and of naming the actor. */
export interface SectionKit {
  deps: ConsoleDeps;
  options: ConsoleOptions;
  /** A console page with its headers (the policy, the Referer kept to our origin). */
  page: (status: number, body: string, headers?: Record<string, string>) => HttpResponse;
  /** The brand and language a page is written in. */
  site: (req: HttpRequest, viewer?: Viewer) => Brand;
  /** Who does an action, for its audit entry. */
  client: (req: HttpRequest, viewer: Viewer) => { actor: string; client: HttpRequest['client'] };
  withCookie: (response: HttpResponse, cookie: string) => HttpResponse;
}

/** A section route's body: routes.ts has checked the session, the role, the origin and the CSRF token. */
type SectionRoute = (req: HttpRequest, viewer: Viewer) => Promise<HttpResponse>;

/**
 * The bodies of the routes of the console's sections that an editor opens now and then (campaigns, exports, people,
 * experiments, webhooks, connectors, the account, editors, tokens, the audit log, signing out): loaded with the
 * first of them, so that a cold console reads only the sign-in page's and the session check's code. routes.ts keeps
 * each one's key, section-roles.ts each one's least role (both checked against this table's keys).
 */
export const sectionRoutes = ({ deps, options, page, site, client, withCookie }: SectionKit) => {
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
    return page(error instanceof ValidationError ? 400 : 409, campaignPages.campaignFormPage(site(req, viewer), viewer, { campaign, values, currencies: deps.settings.currencies, problem }));
  };

  /** The exports page: the form (with what was typed and its problem, after a refused post) and the history. */
  const exportsView = async (req: HttpRequest, viewer: Viewer, form?: { values: ExportFormValues; problem: { message: string; field?: string | undefined } }) => {
    const { EXPORT_HISTORY, isFileKept } = exportCore;
    const [jobs, campaigns] = await Promise.all([deps.exportHistory.recent(EXPORT_HISTORY), deps.campaigns.list()]);
    const now = deps.clock.now();
    const history = jobs.map((job) => ({ job, downloadable: isFileKept(job, now) }));
    const data = { lists: deps.listIds, campaigns: campaigns.map((c) => c.id).sort(), history, ...form };
    return page(form ? 400 : 200, exportPages.exportsPage(site(req, viewer), viewer, data));
  };

  const webhookId = (req: HttpRequest) => req.pathParam('webhookId', webhookCore.WebhookId, webhookCore.UNKNOWN_WEBHOOK);

  /** The webhooks page: the endpoints and the add form (with what was typed and its problem, after a refused post). */
  const webhooksView = async (req: HttpRequest, viewer: Viewer, form?: { values: WebhookFormValues; problem: { message: string; field?: string | undefined } }) => {
    const endpoints = await webhookCore.consoleWebhooks(deps);
    const data = { endpoints, eventTypes: ['*', ...webhookCore.EVENT_TYPES], ...form };
    return page(form ? 400 : 200, webhookPages.webhooksPage(site(req, viewer), viewer, data));
  };

  /** An endpoint's page: its state, the replay form and its delivery log (after a replay, what it did). */
  const webhookView = async (req: HttpRequest, viewer: Viewer, id: string, extra: { done?: string; since?: string; problem?: { message: string; field?: string | undefined } } = {}) => {
    const log = await webhookCore.consoleWebhookLog(deps, id);
    return page(extra.problem ? 400 : 200, webhookPages.webhookPage(site(req, viewer), viewer, { ...log, ...extra }), { 'cache-control': 'no-store' });
  };

  /** The connectors page: the connectors and the two add forms (the posted one with its values and problem). */
  const connectorsView = async (req: HttpRequest, viewer: Viewer, form?: { kind: 'mailchimp' | 'listmonk'; values: Record<string, string | undefined>; problem: { message: string; field?: string | undefined } }) => {
    const connectors = await webhookCore.consoleConnectors(deps);
    return page(form ? 400 : 200, webhookPages.connectorsPage(site(req, viewer), viewer, { connectors, ...form }), { 'cache-control': 'no-store' });
  };

  return {
    'GET /admin/campaigns': async (req, viewer) => {
      const campaigns = (await deps.campaigns.list()).sort((a, b) => Number(b.open) - Number(a.open) || b.updatedAt.localeCompare(a.updatedAt));
      return page(200, campaignPages.campaignsPage(site(req, viewer), viewer, campaigns));
    },
    'GET /admin/campaigns/edit': async (req, viewer) => {
      const { id } = req.queryParams(CampaignQuery);
      const campaign = id === undefined ? undefined : await campaignCore.campaignToEdit(deps, id);
      return page(200, campaignPages.campaignFormPage(site(req, viewer), viewer, { campaign, currencies: deps.settings.currencies }));
    },
    'POST /admin/campaigns': async (req, viewer) => {
      const form = await req.body(CampaignForm);
      const input = { ...form, id: form.id.trim(), title: form.title.trim(), currency: form.currency?.trim().toLowerCase() || undefined };
      try {
        await (form.mode === 'create' ? campaignCore.createCampaign : campaignCore.updateCampaign)(deps, client(req, viewer), input);
      } catch (error) {
        return campaignProblem(req, viewer, form, error);
      }
      return seeOther('/admin/campaigns');
    },
    'GET /admin/campaigns/close': async (req, viewer) => {
      const { id = '' } = req.queryParams(CampaignQuery);
      return page(200, campaignPages.closeCampaignPage(site(req, viewer), viewer, await campaignCore.campaignToEdit(deps, id)));
    },
    'POST /admin/campaigns/close': async (req, viewer) => {
      const form = await req.body(CampaignIdForm);
      // Closing is asked twice: a post without the confirmation page's answer shows that page.
      if (form.confirm !== 'yes') return page(200, campaignPages.closeCampaignPage(site(req, viewer), viewer, await campaignCore.campaignToEdit(deps, form.id)));
      await campaignCore.closeCampaign(deps, client(req, viewer), form.id);
      return seeOther('/admin/campaigns');
    },
    'POST /admin/campaigns/reopen': async (req, viewer) => {
      const form = await req.body(CampaignIdForm);
      await campaignCore.reopenCampaign(deps, client(req, viewer), form.id);
      return seeOther('/admin/campaigns');
    },
    'GET /admin/exports': async (req, viewer) => exportsView(req, viewer),
    'POST /admin/exports': async (req, viewer) => {
      const { csrf: _csrf, ...values } = await req.body(ExportForm);
      try {
        const started = await exportCore.startConsoleExport(deps, client(req, viewer), exportCore.exportRequestOf(values));
        return seeOther(`/admin/exports/${started.id}`);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return exportsView(req, viewer, { values, problem: { message: error.message, field: error.field } });
      }
    },
    'GET /admin/exports/{exportId}': async (req, viewer) => {
      const id = req.pathParam('exportId', ExportId, UNKNOWN_EXPORT);
      return page(200, exportPages.exportPage(site(req, viewer), viewer, await exportCore.consoleExport(deps, id)), { 'cache-control': 'no-store' });
    },
    'GET /admin/exports/{exportId}/download': async (req, viewer) => {
      const id = req.pathParam('exportId', ExportId, UNKNOWN_EXPORT);
      // HEAD issues no link (and records none), as on the admin API.
      if (req.method !== 'GET') return seeOther(`/admin/exports/${id}`);
      return seeOther(await exportCore.downloadExport(deps, client(req, viewer), id));
    },
    'GET /admin/people': async (req, viewer) => page(200, peoplePages.peoplePage(site(req, viewer), viewer)),
    'POST /admin/people': async (req, viewer) => {
      const form = await req.body(PersonForm);
      try {
        const held = await peopleCore.showPerson(deps, client(req, viewer), form.email);
        return page(200, peoplePages.personPage(site(req, viewer), viewer, normalizeEmail(form.email), held), { 'cache-control': 'no-store' });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return page(400, peoplePages.peoplePage(site(req, viewer), viewer, { message: error.message, field: 'email' }));
      }
    },
    'POST /admin/people/erase': async (req, viewer) => {
      const form = await req.body(EraseForm);
      const email = normalizeEmail(form.email);
      // The first post (the record page's button) asks for the address again; the second, with it, erases.
      if (form.confirm === undefined) return page(200, peoplePages.confirmErasePage(site(req, viewer), viewer, email));
      try {
        await peopleCore.erasePerson(deps, client(req, viewer), email, form.confirm);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return page(400, peoplePages.confirmErasePage(site(req, viewer), viewer, email, { message: error.message, field: 'confirm' }));
      }
      return page(200, peoplePages.erasedPage(site(req, viewer), viewer, email));
    },
    'GET /admin/experiments': async (req, viewer) =>
      page(200, experimentPages.experimentsPage(site(req, viewer), viewer, await experimentCore.listExperiments(deps))),
    'GET /admin/experiments/{campaignId}': async (req, viewer) => {
      const id = req.pathParam('campaignId', CampaignId, UNKNOWN_CAMPAIGN);
      return page(200, experimentPages.experimentPage(site(req, viewer), viewer, await experimentCore.readExperiment(deps, id)), { 'cache-control': 'no-store' });
    },
    'POST /admin/experiments/{campaignId}/end': async (req, viewer) => {
      const id = req.pathParam('campaignId', CampaignId, UNKNOWN_CAMPAIGN);
      const form = await req.body(EndExperimentForm);
      // Ending is asked twice: a post without the confirmation page's answer shows that page, naming the variant.
      if (form.confirm !== 'yes') return page(200, experimentPages.endExperimentPage(site(req, viewer), viewer, await experimentCore.variantToKeep(deps, id, form.keep)));
      await experimentCore.endExperiment(deps, client(req, viewer), id, form.keep);
      return seeOther(`/admin/experiments/${id}`);
    },
    'POST /admin/experiments/{campaignId}/allocation': async (req, viewer) => {
      const id = req.pathParam('campaignId', CampaignId, UNKNOWN_CAMPAIGN);
      const form = await req.body(AllocationForm);
      await experimentCore.allocateExperiment(deps, client(req, viewer), id, form.allocation);
      return seeOther(`/admin/experiments/${id}`);
    },
    'GET /admin/webhooks': async (req, viewer) => webhooksView(req, viewer),
    'POST /admin/webhooks': async (req, viewer) => {
      const form = await req.body(WebhookForm);
      const values = { url: form.url, events: form.events === undefined ? [] : [form.events].flat(), description: form.description ?? '' };
      try {
        const added = await webhookCore.addConsoleWebhook(deps, client(req, viewer), values);
        return page(200, webhookPages.webhookSecretPage(site(req, viewer), viewer, { endpoint: added, secret: added.secret }), NO_STORE);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return webhooksView(req, viewer, { values, problem: { message: error.message, field: error.field } });
      }
    },
    'GET /admin/webhooks/{webhookId}': async (req, viewer) => webhookView(req, viewer, webhookId(req)),
    // One route for an endpoint's four actions (API Gateway's throttle is per route, and each route adds to the
    // account's burst): rotate, remove (asked twice), enable, replay.
    'POST /admin/webhooks/{webhookId}/{action}': async (req, viewer) => {
      const id = webhookId(req);
      const action = req.pathParam('action', WebhookAction, 'There is no such action for a webhook endpoint.');
      if (action === 'rotate') {
        const endpoint = await webhookCore.consoleWebhook(deps, id);
        const rotated = await webhookCore.rotateConsoleWebhook(deps, client(req, viewer), id);
        return page(200, webhookPages.webhookSecretPage(site(req, viewer), viewer, { endpoint, secret: rotated.secret, previousExpiresAt: rotated.previousSecretExpiresAt ?? undefined }), NO_STORE);
      }
      if (action === 'remove') {
        const form = await req.body(ConfirmForm);
        // Removing is asked twice: a post without the confirmation page's answer shows that page, naming the URL.
        if (form.confirm !== 'yes') return page(200, webhookPages.removeWebhookPage(site(req, viewer), viewer, await webhookCore.consoleWebhook(deps, id)));
        await webhookCore.removeConsoleWebhook(deps, client(req, viewer), id);
        return seeOther('/admin/webhooks');
      }
      if (action === 'enable') {
        await webhookCore.enableConsoleWebhook(deps, client(req, viewer), id);
        return seeOther(`/admin/webhooks/${id}`);
      }
      const form = await req.body(ReplayForm);
      try {
        const replayed = await webhookCore.replayConsoleWebhook(deps, client(req, viewer), id, form.since);
        return webhookView(req, viewer, id, { done: webhookPages.replayedText(site(req, viewer), replayed.deliveries) });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return webhookView(req, viewer, id, { since: form.since, problem: { message: error.message, field: 'since' } });
      }
    },
    'POST /admin/webhooks/{webhookId}/deliveries/{deliveryId}/retry': async (req, viewer) => {
      const id = webhookId(req);
      await webhookCore.retryConsoleDelivery(deps, client(req, viewer), id, req.pathParam('deliveryId', webhookCore.DeliveryId, webhookCore.UNKNOWN_DELIVERY));
      return seeOther(`/admin/webhooks/${id}`);
    },
    'GET /admin/connectors': async (req, viewer) => connectorsView(req, viewer),
    'POST /admin/connectors': async (req, viewer) => {
      const { csrf: _csrf, ...values } = await req.body(ConnectorForm);
      try {
        const added = await webhookCore.addConsoleConnector(deps, client(req, viewer), values);
        const listing = await webhookCore.consoleConnector(deps, added.id);
        return page(200, webhookPages.connectorAddedPage(site(req, viewer), viewer, listing, 'webhookUrl' in added ? added.webhookUrl : undefined), NO_STORE);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return connectorsView(req, viewer, { kind: values.kind, values, problem: { message: error.message, field: error.field } });
      }
    },
    // One route for a connector's two actions (each route adds to the account's burst): remove (asked twice), and
    // backfill (every confirmed reader pushed, or a failed run resumed).
    'POST /admin/connectors/{connectorId}/{action}': async (req, viewer) => {
      const id = req.pathParam('connectorId', webhookCore.ConnectorId, webhookCore.UNKNOWN_CONNECTOR);
      const action = req.pathParam('action', ConnectorAction, 'There is no such action for a connector.');
      if (action === 'backfill') {
        await webhookCore.backfillConsoleConnector(deps, client(req, viewer), id);
        return seeOther('/admin/connectors');
      }
      const form = await req.body(ConfirmForm);
      if (form.confirm !== 'yes') return page(200, webhookPages.removeConnectorPage(site(req, viewer), viewer, await webhookCore.consoleConnector(deps, id)));
      await webhookCore.removeConsoleConnector(deps, client(req, viewer), id);
      return seeOther('/admin/connectors');
    },
    'GET /admin/account': async (req, viewer) => {
      const [passkeys, sessions, registration] = await Promise.all([
        deps.passkeys.listFor(viewer.editor.email),
        liveSessions(deps, viewer.editor),
        passkeyCore.passkeyRegistration(deps, viewer.editor),
      ]);
      return page(200, pages.accountPage(site(req, viewer), viewer, { passkeys, sessions, registration }));
    },
    'POST /admin/account/passkeys': async (req, viewer) => {
      const form = await req.body(PasskeyForm);
      await passkeyCore.addPasskey(deps, viewer.editor, { state: form.state, response: form.response, client: req.client });
      return seeOther('/admin/account');
    },
    'POST /admin/account/passkeys/remove': async (req, viewer) => {
      const { id } = await req.body(IdForm);
      await passkeyCore.removePasskey(deps, viewer.editor, { id, client: req.client });
      return seeOther('/admin/account');
    },
    'POST /admin/account/signout-everywhere': async (req, viewer) => {
      await req.body(OnlyCsrf);
      await editorCore.endEditorSessions(deps, client(req, viewer), viewer.editor.email);
      return withCookie(seeOther('/admin'), clearedSessionCookie(options.secureCookie));
    },
    'GET /admin/editors': async (req, viewer) =>
      page(200, pages.editorsPage(site(req, viewer), viewer, await deps.editors.list())),
    'POST /admin/editors': async (req, viewer) => {
      const form = await req.body(EditorForm);
      await editorCore.putEditor(deps, client(req, viewer), { email: form.email, role: form.role });
      return seeOther('/admin/editors');
    },
    'POST /admin/editors/remove': async (req, viewer) => {
      const form = await req.body(EmailForm);
      await editorCore.removeEditor(deps, client(req, viewer), form.email);
      return seeOther('/admin/editors');
    },
    'POST /admin/editors/signout-everywhere': async (req, viewer) => {
      const form = await req.body(EmailForm);
      await editorCore.endEditorSessions(deps, client(req, viewer), form.email);
      return seeOther('/admin/editors');
    },
    'GET /admin/tokens': async (req, viewer) =>
      page(200, pages.tokensPage(site(req, viewer), viewer, await deps.tokens.list())),
    'POST /admin/tokens/revoke': async (req, viewer) => {
      const form = await req.body(IdForm);
      await editorCore.revokeToken(deps, client(req, viewer), form.id);
      return seeOther('/admin/tokens');
    },
    'GET /admin/audit': async (req, viewer) =>
      page(200, pages.auditPage(site(req, viewer), viewer, await recentAudit(deps, 100))),
    'POST /admin/signout': async (req, viewer) => {
      await endSession(deps, viewer.session);
      await recordAudit(deps, { actor: viewer.editor.email, action: 'signout', client: req.client });
      return withCookie(seeOther('/admin'), clearedSessionCookie(options.secureCookie));
    },
  } satisfies Record<string, SectionRoute>;
};

/** The key of a section route, as API Gateway names it. */
export type SectionRouteKey = keyof ReturnType<typeof sectionRoutes>;
