import { normalizeEmail } from '../shared/email-address.js';
import { ValidationError } from '../shared/errors.js';
import { type Keys, keyedHash } from '../shared/secrets.js';
import { formatMoney } from '../shared/money.js';
import type { Client } from '../shared/model.js';
import type { Clock } from '../shared/ports.js';
import { inDonorLanguage } from './manage.js';
import { attributionOf } from '../experiments/attribution.js';
import type { VariantLookup } from '../experiments/results.js';
import type { CampaignRecord, CheckoutRequest } from './model.js';
import type { CampaignRepository, CheckoutAttempts, Payments } from './ports.js';

export interface DonationSettings {
  apiBaseUrl: string;
  /** Currencies we accept at all (a card-testing defence besides each campaign's own currency). */
  currencies: string[];
  /** Where Checkout sends the donor afterwards: configuration only, never the request (no open redirect). */
  successUrl?: string | undefined;
  cancelUrl?: string | undefined;
  /** Where the Customer Portal's way back leads (see openDonorPortal); the built-in donation page when unset. */
  manageReturnUrl?: string | undefined;
}

export interface DonationDeps {
  clock: Clock;
  campaigns: CampaignRepository;
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

/**
 * Starts a Stripe Checkout for a gift. The Stripe idempotency key is a server-side attempt id, looked up by a
 * keyed fingerprint of the client and the gift, so a double click or a retry gets the same session rather
 * than a second one. Throws ValidationError (`invalid_campaign`, `invalid_currency`, `invalid_amount`,
 * `invalid_email`).
 */
export const startCheckout = async (deps: DonationDeps, input: CheckoutRequest & { client: Client }) => {
  const campaign = await checkGift(deps, input);
  const email = input.email === undefined || input.email.trim() === '' ? undefined : normalizeEmail(input.email);
  const now = deps.clock.now();
  const attribution = attributionOf(input);
  // The language changes the Stripe request (locale, metadata, return URLs), so it is part of the gift's identity:
  // the same gift in another language is another session (Stripe refuses a key reused with other parameters).
  const fingerprint = keyedHash(
    deps.keys.clientIp,
    [
      input.client.ip, campaign.id, input.amount, input.currency, input.frequency, email ?? '', input.subscribe, ...(input.lang ? [input.lang] : []),
      // So does the attribution (it is in the metadata).
      ...(attribution ? [JSON.stringify(attribution)] : []),
    ].join('|'),
  );
  const base = deps.settings.apiBaseUrl;
  const params = {
    mode: input.frequency === 'monthly' ? ('subscription' as const) : ('payment' as const),
    campaign,
    amount: input.amount,
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
  };
  const attempt = await deps.attempts.attemptFor(fingerprint, now, ATTEMPT_TTL_SECONDS);
  let session = await deps.payments.createCheckout(params, `checkout-${attempt}`);
  if (!session.open || !session.url) {
    // The earlier session with this key was paid or expired: this is a new gift, so a new attempt.
    const fresh = await deps.attempts.renew(fingerprint, attempt, now, ATTEMPT_TTL_SECONDS);
    session = await deps.payments.createCheckout(params, `checkout-${fresh}`);
  }
  if (!session.url) throw new Error('checkout session has no url');
  return { id: session.id, url: session.url };
};
