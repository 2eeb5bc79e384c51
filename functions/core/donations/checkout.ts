import { normalizeEmail } from '../shared/email-address.js';
import * as z from 'zod/mini';
import { safeParse } from '../shared/schema.js';
import {
  type Campaign,
  CampaignCurrencyLockedError,
  CampaignId,
  type CampaignRecord,
  CampaignSettings,
  type CheckoutRequest,
  CurrencyCode,
  Frequency,
  RequestedLanguage,
} from './model.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { formatMoney, fractionDigits, parseMajorAmount } from '../shared/money.js';
import type { CampaignRepository, CheckoutAttempts, Payments } from './ports.js';
import type { Clock } from '../shared/ports.js';
import { type Keys, keyedHash } from '../shared/secrets.js';
import type { Client } from '../shared/model.js';
import type { Language } from '../shared/i18n/index.js';
import { inDonorLanguage, manageLink } from './manage.js';
import { type GiftOutcome, giftAmount } from './pages.js';

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
}

/** A donor's double click or a client's retry within this time reuses the same Checkout Session. */
const ATTEMPT_TTL_SECONDS = 600;

/** The public face of a campaign, for the banner's progress bar, in the contract's field order. Throws NotFoundError. */
/** What `GET /v1/campaigns/{id}` says of an id it does not know, or that no campaign could have. */
export const UNKNOWN_CAMPAIGN = 'There is no campaign with this id.';

export const campaignProgress = async (deps: Pick<DonationDeps, 'campaigns'>, id: string) => {
  const campaign = await deps.campaigns.get(id);
  if (!campaign) throw new NotFoundError(UNKNOWN_CAMPAIGN);
  const { title, currency, goal, raised, donations, donors, updatedAt, open, suggestedAmounts, minAmount, maxAmount } = campaign;
  return { id, title, currency, goal, raised, donations, donors, updatedAt, open, suggestedAmounts, minAmount, maxAmount };
};

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
  // The language changes the Stripe request (locale, metadata, return URLs), so it is part of the gift's identity:
  // the same gift in another language is another session (Stripe refuses a key reused with other parameters).
  const fingerprint = keyedHash(
    deps.keys.clientIp,
    [input.client.ip, campaign.id, input.amount, input.currency, input.frequency, email ?? '', input.subscribe, ...(input.lang ? [input.lang] : [])].join('|'),
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

/** Defaults for a new campaign's bounds: 1.00 and 100,000.00 in its currency. */
export const defaultBounds = (currency: string) => {
  const unit = 10 ** fractionDigits(currency);
  return { minAmount: unit, maxAmount: 100_000 * unit };
};

/** Throws ValidationError (`invalid_currency`) unless a campaign may be made in `currency`: one checkout accepts. */
export const checkCampaignCurrency = (currency: string, accepted: readonly string[]) => {
  if (accepted.includes(currency)) return;
  const list = accepted.map((c) => c.toUpperCase()).join(', ');
  throw new ValidationError(
    'invalid_currency',
    `${currency.toUpperCase()} is not an accepted currency (accepted: ${list}): checkout would refuse every gift. Add it to CURRENCIES first.`,
    { field: 'currency' },
  );
};

/**
 * Creates or updates a campaign's settings (admin CLI). Totals are the ledger's alone. The currency must be one of
 * `settings.currencies` (the `CURRENCIES` checkout accepts: a campaign in another one could take no gift) and,
 * for an existing campaign, its own: a campaign's currency is fixed once it is created (the repository enforces
 * it against a concurrent writer too). The settings must pass the domain schema (a title is one line: it is the
 * receipts' Subject). Throws ValidationError (`invalid_currency`, `invalid_amount`, `invalid_field` with its field)
 * and CampaignCurrencyLockedError.
 */
export const saveCampaign = async (
  deps: Pick<DonationDeps, 'campaigns' | 'clock'> & { settings: Pick<DonationSettings, 'currencies'> },
  input: CampaignSettings,
  options: { reopen?: boolean } = {},
) => {
  checkCampaignCurrency(input.currency, deps.settings.currencies);
  const parsed = safeParse(CampaignSettings, input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError('invalid_field', issue?.message ?? 'Invalid input.', { field: issue?.path.map(String).join('.') });
  }
  const settings = parsed.data;
  if (settings.minAmount > settings.maxAmount) {
    throw new ValidationError('invalid_amount', 'The minimum gift is above the maximum.', { field: 'minAmount' });
  }
  const existing = await deps.campaigns.getSettings(settings.id);
  if (existing && existing.currency !== settings.currency) throw new CampaignCurrencyLockedError(existing.id, existing.currency);
  // A closed campaign takes gifts again only when asked in so many words: changing its title or goal must not
  // silently reopen an appeal that has ended.
  const open = settings.open && (!existing || existing.open || options.reopen === true);
  return deps.campaigns.saveSettings({ ...settings, open }, deps.clock.now());
};

/**
 * What the page Checkout returns to may say, as Stripe has the session now (the return URL alone proves nothing:
 * anyone can open it): `paid` with the amount and campaign once Stripe says the session is complete and paid,
 * `processing` when it is complete but its payment (a delayed bank debit) is not yet confirmed, `unpaid` with
 * the way back to the chooser while it is open or after it expired, `unknown` for a session Stripe does not know
 * (or a malformed id), `unavailable` when Stripe cannot be asked (an outage is not the donor's problem). The amount
 * is written, and the links lead, in `lang` (the page's language).
 */
export const describeGift = async (
  deps: Pick<DonationDeps, 'payments' | 'campaigns' | 'keys' | 'clock' | 'settings'>,
  sessionId: string | undefined,
  lang?: Language,
): Promise<GiftOutcome> => {
  if (!sessionId || !/^cs_[A-Za-z0-9_]{1,200}$/.test(sessionId)) return { status: 'unknown' };
  const summary = await deps.payments.describeCheckout(sessionId).then(
    (found) => found ?? ('unknown' as const),
    () => 'unavailable' as const,
  );
  if (summary === 'unknown' || summary === 'unavailable') return { status: summary };
  const campaign = summary.campaign ? await deps.campaigns.getSettings(summary.campaign).catch(() => undefined) : undefined;
  if (!summary.complete) {
    const chooseUrl = summary.campaign ? inDonorLanguage(`${deps.settings.apiBaseUrl}/v1/donate?${new URLSearchParams({ campaign: summary.campaign })}`, lang) : undefined;
    return { status: 'unpaid', chooseUrl, campaignTitle: campaign?.title };
  }
  const monthly = summary.frequency === 'monthly';
  const amount = giftAmount(lang, summary.amount, summary.currency);
  // Complete but not paid: a bank debit the bank has yet to confirm (it may still fail), so no gift is claimed.
  if (!summary.paid) return { status: 'processing', amount, monthly, campaignTitle: campaign?.title };
  // A monthly donor can stop or change the gift from here, as from every monthly receipt.
  const manageUrl = monthly && summary.customer ? manageLink(deps, deps.settings.apiBaseUrl, summary.customer, lang) : undefined;
  return { status: 'paid', amount, monthly, campaignTitle: campaign?.title, manageUrl };
};

/** `GET /v1/donate`: the banner's link. `custom_amount` (major units) is the chooser page's own form field. */
export const DonateQuery = z.object({
  campaign: z.pipe(z.string({ error: 'The link names no campaign.' }), CampaignId),
  amount: z.optional(
    z.pipe(z.string().check(z.regex(/^\d{1,12}$/, 'The amount must be a whole number of minor units.')), z.transform(Number)),
  ),
  custom_amount: z.optional(z.string().check(z.maxLength(20))),
  currency: z.optional(CurrencyCode),
  frequency: z._default(Frequency, 'once'),
  /** The chooser's newsletter box (`true` when ticked): the donor gets the double opt-in email after paying. */
  subscribe: z.optional(z.enum(['true', 'false'])),
  /** The reader's language (the banner's and the chooser's forms carry it): the pages' and the gift's. */
  // A link must never lead to an error for its language: one we do not speak is no language (the browser's, then).
  lang: z.catch(RequestedLanguage, undefined),
});
export type DonateQuery = z.infer<typeof DonateQuery>;

export const hasAmount = (query: DonateQuery) => query.amount !== undefined || query.custom_amount !== undefined;

/**
 * An amount as a reader of `lang` types it, in the notation parseMajorAmount reads: Ukrainian, Polish and Spanish
 * write "12,50" and group with spaces ("1 000"). Only a comma before one or two final digits is a decimal one, so
 * "1,250" (a thousands comma, as in Mexico) stays what it is; English input is read as it always was.
 */
const typedAmount = (text: string, lang: Language | undefined) =>
  lang === undefined || lang === 'en' ? text : text.replace(/[\s\u00a0\u202f]/g, '').replace(/^(\d+),(\d{1,2})$/, '$1.$2');

/** The gift a donation link with an amount asks for. Throws ValidationError for a typed amount it cannot read. */
const giftOfLink = async (deps: Pick<DonationDeps, 'campaigns' | 'settings'>, query: DonateQuery) => {
  // Links carry their currency; only a hand-made one without it costs a second read (startCheckout reads too).
  const currency = query.currency ?? (await deps.campaigns.getSettings(query.campaign))?.currency ?? deps.settings.currencies[0] ?? 'usd';
  const amount = query.amount ?? parseMajorAmount(typedAmount(query.custom_amount ?? '', query.lang), currency, 'custom_amount');
  return { campaign: query.campaign, amount, currency };
};

/**
 * A donation link: without an amount, the campaign for the chooser page (open or ended: its page says which);
 * with one, a Checkout Session. Throws ValidationError for an unknown campaign, and for a closed one with an amount
 * and anything else startCheckout refuses.
 */
export const followDonateLink = async (
  deps: DonationDeps,
  query: DonateQuery,
  client: Client,
): Promise<{ choose: Campaign } | { checkoutUrl: string }> => {
  if (!hasAmount(query)) {
    const campaign = await deps.campaigns.get(query.campaign);
    if (!campaign) throw new ValidationError('invalid_campaign', 'This campaign does not exist or no longer takes gifts.', { field: 'campaign' });
    return { choose: campaign };
  }
  const subscribe = query.subscribe === 'true';
  const session = await startCheckout(deps, { ...(await giftOfLink(deps, query)), frequency: query.frequency, subscribe, lang: query.lang, client });
  return { checkoutUrl: session.url };
};

/**
 * Checks a donation link with an amount as followDonateLink would (the amount, the campaign open, its currency and
 * bounds) without starting a Checkout: what a HEAD of the link may do. Throws the same ValidationErrors.
 */
export const checkDonateLink = async (deps: Pick<DonationDeps, 'campaigns' | 'settings'>, query: DonateQuery): Promise<void> => {
  await checkGift(deps, await giftOfLink(deps, query));
};
