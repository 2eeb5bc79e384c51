import { type Brand, defaultBrand } from '../core/shared/brand.js';
import { InvalidTokenError, RateLimitedError, ValidationError } from '../core/shared/errors.js';
import { limitClient, type RateLimit } from '../core/shared/limits.js';
import { readConfirmToken, readUnsubscribeToken } from '../core/shared/secrets.js';
import {
  OneClickBody,
  requestSubscription,
  SubscribeRequest,
  type SubscriptionDeps,
  TokenQuery,
} from '../core/subscriptions/subscriptions.js';
import { statusOf } from '../platform/http/errors.js';
import { httpHandler } from '../platform/http/handler.js';
import { readerLanguage, siteFor } from '../platform/http/language.js';
import { FORM_TYPE, JSON_TYPE, MULTIPART_TYPE } from '../platform/http/media-types.js';
import { checkBody, type HttpRequest, type MultipartReader } from '../platform/http/request.js';
import { html, json, seeOther } from '../platform/http/responses.js';
import { inLanguage } from '../core/shared/i18n/index.js';
import { logger } from '../platform/logger.js';
import type { ReminderRequestDeps } from '../core/donors/reminders.js';
import type { RouteHandler } from '../platform/http/handler.js';
import type { ReminderRouteKey, ReminderRoutesOptions } from './reminder-routes.js';

/**
 * What only some requests need (sections.ts: the pages, the reminder routes, the multipart parser, the link
 * POSTs' writes), loaded with the first request that does: a signup from the embed (JSON) never does. The signup is
 * the main route (bursts of them are what start containers, and a signup only validates, counts and queues); a
 * confirm or unsubscribe POST comes later, when a reader clicks an email, and loads the writes then.
 */
const sections = () => import('./sections.js');

/** The reminder routes, named here so that the route table holds them before their module is loaded. */
const REMINDER_ROUTES = {
  'POST /v1/reminders': true,
  'GET /v1/reminders/unsubscribe': true,
  'POST /v1/reminders/unsubscribe': true,
} as const satisfies Record<ReminderRouteKey, true>;

/**
 * The reminder routes, each loading reminder-routes.ts (in sections.ts) with its first request: few readers ask for
 * a reminder, and every signup would load them otherwise. Made per request: a record of three closures.
 */
const lazyReminderRoutes = (deps: ReminderRequestDeps, options: ReminderRoutesOptions) =>
  Object.fromEntries(
    Object.keys(REMINDER_ROUTES).map((key): [string, RouteHandler] => [
      key,
      async (req) => (await sections()).reminderRoutes(deps, options)[key as ReminderRouteKey](req),
    ]),
  );

/** Multipart bodies (a form, RFC 8058's one-click) are rare: the parser loads with the first. */
const readMultipart: MultipartReader = async (body, contentType) => (await sections()).parseMultipart(body, contentType);

export interface SubscriptionRoutesOptions {
  thankYouUrl?: string | undefined;
  confirmedUrl?: string | undefined;
  limits: { signupClient: RateLimit; linkClient: RateLimit };
  /** The site's look on the pages (brandOf); the default look around the site's name when unset. */
  brand?: Brand | undefined;
  /** "Remind me later" (reminder-routes.ts): its store, limits and time zone; the routes answer 404 without it. */
  reminders?: ReminderRequestDeps | undefined;
}

const originOf = (url: string | undefined) => (url && URL.canParse(url) ? new URL(url).origin : undefined);

const refererOf = (req: HttpRequest) => {
  const referer = req.headers.referer;
  return referer && /^https?:\/\//i.test(referer) && referer.length <= 2048 ? referer : undefined;
};

export const makeHandler = (deps: SubscriptionDeps, options: SubscriptionRoutesOptions) => {
  const { siteName, apiBaseUrl } = deps.settings;
  const site = options.brand ?? defaultBrand(siteName);
  const signupUrl = `${apiBaseUrl}/v1/subscriptions`;
  // Our pages' forms post here, and the answer may be a 303 to a configured page on the site: browsers hold that
  // redirect to the page's form-action too.
  const formAction = [...new Set(["'self'", ...[apiBaseUrl, options.thankYouUrl, options.confirmedUrl].flatMap((u) => originOf(u) ?? [])])];
  const page = (status: number, body: string, headers: Record<string, string> = {}, scripts: readonly string[] = []) =>
    html(status, body, headers, scripts, formAction);
  const selfUrl = (req: HttpRequest) => `${apiBaseUrl}${req.path}?${req.query.toString()}`;
  const tokenOf = (req: HttpRequest) => req.queryParams(TokenQuery, { token: 'invalid_token' }).token;
  // A link visit counts against the client's limit; a HEAD does not: it only asks what GET would answer, and a
  // safe method leaves nothing behind (RFC 9110 §9.2.1), not even a count.
  const countLinkVisit = async (req: HttpRequest) => {
    if (req.method !== 'HEAD') await limitClient(deps, options.limits.linkClient, req.client);
  };

  /** A bad confirmation link in a browser gets a page that explains and offers a new link. */
  const confirmLinkErrors = async (req: HttpRequest, run: () => Promise<ReturnType<typeof html>>) => {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof InvalidTokenError) || !req.wantsHtml) throw error;
      const validDays = Math.round(deps.settings.confirmTtlSeconds / 86400);
      return page(400, (await sections()).invalidConfirmLinkPage(siteFor(req, site), error, signupUrl, error.email, validDays));
    }
  };

  return httpHandler(
    {
      'POST /v1/subscriptions': async (req) => {
        try {
          await limitClient(deps, options.limits.signupClient, req.client); // every request counts, valid or not
          checkBody(req);
          const input = await req.body(SubscribeRequest, { email: 'invalid_email', lists: 'invalid_list' });
          const source = input.source ?? refererOf(req); // a form posted without JavaScript names its page this way
          // The language of every page and email the reader gets from now on: the form's, else the browser's.
          const lang = readerLanguage(req, site, input.lang);
          await requestSubscription(deps, { ...input, source, lang, client: req.client });
          return req.wantsHtml ? seeOther(options.thankYouUrl ?? inLanguage(`${signupUrl}/thanks`, lang)) : json(202, { status: 'pending' });
        } catch (error) {
          // A form posted without JavaScript that we cannot take gets the form back: the problem in words at its
          // field, what the reader typed kept, and how long to wait when it is the rate limit.
          if (!req.wantsHtml || !(error instanceof ValidationError || error instanceof RateLimitedError)) throw error;
          const { typedValues, signupFormPage } = await sections();
          const values = typedValues(req);
          if (values.email === undefined) throw error;
          const waited = error instanceof RateLimitedError ? error.retryAfterSeconds : undefined;
          const problem = { message: (error as ValidationError).message, field: (error as ValidationError).field, retryAfterSeconds: waited };
          const speaks = siteFor(req, site, values.lang && (error as ValidationError).field !== 'lang' ? values.lang : undefined);
          return page(statusOf(error), signupFormPage(speaks, signupUrl, values, problem), waited === undefined ? {} : { 'retry-after': String(waited) });
        }
      },

      'GET /v1/subscriptions/thanks': async (req) => page(200, (await sections()).thanksPage(siteFor(req, site))),

      'GET /v1/subscriptions/confirm': async (req) => {
        await countLinkVisit(req);
        return confirmLinkErrors(req, async () => {
          readConfirmToken(deps.keys.token, tokenOf(req), deps.clock.now()); // read only: scanners change nothing
          return page(200, (await sections()).confirmPromptPage(siteFor(req, site), selfUrl(req)), {}, (await sections()).PAGE_SCRIPT_HASHES);
        });
      },

      'POST /v1/subscriptions/confirm': async (req) => {
        await limitClient(deps, options.limits.linkClient, req.client);
        checkBody(req);
        return confirmLinkErrors(req, async () => {
          await (await sections()).confirmSubscription(deps, { token: tokenOf(req), client: req.client });
          logger.info('subscription confirmed', { requestId: req.requestId });
          if (!req.wantsHtml) return json(200, { status: 'confirmed' });
          return options.confirmedUrl ? seeOther(options.confirmedUrl) : page(200, (await sections()).confirmedPage(siteFor(req, site)));
        });
      },

      'GET /v1/subscriptions/unsubscribe': async (req) => {
        await countLinkVisit(req);
        readUnsubscribeToken(deps.keys.token, tokenOf(req)); // a GET never unsubscribes: mail scanners follow links
        return page(200, (await sections()).unsubscribePromptPage(siteFor(req, site), selfUrl(req)));
      },

      // RFC 8058 one-click: a POST with `List-Unsubscribe=One-Click` (multipart or urlencoded), no cookies, no
      // page; and the page's button. Never limited by client IP: Gmail and Yahoo post from shared servers, and the
      // token (sealed, bound to one address) authenticates the request. The GET prompt above stays limited.
      'POST /v1/subscriptions/unsubscribe': async (req) => {
        checkBody(req, [FORM_TYPE, MULTIPART_TYPE, JSON_TYPE]);
        await req.body(OneClickBody);
        await (await sections()).unsubscribe(deps, { token: tokenOf(req) });
        return req.wantsHtml ? page(200, (await sections()).unsubscribedPage(siteFor(req, site))) : json(200, { status: 'unsubscribed' });
      },

      ...(options.reminders ? lazyReminderRoutes(options.reminders, { apiBaseUrl, site, countLinkVisit }) : {}),
    },
    // The form and RFC 8058's one-click POST may come as multipart: this function alone reads such bodies.
    { siteName, brand: options.brand, readMultipart },
  );
};
