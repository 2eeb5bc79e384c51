import { campaignProgress, UNKNOWN_CAMPAIGN } from '../core/donations/campaigns.js';
import { type DonationDeps, startCheckout } from '../core/donations/checkout.js';
import type { GiftAidCancellations } from '../core/donations/gift-aid-cancel.js';
import { CampaignId } from '../core/donations/campaign.js';
import { CheckoutRequest } from '../core/donations/checkout-request.js';
import type { StatementPageDeps } from '../core/donors/statements.js';
import { type Brand, defaultBrand } from '../core/shared/brand.js';
import { limitClient, type RateLimit, type RateLimiter } from '../core/shared/limits.js';
import { httpHandler, type RouteHandler } from '../platform/http/handler.js';
import { readerLanguage } from '../platform/http/language.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { html, json } from '../platform/http/responses.js';
import type { LinkRoute } from './link-routes.js';

/**
 * What the function loads on first use (sections.ts): the links' routes with their pages and use cases, loaded with
 * the first request to one of them (the banner's progress and a checkout from the embed, JSON, never do), and the
 * stores only some requests read (deps.ts).
 */
export const sections = () => import('./sections.js');

const CHECKOUT_CODES = { campaign: 'invalid_campaign', amount: 'invalid_amount', currency: 'invalid_currency', email: 'invalid_email' };

export interface DonationRoutesOptions {
  siteName: string;
  /** The site's look on the pages (brandOf); the default look around the site's name when unset. */
  brand?: Brand | undefined;
  rateLimiter: RateLimiter;
  checkoutLimit: RateLimit;
  /** Manage-link visits per client (each one opens a Stripe portal session); MANAGE_LINK_LIMIT when unset. */
  manageLimit?: RateLimit | undefined;
  /**
   * Throws DonationsNotConfiguredError while the stage cannot take donations (its Stripe secret is not set yet):
   * every route that leads to a payment answers 503 then, before it checks anything else. Always ready when unset.
   */
  ready?: (() => Promise<unknown>) | undefined;
  /** The giving statement's page: the donor's gifts and the charity it names (the route answers 404 without it). */
  statements?: (StatementPageDeps & { charity: { name: string; registration: string } }) | undefined;
  /** The donors' Gift Aid cancellations (the Gift Aid link answers 404 without them). */
  giftAidCancellations?: GiftAidCancellations | undefined;
  /** The charity a Gift Aid declaration is made to (CHARITY_NAME); the site's name when unset. */
  charityName?: string | undefined;
  /** Statement-link visits per client; STATEMENT_LINK_LIMIT when unset. */
  statementLimit?: RateLimit | undefined;
}

/** The routes a browser follows from a link (link-routes.ts): none of them is the banner's or the embed's checkout. */
const LINK_ROUTES: readonly LinkRoute[] = ['GET /v1/donate', 'GET /v1/donations/manage', 'GET /v1/donations/statement', 'GET /v1/donations/gift-aid', 'POST /v1/donations/gift-aid', 'GET /v1/donate/thanks'];

export const makeHandler = (deps: DonationDeps, options: DonationRoutesOptions) => {
  const { siteName } = options;
  const site = options.brand ?? defaultBrand(siteName);
  const base = deps.settings.apiBaseUrl;
  // The chooser's form is answered with a 303 to Stripe Checkout, and browsers hold that redirect to the page's
  // form-action too (the dev server's simulator is our own origin).
  const chooserForms = ["'self'", new URL(base).origin, 'https://checkout.stripe.com'];
  const page = (status: number, body: string) => html(status, body, {}, [], chooserForms);
  // Card testers hammer checkout creation: every attempt from one client counts, valid or not.
  const limitCheckouts = (req: HttpRequest) =>
    limitClient({ rateLimiter: options.rateLimiter, keys: deps.keys, clock: deps.clock }, options.checkoutLimit, req.client);
  const ready = async () => {
    await options.ready?.();
  };
  let linksLoaded: Promise<Record<LinkRoute, RouteHandler>> | undefined;
  const links = () => {
    linksLoaded ??= sections().then(
      ({ linkRoutes }) => linkRoutes({ deps, options, site, base, page, ready, limitCheckouts, checkoutCodes: CHECKOUT_CODES }),
      (error: unknown) => {
        // A failed load is tried again with the next request.
        linksLoaded = undefined;
        throw error;
      },
    );
    return linksLoaded;
  };

  return httpHandler(
    {
      'GET /v1/campaigns/{campaignId}': async (req) =>
        json(200, await campaignProgress(deps, req.pathParam('campaignId', CampaignId, UNKNOWN_CAMPAIGN)), {
          'cache-control': 'public, max-age=30, stale-while-revalidate=60',
        }),

      'POST /v1/donations/checkout': async (req) => {
        await ready();
        await limitCheckouts(req);
        checkBody(req, ['application/json']);
        const input = await req.body(CheckoutRequest, CHECKOUT_CODES);
        // The donor's language (the embed sends it), else their browser's: Checkout's, the pages after it, the receipt's.
        const lang = readerLanguage(req, site, input.lang);
        return json(201, await startCheckout(deps, { ...input, lang, client: req.client }));
      },

      // The links' routes, loaded with the first request to one of them.
      ...Object.fromEntries(LINK_ROUTES.map((route) => [route, async (req: HttpRequest) => (await links())[route](req)])),
    },
    { siteName, brand: options.brand },
  );
};
