import { cancelReminders, limitReminderClient, ReminderRequest, type ReminderRequestDeps, readReminderToken, requestReminder } from '../core/donors/reminders.js';
import { reminderScheduledPage, remindersCancelledPage, reminderUnsubscribePromptPage } from '../core/donors/pages.js';
import type { Brand } from '../core/shared/brand.js';
import { OneClickBody, TokenQuery } from '../core/subscriptions/subscriptions.js';
import type { RouteHandler } from '../platform/http/handler.js';
import { readerLanguage, siteFor } from '../platform/http/language.js';
import { FORM_TYPE, JSON_TYPE, MULTIPART_TYPE } from '../platform/http/media-types.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { html, json } from '../platform/http/responses.js';
import { logger } from '../platform/logger.js';

export interface ReminderRoutesOptions {
  apiBaseUrl: string;
  site: Brand;
  /** Counts a visit of the unsubscribe page against the client's link limit (HEAD counts nothing). */
  countLinkVisit: (req: HttpRequest) => Promise<void>;
}

/** The routes reminderRoutes answers (routes.ts names them without loading this module). */
export type ReminderRouteKey = 'POST /v1/reminders' | 'GET /v1/reminders/unsubscribe' | 'POST /v1/reminders/unsubscribe';

/**
 * "Remind me later": `POST /v1/reminders` (JSON, or a form without JavaScript), and the link in the reminder that
 * cancels every reminder to the address: a page on GET (mail scanners change nothing), RFC 8058 one-click on POST.
 */
export const reminderRoutes = (deps: ReminderRequestDeps, options: ReminderRoutesOptions): Record<ReminderRouteKey, RouteHandler> => {
  const { site } = options;
  const tokenOf = (req: HttpRequest) => req.queryParams(TokenQuery, { token: 'invalid_token' }).token;
  return {
    'POST /v1/reminders': async (req) => {
      await limitReminderClient(deps, req.client); // every request counts, valid or not
      checkBody(req, [JSON_TYPE, FORM_TYPE]);
      const input = await req.body(ReminderRequest, { email: 'invalid_email', campaign: 'invalid_campaign', date: 'invalid_date', lang: 'invalid_lang' });
      const lang = readerLanguage(req, site, input.lang);
      await requestReminder(deps, { ...input, lang });
      logger.info('reminder requested', { requestId: req.requestId });
      return req.wantsHtml ? html(202, reminderScheduledPage(siteFor(req, site, lang))) : json(202, { status: 'scheduled' });
    },

    'GET /v1/reminders/unsubscribe': async (req) => {
      await options.countLinkVisit(req);
      readReminderToken(deps.keys.token, tokenOf(req)); // a GET cancels nothing
      return html(200, reminderUnsubscribePromptPage(siteFor(req, site), `${options.apiBaseUrl}${req.path}?${req.query.toString()}`));
    },

    // RFC 8058: mailbox providers post `List-Unsubscribe=One-Click` from shared servers without cookies; the sealed
    // token, bound to one address, authenticates it, so no client limit applies (as for the list's one-click).
    'POST /v1/reminders/unsubscribe': async (req) => {
      checkBody(req, [FORM_TYPE, MULTIPART_TYPE, JSON_TYPE]);
      await req.body(OneClickBody);
      const cancelled = await cancelReminders(deps, tokenOf(req));
      logger.info('reminders cancelled', { cancelled, requestId: req.requestId });
      return req.wantsHtml ? html(200, remindersCancelledPage(siteFor(req, site))) : json(200, { status: 'unsubscribed' });
    },
  };
};
