import { normalizeEmail } from '../shared/email-address.js';
import { ValidationError } from '../shared/errors.js';
import { type Keys, keyedHash } from '../shared/secrets.js';
import { formatMoney } from '../shared/money.js';
import type { Client } from '../shared/model.js';
import type { Clock } from '../shared/ports.js';
import { inLanguage as inDonorLanguage } from '../shared/i18n/index.js';
import { coverFee, type FeeRates } from './fees.js';
import { GIFT_AID_DECLARATION_VERSION, offersGiftAid } from './gift-aid.js';
import { attributionOf } from '../experiments/attribution.js';
import type { VariantLookup } from '../experiments/results.js';
import type { CampaignRecord } from './campaign.js';
import type { CheckoutRequest } from './checkout-request.js';
import type { CampaignReads, CheckoutAttempts, CheckoutParams, Payments } from './ports.js';

export interface DonationSettings {
  apiBaseUrl: string;
  /** Currencies we accept at all (a card-testing defence besides each campaign's own currency). */
  currencies: string[];
  /** Where Checkout sends the donor afterwards: configuration only, never the request (no open redirect). */
  successUrl?: string | undefined;
  cancelUrl?: string | undefined;
  /** Where the Customer Portal's way back leads (see openDonorPortal); the built-in donation page when unset. */
  manageReturnUrl?: string | undefined;
  /** Each currency's payment fee, for donors who cover it (FEE_RATES); covering is refused in a currency without one. */
  feeRates?: FeeRates | undefined;
  /** Stripe's embedded Checkout, when the site offers it (EMBEDDED_CHECKOUT); refused when unset. */
  embedded?: EmbeddedCheckoutSettings | undefined;
  /** The charity claims Gift Aid (GIFT_AID): its GBP campaigns take HMRC's declaration; refused when unset. */
  giftAid?: boolean | undefined;
}

export interface EmbeddedCheckoutSettings {
  /** The Stripe account's publishable key, which Stripe.js needs on the page. */
  publishableKey: string;
  /** Where the page loads Stripe.js from: Stripe's own (or the dev server's stand-in). */
  stripeJsUrl: string;
  /** The origins of the site's pages: the only pages embedded Checkout may bring a donor back to. */
  returnOrigins: readonly string[];
}

export interface DonationDeps {
  clock: Clock;
  campaigns: CampaignReads;
  attempts: CheckoutAttempts;
  payments: Payments;
  keys: Keys;
  settings: DonationSettings;
  /** The variants of each campaign's appeal, as GET /v1/campaigns/{id} serves them (see servedVariants). */
  variants?: VariantLookup | undefined;
}

/** A donor's double click or a client's retry within this time reuses the same Checkout Session. */
const ATTEMPT_TTL_SECONDS = 600;

/** Checks a gift against its campaign: open, its currency, within its bounds. Returns the campaign. */
export const checkGift = async (
  deps: Pick<DonationDeps, 'campaigns' | 'settings'>,
  input: Pick<CheckoutRequest, 'campaign' | 'amount' | 'currency'>,
): Promise<CampaignRecord> => {
  const campaign = await deps.campaigns.getSettings(input.campaign);
  if (!campaign?.open) {
    throw new ValidationError('invalid_campaign', 'This campaign does not exist or no longer takes gifts.', { field: 'campaign' });
  }
  if (input.currency !== campaign.currency || !deps.settings.currencies.includes(input.currency)) {
    throw new ValidationError('invalid_currency', `This campaign takes gifts in ${campaign.currency.toUpperCase()} only.`, {
      field: 'currency',
    });
  }
  if (input.amount < campaign.minAmount || input.amount > campaign.maxAmount) {
    const range = `${formatMoney(campaign.minAmount, campaign.currency)} and ${formatMoney(campaign.maxAmount, campaign.currency)}`;
    throw new ValidationError('invalid_amount', `Please choose an amount between ${range}.`, { field: 'amount' });
  }
  return campaign;
};

/** The query parameter a page embedded Checkout returns to finds the session in (Stripe fills in its id). */
export const RETURN_SESSION_PARAM = 'appeal_checkout';

/**
 * Where embedded Checkout brings the donor back: the page they gave on, when it is on one of the site's origins
 * (anything else could make our checkout an open redirect), without its fragment and with the session's id in
 * RETURN_SESSION_PARAM (Stripe replaces `{CHECKOUT_SESSION_ID}`, which must stay unencoded). Throws ValidationError
 * (`invalid_field`, `returnUrl`).
 */
export const embeddedReturnUrl = (page: string, origins: readonly string[]) => {
  const url = URL.canParse(page) ? new URL(page) : undefined;
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !origins.includes(url.origin) || url.username || url.password) {
    throw new ValidationError('invalid_field', 'The return page must be a page of this site.', { field: 'returnUrl' });
  }
  url.hash = '';
  url.searchParams.delete(RETURN_SESSION_PARAM);
  return `${url.href}${url.search ? '&' : '?'}${RETURN_SESSION_PARAM}={CHECKOUT_SESSION_ID}`;
};

/** What startCheckout answers: Checkout's page to go to, or what the page needs to embed it; `total` when the fee is covered. */
export type CheckoutStarted =
  | { id: string; url: string; total?: number | undefined }
  | { id: string; clientSecret: string; publishableKey: string; stripeJsUrl: string; total?: number | undefined };

/**
 * Starts a Stripe Checkout for a gift. The Stripe idempotency key is a server-side attempt id, looked up by a
 * keyed fingerprint of the client and the gift, so a double click or a retry gets the same session rather
 * than a second one. With `coverFee` the donor is charged the gift grossed up by the currency's fee (the fee part
 * travels in the metadata, so the ledger keeps it apart); a tribute and the anonymous choice travel the same way.
 * `mode: embedded` makes a session for Stripe's embedded form, which brings the donor back to `returnUrl`. With
 * `giftAid` (a GBP campaign on a site that claims it) the declaration's version travels in the metadata and Checkout
 * collects the donor's home address. Throws
 * ValidationError (`invalid_campaign`, `invalid_currency`, `invalid_amount`, `invalid_email`, `invalid_field`).
 */
export const startCheckout = async (deps: DonationDeps, input: CheckoutRequest & { client: Client }): Promise<CheckoutStarted> => {
  const campaign = await checkGift(deps, input);
  const email = input.email === undefined || input.email.trim() === '' ? undefined : normalizeEmail(input.email);
  const embedded = input.mode === 'embedded' ? deps.settings.embedded : undefined;
  if (input.mode === 'embedded' && !embedded) {
    throw new ValidationError('invalid_field', 'In-page checkout is not offered on this site: use mode "redirect".', { field: 'mode' });
  }
  if (input.giftAid && !offersGiftAid(deps.settings.giftAid, campaign.currency)) {
    const message = deps.settings.giftAid ? 'Gift Aid applies to gifts in pounds sterling only.' : 'Gift Aid is not offered on this site.';
    throw new ValidationError('invalid_field', message, { field: 'giftAid' });
  }
  const charged = input.coverFee ? coverFee(deps.settings.feeRates ?? {}, input.currency, input.amount) : undefined;
  const base = deps.settings.apiBaseUrl;
  const returnUrl = embedded
    ? input.returnUrl === undefined
      ? inDonorLanguage(`${base}/v1/donate/thanks?session_id={CHECKOUT_SESSION_ID}`, input.lang)
      : embeddedReturnUrl(input.returnUrl, embedded.returnOrigins)
    : undefined;
  const now = deps.clock.now();
  const attribution = attributionOf(input);
  // The language changes the Stripe request (locale, metadata, return URLs), so it is part of the gift's identity:
  // the same gift in another language is another session (Stripe refuses a key reused with other parameters). So
  // is everything else the request carries to Stripe.
  const extras = [
    ...(input.lang ? [input.lang] : []),
    ...(charged ? [`fee:${charged.feeCovered}`] : []),
    ...(input.tribute ? [`tribute:${input.tribute.type}:${input.tribute.name}`] : []),
    ...(input.anonymous ? ['anonymous'] : []),
    ...(returnUrl ? [`embedded:${returnUrl}`] : []),
    ...(input.giftAid ? [`gift-aid:${GIFT_AID_DECLARATION_VERSION}`] : []),
    // So does the attribution (it is in the metadata).
    ...(attribution ? [JSON.stringify(attribution)] : []),
  ];
  const fingerprint = keyedHash(
    deps.keys.clientIp,
    [input.client.ip, campaign.id, input.amount, input.currency, input.frequency, email ?? '', input.subscribe, ...extras].join('|'),
  );
  const params: CheckoutParams = {
    mode: input.frequency === 'monthly' ? ('subscription' as const) : ('payment' as const),
    campaign,
    // What is charged: the gift, and the fee when the donor covers it (each month, for a monthly gift).
    amount: charged?.total ?? input.amount,
    currency: input.currency,
    frequency: input.frequency,
    email,
    subscribe: input.subscribe,
    lang: input.lang,
    attribution,
    // Our own pages speak the donor's language (a configured page is the site's own, left as it is).
    successUrl: deps.settings.successUrl ?? inDonorLanguage(`${base}/v1/donate/thanks?session_id={CHECKOUT_SESSION_ID}`, input.lang),
    // Back on the chooser, which then says that the payment was cancelled (and nothing was charged).
    cancelUrl: deps.settings.cancelUrl ?? inDonorLanguage(`${base}/v1/donate?${new URLSearchParams({ campaign: campaign.id, checkout: 'cancelled' })}`, input.lang),
    ...(charged ? { feeCovered: charged.feeCovered } : {}),
    ...(input.tribute ? { tribute: input.tribute } : {}),
    ...(input.anonymous ? { anonymous: true } : {}),
    ...(returnUrl ? { embedded: { returnUrl } } : {}),
    ...(input.giftAid ? { giftAid: GIFT_AID_DECLARATION_VERSION } : {}),
  };
  const usable = (s: { open: boolean; url: string | null; clientSecret?: string | null | undefined }) => s.open && (embedded ? !!s.clientSecret : !!s.url);
  const attempt = await deps.attempts.attemptFor(fingerprint, now, ATTEMPT_TTL_SECONDS);
  let session = await deps.payments.createCheckout(params, `checkout-${attempt}`);
  if (!usable(session)) {
    // The earlier session with this key was paid or expired: this is a new gift, so a new attempt.
    const fresh = await deps.attempts.renew(fingerprint, attempt, now, ATTEMPT_TTL_SECONDS);
    session = await deps.payments.createCheckout(params, `checkout-${fresh}`);
  }
  const total = charged ? { total: charged.total } : {};
  if (embedded) {
    if (!session.clientSecret) throw new Error('embedded checkout session has no client secret');
    return { id: session.id, clientSecret: session.clientSecret, publishableKey: embedded.publishableKey, stripeJsUrl: embedded.stripeJsUrl, ...total };
  }
  if (!session.url) throw new Error('checkout session has no url');
  return { id: session.id, url: session.url, ...total };
};
