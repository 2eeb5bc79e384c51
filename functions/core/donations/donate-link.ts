import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { ValidationError } from '../shared/errors.js';
import type { Language } from '../shared/i18n/index.js';
import type { Client } from '../shared/model.js';
import { parseMajorAmount } from '../shared/money.js';
import { checkGift, type DonationDeps, startCheckout } from './checkout.js';
import { type Campaign, CampaignId, CurrencyCode, Frequency, RequestedLanguage, upsellFor } from './model.js';
import { AttributionFields, SourceField } from '../experiments/attribution.js';

/**
 * Where the reader of a donation link came from (API.md). A link must never lead to an error for these: a field we
 * cannot read is dropped.
 */
export const DonateAttributionQuery = onFirstUse(() => z.object({
  source: z.catch(SourceField, undefined),
  ...(Object.fromEntries(Object.entries(AttributionFields).map(([name, field]) => [name, z.catch(field, undefined)])) as {
    [K in keyof typeof AttributionFields]: z.ZodMiniCatch<(typeof AttributionFields)[K]>;
  }),
}));

/** `GET /v1/donate`: the banner's link. `custom_amount` (major units) is the chooser page's own form field. */
export const DonateQuery = onFirstUse(() => z.extend(DonateAttributionQuery, {
  campaign: z.pipe(z.string({ error: 'The link names no campaign.' }), CampaignId),
  amount: z.optional(
    z.pipe(z.string().check(z.regex(/^\d{1,12}$/, 'The amount must be a whole number of minor units.')), z.transform(Number)),
  ),
  custom_amount: z.optional(z.string().check(z.maxLength(20))),
  currency: z.optional(CurrencyCode),
  frequency: z._default(Frequency, 'once'),
  /** The chooser's newsletter box (`true` when ticked): the donor gets the double opt-in email after paying. */
  subscribe: z.optional(z.enum(['true', 'false'])),
  /**
   * `declined`: the donor saw the monthly ask for this one-time amount and kept the one-time gift, so it goes
   * straight to Checkout (see followDonateLink).
   */
  upsell: z.optional(z.literal('declined')),
  /** The chooser's Gift Aid box (`true` when ticked): the donor makes HMRC's declaration (see startCheckout). */
  gift_aid: z.optional(z.enum(['true', 'false'])),
  /** The reader's language (the banner's and the chooser's forms carry it): the pages' and the gift's. */
  // A link must never lead to an error for its language: one we do not speak is no language (the browser's, then).
  lang: z.catch(RequestedLanguage, undefined),
}));
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

/** The monthly ask the chooser shows before Checkout: the campaign, the one-time gift chosen and the monthly offer. */
export interface UpsellOffer {
  campaign: Campaign;
  /** The one-time gift as chosen, in minor units (a typed amount already read). */
  amount: number;
  monthly: number;
  subscribe: boolean;
  /** The donor ticked Gift Aid on the chooser: carried on to Checkout whichever they pick. */
  giftAid?: boolean | undefined;
}

/**
 * A donation link: without an amount, the campaign for the chooser page (open or ended: its page says which);
 * with a one-time amount that the campaign's monthly ask covers (and not declined already), that offer; else a
 * Checkout Session. Never an offer to a donor who chose monthly. Throws ValidationError for an unknown campaign,
 * and for a closed one with an amount and anything else startCheckout refuses.
 */
export const followDonateLink = async (
  deps: DonationDeps,
  query: DonateQuery,
  client: Client,
): Promise<{ choose: Campaign } | { upsell: UpsellOffer } | { checkoutUrl: string }> => {
  if (!hasAmount(query)) {
    const campaign = await deps.campaigns.get(query.campaign);
    if (!campaign) throw new ValidationError('invalid_campaign', 'This campaign does not exist or no longer takes gifts.', { field: 'campaign' });
    return { choose: campaign };
  }
  const subscribe = query.subscribe === 'true';
  const giftAid = query.gift_aid === 'true';
  const gift = await giftOfLink(deps, query);
  if (query.frequency === 'once' && query.upsell === undefined) {
    // The amount is checked first: an amount the campaign refuses gets its error, not an offer.
    const settings = await checkGift(deps, gift);
    const monthly = upsellFor(settings, gift.amount);
    const campaign = monthly === undefined ? undefined : await deps.campaigns.get(settings.id);
    if (monthly !== undefined && campaign) return { upsell: { campaign, amount: gift.amount, monthly, subscribe, ...(giftAid ? { giftAid } : {}) } };
  }
  const { source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, component, variant } = query;
  const attribution = { source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, component, variant };
  const session = await startCheckout(deps, { ...gift, frequency: query.frequency, subscribe, lang: query.lang, coverFee: false, anonymous: false, mode: 'redirect', giftAid, client, ...attribution });
  if (!('url' in session)) throw new Error('a donation link made an embedded checkout');
  return { checkoutUrl: session.url };
};

/**
 * Checks a donation link with an amount as followDonateLink would (the amount, the campaign open, its currency and
 * bounds) without starting a Checkout: what a HEAD of the link may do. Throws the same ValidationErrors.
 */
export const checkDonateLink = async (deps: Pick<DonationDeps, 'campaigns' | 'settings'>, query: DonateQuery): Promise<void> => {
  await checkGift(deps, await giftOfLink(deps, query));
};
