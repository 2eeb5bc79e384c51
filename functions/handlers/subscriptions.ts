import { InvalidTokenError } from '../core/shared/errors.js';
import {
  confirmedPage,
  confirmPromptPage,
  invalidConfirmLinkPage,
  PAGE_SCRIPT_HASHES,
  thanksPage,
  unsubscribedPage,
  unsubscribePromptPage,
} from '../core/subscriptions/pages.js';
import { limitClient, type RateLimit } from '../core/shared/limits.js';
import { readConfirmToken, readUnsubscribeToken } from '../core/shared/secrets.js';
import {
  confirmSubscription,
  OneClickBody,
  requestSubscription,
  SubscribeRequest,
  type SubscriptionDeps,
  TokenQuery,
  unsubscribe,
} from '../core/subscriptions/subscriptions.js';
import {
  checkBody,
  FORM_TYPE,
  type HttpRequest,
  html,
  httpHandler,
  JSON_TYPE,
  json,
  MULTIPART_TYPE,
  seeOther,
} from '../platform/http.js';

export interface SubscriptionRoutesOptions {
  thankYouUrl?: string | undefined;
  confirmedUrl?: string | undefined;
  limits: { signupClient: RateLimit; linkClient: RateLimit };
}

const refererOf = (req: HttpRequest) => {
  const referer = req.headers.referer;
  return referer && /^https?:\/\//i.test(referer) && referer.length <= 2048 ? referer : undefined;
};

export const makeHandler = (deps: SubscriptionDeps, options: SubscriptionRoutesOptions) => {
  const { siteName, apiBaseUrl } = deps.settings;
  const signupUrl = `${apiBaseUrl}/v1/subscriptions`;
  const selfUrl = (req: HttpRequest) => `${apiBaseUrl}${req.path}?${req.query.toString()}`;
  const tokenOf = (req: HttpRequest) => req.queryParams(TokenQuery, { token: 'invalid_token' }).token;

  /** A bad confirmation link in a browser gets a page that explains and offers a new link. */
  const confirmLinkErrors = async (req: HttpRequest, run: () => Promise<ReturnType<typeof html>>) => {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof InvalidTokenError) || !req.wantsHtml) throw error;
      return html(400, invalidConfirmLinkPage(siteName, error.message, signupUrl, error.email));
    }
  };

  return httpHandler(
    {
      'POST /v1/subscriptions': async (req) => {
        await limitClient(deps, options.limits.signupClient, req.client); // every request counts, valid or not
        checkBody(req);
        const input = req.body(SubscribeRequest, { email: 'invalid_email', lists: 'invalid_list' });
        const source = input.source ?? refererOf(req); // a form posted without JavaScript names its page this way
        await requestSubscription(deps, { ...input, source, client: req.client });
        return req.wantsHtml ? seeOther(options.thankYouUrl ?? `${signupUrl}/thanks`) : json(202, { status: 'pending' });
      },

      'GET /v1/subscriptions/thanks': async () => html(200, thanksPage(siteName)),

      'GET /v1/subscriptions/confirm': async (req) => {
        await limitClient(deps, options.limits.linkClient, req.client);
        return confirmLinkErrors(req, async () => {
          readConfirmToken(deps.keys.token, tokenOf(req), deps.clock.now()); // read only: scanners change nothing
          return html(200, confirmPromptPage(siteName, selfUrl(req)), {}, PAGE_SCRIPT_HASHES);
        });
      },

      'POST /v1/subscriptions/confirm': async (req) => {
        await limitClient(deps, options.limits.linkClient, req.client);
        checkBody(req);
        return confirmLinkErrors(req, async () => {
          await confirmSubscription(deps, { token: tokenOf(req), client: req.client });
          if (!req.wantsHtml) return json(200, { status: 'confirmed' });
          return options.confirmedUrl ? seeOther(options.confirmedUrl) : html(200, confirmedPage(siteName));
        });
      },

      'GET /v1/subscriptions/unsubscribe': async (req) => {
        await limitClient(deps, options.limits.linkClient, req.client);
        readUnsubscribeToken(deps.keys.token, tokenOf(req)); // a GET never unsubscribes: mail scanners follow links
        return html(200, unsubscribePromptPage(siteName, selfUrl(req)));
      },

      // RFC 8058 one-click: a POST with `List-Unsubscribe=One-Click` (multipart or urlencoded), no cookies, no
      // page; and the page's button. Never limited by client IP: Gmail and Yahoo post from shared servers, and the
      // token (sealed, bound to one address) authenticates the request. The GET prompt above stays limited.
      'POST /v1/subscriptions/unsubscribe': async (req) => {
        checkBody(req, [FORM_TYPE, MULTIPART_TYPE, JSON_TYPE]);
        req.body(OneClickBody);
        await unsubscribe(deps, { token: tokenOf(req) });
        return req.wantsHtml ? html(200, unsubscribedPage(siteName)) : json(200, { status: 'unsubscribed' });
      },
    },
    { siteName },
  );
};
