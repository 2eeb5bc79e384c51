import type { DonationDeps } from '../core/donations/checkout.js';
import { checkDonateLink, DonateAttributionQuery, DonateQuery, followDonateLink, hasAmount } from '../core/donations/donate-link.js';
import { offersGiftAid } from '../core/donations/gift-aid.js';
import { cancelGiftAid, GiftAidQuery, readGiftAidToken } from '../core/donations/gift-aid-cancel.js';
import { inDonorLanguage, ManageQuery, openDonorPortal } from '../core/donations/manage.js';
import { CampaignId, Frequency } from '../core/donations/model.js';
import { campaignEndedPage, donateChooserPage, donationErrorPage, donationThanksPage, giftAidCancelledPage, giftAidCancelPromptPage, upsellPage } from '../core/donations/pages.js';
import { describeGift } from '../core/donations/thanks.js';
import { statementPage } from '../core/donors/pages.js';
import { StatementQuery, statementOf } from '../core/donors/statements.js';
import { attributionFields, attributionOf } from '../core/experiments/attribution.js';
import type { Brand } from '../core/shared/brand.js';
import { addressKey } from '../core/shared/email-address.js';
import { DomainError, NotFoundError } from '../core/shared/errors.js';
import { limitClient, type RateLimit } from '../core/shared/limits.js';
import { safeParse } from '../core/shared/schema.js';
import { readManageToken } from '../core/shared/secrets.js';
import { errorResponse, statusOf } from '../platform/http/errors.js';
import type { RouteHandler } from '../platform/http/handler.js';
import { readerLanguage, siteFor } from '../platform/http/language.js';
import type { HttpRequest } from '../platform/http/request.js';
import { type HttpResponse, json, linkChecked, seeOther } from '../platform/http/responses.js';
import type { DonationRoutesOptions } from './routes.js';

/** As the confirm and unsubscribe links (LINK_CLIENT_LIMIT_PER_MINUTE's default): a donor clicks a few times. */
export const MANAGE_LINK_LIMIT: RateLimit = { name: 'manage-client', limit: 60, windowSeconds: 60 };
/** Each visit reads the donor's gifts: as the manage link. */
export const STATEMENT_LINK_LIMIT: RateLimit = { name: 'statement-client', limit: 60, windowSeconds: 60 };

/** What the link routes share with the hot ones (makeHandler in routes.ts). */
export interface LinkRoutesContext {
  deps: DonationDeps;
  options: DonationRoutesOptions;
  /** The site's look: the brand, else the default look around its name. */
  site: Brand;
  /** The API's public URL. */
  base: string;
  /** An HTML page whose form may post on to Stripe Checkout. */
  page: (status: number, body: string) => HttpResponse;
  /** Throws DonationsNotConfiguredError while the stage cannot take donations. */
  ready: () => Promise<void>;
  /** Counts a checkout attempt against the client's limit (every attempt, valid or not). */
  limitCheckouts: (req: HttpRequest) => Promise<void>;
  /** The error codes of a checkout's fields. */
  checkoutCodes: Record<string, string>;
}

export type LinkRoute = 'GET /v1/donate' | 'GET /v1/donations/manage' | 'GET /v1/donations/statement' | 'GET /v1/donations/gift-aid' | 'POST /v1/donations/gift-aid' | 'GET /v1/donate/thanks';

/**
 * The routes a browser follows from a link (a banner's, an email's, Checkout's way back) rather than the embed's
 * JSON: the donate link's chooser, the manage link, the giving statement, Gift Aid cancellation and the thank-you
 * page. Loaded with the first request to one of them (sections.ts), never at cold start.
 */
export const linkRoutes = ({ deps, options, site, base, page, ready, limitCheckouts, checkoutCodes }: LinkRoutesContext): Record<LinkRoute, RouteHandler> => {
  const { siteName } = options;
  // The chooser offers Gift Aid in the charity's name on a GBP campaign of a site that claims it.
  const giftAidOf = (campaign: { currency: string }) =>
    offersGiftAid(deps.settings.giftAid, campaign.currency) ? { giftAidCharity: options.charityName ?? siteName } : {};
  // Where a donor's Gift Aid cancellations are kept (a site that never claimed Gift Aid has no such link: 404).
  const giftAidCancel = () => {
    if (!options.giftAidCancellations) throw new NotFoundError('There is nothing at this address.');
    return { clock: deps.clock, keys: deps.keys, cancellations: options.giftAidCancellations };
  };

  return {
    'GET /v1/donate': async (req) => {
      // A stage not set up yet shows its 503 page, not the chooser: no amount chosen there could be paid.
      await ready();
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
        const asked = req.queryParams(DonateQuery, checkoutCodes);
        const query = { ...asked, lang: readerLanguage(req, site, asked.lang), source: attribution.source };
        if (hasAmount(query) && req.method === 'HEAD') {
          // A HEAD creates no Checkout Session and counts no checkout: the link checked as GET checks it.
          await checkDonateLink(deps, query);
          return linkChecked();
        }
        if (hasAmount(query)) await limitCheckouts(req);
        const link = await followDonateLink(deps, query, req.client);
        if ('checkoutUrl' in link) return seeOther(link.checkoutUrl);
        if ('upsell' in link) return page(200, upsellPage(reader, base, link.upsell));
        return page(200, donateChooserPage(reader, base, link.choose, { ...choice, ...giftAidOf(link.choose), cancelled: req.query.get('checkout') === 'cancelled' }, feeOf(link.choose)));
      } catch (error) {
        // A link in a banner or an email must never lead to a broken checkout: always a page that explains.
        const status = statusOf(error);
        if (!(error instanceof DomainError) || status >= 500 || status === 429) throw error;
        const found = campaign ? await deps.campaigns.get(campaign).catch(() => undefined) : undefined;
        // A closed campaign's link (an old banner, an email) says that it has ended, with its final total.
        if (found && !found.open) return page(200, campaignEndedPage(reader, found));
        // An amount we cannot take, or a dedication without its name: the chooser again, with the problem at its
        // field and what was typed.
        if (found && (error.code === 'invalid_amount' || error.field === 'tribute_name')) {
          return page(400, donateChooserPage(reader, base, found, { ...choice, ...giftAidOf(found), error: { message: error.message, field: error.field } }, feeOf(found)));
        }
        const back = campaign && error.code !== 'invalid_campaign' ? inDonorLanguage(`${base}/v1/donate?campaign=${encodeURIComponent(campaign)}`, reader.lang) : undefined;
        return page(400, donationErrorPage(reader, error.message, back));
      }
    },

    // The link in monthly receipts and on the monthly thank-you page. Every visit counts against the client's
    // limit, valid or not, as on the other link routes (each valid one costs a Stripe call). A link is only ever
    // opened in a browser, so a failure is always a page (the contract's 400 page for a bad token).
    'GET /v1/donations/manage': async (req) => {
      try {
        // A HEAD opens no portal session and counts no visit: the link checked as GET checks it.
        await ready();
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
      return page(200, donationThanksPage(reader, await describeGift(deps, req.query.get('session_id') ?? undefined, readerLanguage(req, site))));
    },
  };
};
