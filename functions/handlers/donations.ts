import { donateChooserPage, donationErrorPage, donationThanksPage } from '../core/donations/pages.js';
import { CampaignId, CheckoutRequest } from '../core/donations/model.js';
import { campaignProgress, DonateQuery, type DonationDeps, describeGift, followDonateLink, hasAmount, startCheckout } from '../core/donations/checkout.js';
import { DomainError } from '../core/shared/errors.js';
import { limitClient, type RateLimit, type RateLimiter } from '../core/shared/limits.js';
import { checkBody, type HttpRequest, html, httpHandler, json, seeOther, statusOf } from '../platform/http.js';

const CHECKOUT_CODES = { campaign: 'invalid_campaign', amount: 'invalid_amount', currency: 'invalid_currency', email: 'invalid_email' };

export interface DonationRoutesOptions {
  siteName: string;
  rateLimiter: RateLimiter;
  checkoutLimit: RateLimit;
}

export const makeHandler = (deps: DonationDeps, options: DonationRoutesOptions) => {
  const { siteName } = options;
  const base = deps.settings.apiBaseUrl;
  // Card testers hammer checkout creation: every attempt from one client counts, valid or not.
  const limitCheckouts = (req: HttpRequest) =>
    limitClient({ rateLimiter: options.rateLimiter, keys: deps.keys, clock: deps.clock }, options.checkoutLimit, req.client);

  return httpHandler(
    {
      'GET /v1/campaigns/{campaignId}': async (req) =>
        json(200, await campaignProgress(deps, req.pathParameters.campaignId ?? ''), {
          'cache-control': 'public, max-age=30, stale-while-revalidate=60',
        }),

      'POST /v1/donations/checkout': async (req) => {
        await limitCheckouts(req);
        checkBody(req, ['application/json']);
        const input = req.body(CheckoutRequest, CHECKOUT_CODES);
        return json(201, await startCheckout(deps, { ...input, client: req.client }));
      },

      'GET /v1/donate': async (req) => {
        const campaign = CampaignId.safeParse(req.query.get('campaign')).data;
        try {
          const query = req.queryParams(DonateQuery, CHECKOUT_CODES);
          if (hasAmount(query)) await limitCheckouts(req);
          const link = await followDonateLink(deps, query, req.client);
          return 'choose' in link ? html(200, donateChooserPage(siteName, base, link.choose, query.frequency)) : seeOther(link.checkoutUrl);
        } catch (error) {
          // A link in a banner or an email must never lead to a broken checkout: always a page that explains.
          const status = statusOf(error);
          if (!(error instanceof DomainError) || status >= 500 || status === 429) throw error;
          const back = campaign && error.code !== 'invalid_campaign' ? `${base}/v1/donate?campaign=${encodeURIComponent(campaign)}` : undefined;
          return html(400, donationErrorPage(siteName, error.message, back));
        }
      },

      'GET /v1/donate/thanks': async (req) => html(200, donationThanksPage(siteName, await describeGift(deps, req.query.get('session_id') ?? undefined))),
    },
    { siteName },
  );
};
