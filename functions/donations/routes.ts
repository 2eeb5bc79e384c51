import { safeParse } from '../core/shared/schema.js';
import { type Brand, defaultBrand } from '../core/shared/brand.js';
import { CampaignId, CheckoutRequest, Frequency } from '../core/donations/model.js';
import { campaignProgress, UNKNOWN_CAMPAIGN } from '../core/donations/campaigns.js';
import { type DonationDeps, startCheckout } from '../core/donations/checkout.js';
import { offersGiftAid } from '../core/donations/gift-aid.js';
import type { GiftAidCancellations } from '../core/donations/gift-aid-cancel.js';
import { inDonorLanguage } from '../core/donations/manage.js';
import { DomainError, NotFoundError } from '../core/shared/errors.js';
import { limitClient, type RateLimit, type RateLimiter } from '../core/shared/limits.js';
import type { StatementPageDeps } from '../core/donors/statements.js';
import { errorResponse, statusOf } from '../platform/http/errors.js';
import { httpHandler } from '../platform/http/handler.js';
import { readerLanguage, siteFor } from '../platform/http/language.js';
import { checkBody, type HttpRequest } from '../platform/http/request.js';
import { html, json, linkChecked, seeOther } from '../platform/http/responses.js';
import { attributionFields, attributionOf } from '../core/experiments/attribution.js';

/**
 * The pages, the donate link and the rare links' use cases, loaded with the first request that needs them: the
 * banner's progress and a checkout from the embed (JSON) never do.
 */
const sections = () => import('./sections.js');

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

/** As the confirm and unsubscribe links (LINK_CLIENT_LIMIT_PER_MINUTE's default): a donor clicks a few times. */
export const MANAGE_LINK_LIMIT: RateLimit = { name: 'manage-client', limit: 60, windowSeconds: 60 };
/** Each visit reads the donor's gifts: as the manage link. */
export const STATEMENT_LINK_LIMIT: RateLimit = { name: 'statement-client', limit: 60, windowSeconds: 60 };

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
  // The chooser offers Gift Aid in the charity's name on a GBP campaign of a site that claims it.
  const giftAidOf = (campaign: { currency: string }) =>
    offersGiftAid(deps.settings.giftAid, campaign.currency) ? { giftAidCharity: options.charityName ?? siteName } : {};
  // Where a donor's Gift Aid cancellations are kept (a site that never claimed Gift Aid has no such link: 404).
  const giftAidCancel = () => {
    if (!options.giftAidCancellations) throw new NotFoundError('There is nothing at this address.');
    return { clock: deps.clock, keys: deps.keys, cancellations: options.giftAidCancellations };
  };
  const ready = async () => {
    await options.ready?.();
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

      'GET /v1/donate': async (req) => {
        // A stage not set up yet shows its 503 page, not the chooser: no amount chosen there could be paid.
        await ready();
        const pages = await sections();
        const { checkDonateLink, DonateAttributionQuery, DonateQuery, followDonateLink, hasAmount } = pages;
        const campaign = safeParse(CampaignId, req.query.get('campaign')).data;
        // Where the reader came from: the link's fields, else the page that linked here (its Referer, when that is
        // not our own chooser). The chooser's form carries them on to the checkout.
        const carried = safeParse(DonateAttributionQuery, Object.fromEntries(req.query)).data;
        const referer = req.headers.referer;
        // Back from Checkout without paying, the Referer is Checkout's page, not the reader's.
        const fromPage = referer && req.query.get('checkout') !== 'cancelled' && URL.canParse(referer) && new URL(referer).origin !== new URL(base).origin ? safeParse(DonateAttributionQuery.shape.source, referer).data : undefined;
        const attribution = { ...carried, source: carried?.source ?? fromPage };
        // What the donor chose, as sent: shown again when the chooser comes back with an error.
        const choice = {
          frequency: safeParse(Frequency, req.query.get('frequency')).data,
          customAmount: req.query.get('custom_amount') ?? undefined,
          subscribe: req.query.get('subscribe') === 'true',
          giftAid: req.query.get('gift_aid') === 'true',
          attribution: attributionFields(attributionOf(attribution)),
          coverFee: req.query.get('cover_fee') === 'true',
          tributeType: req.query.get('tribute_type') ?? undefined,
          tributeName: req.query.get('tribute_name') ?? undefined,
          anonymous: req.query.get('anonymous') === 'true',
        };
        // The currency's fee, which the chooser's "cover the fee" box names (no box where there is none).
        const feeOf = (campaign: { currency: string }) => deps.settings.feeRates?.[campaign.currency];
        // The reader's language (the link's or the form's `lang`, else the browser's): every page here speaks it.
        const reader = siteFor(req, site);
        try {
          const asked = req.queryParams(DonateQuery, CHECKOUT_CODES);
          const query = { ...asked, lang: readerLanguage(req, site, asked.lang), source: attribution.source };
          if (hasAmount(query) && req.method === 'HEAD') {
            // A HEAD creates no Checkout Session and counts no checkout: the link checked as GET checks it.
            await checkDonateLink(deps, query);
            return linkChecked();
          }
          if (hasAmount(query)) await limitCheckouts(req);
          const link = await followDonateLink(deps, query, req.client);
          if ('checkoutUrl' in link) return seeOther(link.checkoutUrl);
          if ('upsell' in link) return page(200, pages.upsellPage(reader, base, link.upsell));
          return page(200, pages.donateChooserPage(reader, base, link.choose, { ...choice, ...giftAidOf(link.choose), cancelled: req.query.get('checkout') === 'cancelled' }, feeOf(link.choose)));
        } catch (error) {
          // A link in a banner or an email must never lead to a broken checkout: always a page that explains.
          const status = statusOf(error);
          if (!(error instanceof DomainError) || status >= 500 || status === 429) throw error;
          const found = campaign ? await deps.campaigns.get(campaign).catch(() => undefined) : undefined;
          // A closed campaign's link (an old banner, an email) says that it has ended, with its final total.
          if (found && !found.open) return page(200, pages.campaignEndedPage(reader, found));
          // An amount we cannot take, or a dedication without its name: the chooser again, with the problem at its
          // field and what was typed.
          if (found && (error.code === 'invalid_amount' || error.field === 'tribute_name')) {
            return page(400, pages.donateChooserPage(reader, base, found, { ...choice, ...giftAidOf(found), error: { message: error.message, field: error.field } }, feeOf(found)));
          }
          const back = campaign && error.code !== 'invalid_campaign' ? inDonorLanguage(`${base}/v1/donate?campaign=${encodeURIComponent(campaign)}`, reader.lang) : undefined;
          return page(400, pages.donationErrorPage(reader, error.message, back));
        }
      },

      // The link in monthly receipts and on the monthly thank-you page. Every visit counts against the client's
      // limit, valid or not, as on the other link routes (each valid one costs a Stripe call). A link is only ever
      // opened in a browser, so a failure is always a page (the contract's 400 page for a bad token).
      'GET /v1/donations/manage': async (req) => {
        try {
          // A HEAD opens no portal session and counts no visit: the link checked as GET checks it.
          await ready();
          const { ManageQuery, openDonorPortal, readManageToken } = await sections();
          const isHead = req.method === 'HEAD';
          if (!isHead) await limitClient({ rateLimiter: options.rateLimiter, keys: deps.keys, clock: deps.clock }, options.manageLimit ?? MANAGE_LINK_LIMIT, req.client);
          const { token } = req.queryParams(ManageQuery, { token: 'invalid_token' });
          if (isHead) {
            readManageToken(deps.keys.token, token, deps.clock.now());
            return linkChecked();
          }
          return seeOther(await openDonorPortal(deps, token, req.query.get('lang') ?? undefined));
        } catch (error) {
          // In the language the link carries (manageLink), else the browser's.
          return errorResponse(error, { ...req, wantsHtml: true }, siteFor(req, site));
        }
      },

      // The link in a giving statement's email: the same statement as a printable page. Only a browser opens it, so
      // a failure is a page (a forged, other-purpose or expired token: the contract's 400 page).
      'GET /v1/donations/statement': async (req) => {
        const reader = siteFor(req, site);
        try {
          const statements = options.statements;
          if (!statements) throw new NotFoundError('There is nothing at this address.');
          const { addressKey, StatementQuery, statementOf, statementPage } = await sections();
          await limitClient({ rateLimiter: options.rateLimiter, keys: deps.keys, clock: deps.clock }, options.statementLimit ?? STATEMENT_LINK_LIMIT, req.client);
          const { token, year } = req.queryParams(StatementQuery, { token: 'invalid_token', year: 'invalid_year' });
          const statement = await statementOf(statements, token, year, (email) => addressKey(deps.keys, email));
          return page(200, statementPage(reader, statement, statements.charity));
        } catch (error) {
          return errorResponse(error, { ...req, wantsHtml: true }, reader);
        }
      },

      // The Gift Aid link in a declared gift's receipt: a GET shows what cancelling does and changes nothing (mail
      // scanners follow links); its button posts. Only a browser opens it, so a failure is a page.
      'GET /v1/donations/gift-aid': async (req) => {
        const reader = siteFor(req, site);
        try {
          const cancel = giftAidCancel();
          const { GiftAidQuery, giftAidCancelPromptPage, readGiftAidToken } = await sections();
          await limitClient({ rateLimiter: options.rateLimiter, keys: deps.keys, clock: deps.clock }, options.manageLimit ?? MANAGE_LINK_LIMIT, req.client);
          const { token } = req.queryParams(GiftAidQuery, { token: 'invalid_token' });
          readGiftAidToken(cancel.keys, token);
          return page(200, giftAidCancelPromptPage(reader, `${base}${req.path}?${req.query.toString()}`, options.charityName ?? siteName));
        } catch (error) {
          return errorResponse(error, { ...req, wantsHtml: true }, reader);
        }
      },

      'POST /v1/donations/gift-aid': async (req) => {
        const reader = siteFor(req, site);
        try {
          const cancel = giftAidCancel();
          const { cancelGiftAid, GiftAidQuery, giftAidCancelledPage } = await sections();
          await limitClient({ rateLimiter: options.rateLimiter, keys: deps.keys, clock: deps.clock }, options.manageLimit ?? MANAGE_LINK_LIMIT, req.client);
          const { token } = req.queryParams(GiftAidQuery, { token: 'invalid_token' });
          await cancelGiftAid(cancel, token);
          return req.wantsHtml ? page(200, giftAidCancelledPage(reader)) : json(200, { status: 'cancelled' });
        } catch (error) {
          return errorResponse(error, req, reader);
        }
      },

      // Checkout's success URL carries the donor's language (startCheckout).
      'GET /v1/donate/thanks': async (req) => {
        await ready();
        const reader = siteFor(req, site);
        const { describeGift, donationThanksPage } = await sections();
        return page(200, donationThanksPage(reader, await describeGift(deps, req.query.get('session_id') ?? undefined, readerLanguage(req, site))));
      },
    },
    { siteName, brand: options.brand },
  );
};
