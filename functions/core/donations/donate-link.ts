import * as z from 'zod/mini';
import { onFirstUse, safeParse } from '../shared/schema.js';
import { ValidationError } from '../shared/errors.js';
import type { Language } from '../shared/i18n/index.js';
import type { Client } from '../shared/model.js';
import { parseMajorAmount } from '../shared/money.js';
import { checkGift, type DonationDeps, startCheckout } from './checkout.js';
import { type Campaign, CampaignId, CurrencyCode, Frequency, RequestedLanguage, Tribute, upsellFor } from './model.js';
import { attributionFieldSchemas, SourceField } from '../experiments/attribution.js';

/**
 * Where the reader of a donation link came from (API.md). A link must never lead to an error for these: a field we
 * cannot read is dropped.
 */
export const DonateAttributionQuery = /* @__PURE__ */ onFirstUse(() => z.object({
  source: z.catch(SourceField, undefined),
  ...(Object.fromEntries(Object.entries(attributionFieldSchemas()).map(([name, field]) => [name, z.catch(field, undefined)])) as {
    [K in keyof ReturnType<typeof attributionFieldSchemas>]: z.ZodMiniCatch<ReturnType<typeof attributionFieldSchemas>[K]>;
  }),
}));

/** `GET /v1/donate`: the banner's link. `custom_amount` (major units) is the chooser page's own form field. */
export const DonateQuery = /* @__PURE__ */ onFirstUse(() => z.extend(DonateAttributionQuery, {
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
  /** The chooser's "cover the fee" box (`true` when ticked): the gift is grossed up by the currency's fee. */
  cover_fee: z.optional(z.enum(['true', 'false'])),
  /** The chooser's dedication: none (empty), in honour of or in memory of `tribute_name`. */
  tribute_type: z.optional(z.enum(['', 'honour', 'memory'])),
  tribute_name: z.optional(z.string().check(z.maxLength(400))),
  /** The chooser's anonymous box (`true` when ticked): the donor's name appears on no public surface. */
  anonymous: z.optional(z.enum(['true', 'false'])),
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

/** What the donor chose besides the amount, carried from the chooser through the monthly ask to Checkout. */
export interface GiftChoices {
  subscribe: boolean;
  coverFee: boolean;
  tribute?: Tribute | undefined;
  anonymous: boolean;
  /** The donor ticked Gift Aid on the chooser: carried on to Checkout whichever they pick. */
  giftAid?: boolean | undefined;
}

/** The monthly ask the chooser shows before Checkout: the campaign, the one-time gift chosen and the monthly offer. */
export interface UpsellOffer extends GiftChoices {
  campaign: Campaign;
  /** The one-time gift as chosen, in minor units (a typed amount already read). */
  amount: number;
  monthly: number;
}

/**
 * The chooser's choices as its form sends them. A dedication needs both its kind and a name: one without the other
 * is refused (`invalid_field`, `tribute_name`) rather than dropped, so that no gift loses what the donor wrote.
 */
export const choicesOf = (query: DonateQuery): GiftChoices => {
  const name = query.tribute_name?.trim() ?? '';
  const type = query.tribute_type || undefined;
  if ((type === undefined) !== (name === '')) {
    throw new ValidationError('invalid_field', 'Please give the name of the person this gift is for, or choose no dedication.', { field: 'tribute_name' });
  }
  const tribute = type === undefined ? undefined : safeParse(Tribute, { type, name });
  if (tribute && !tribute.success) {
    throw new ValidationError('invalid_field', tribute.error.issues[0]?.message ?? 'Invalid dedication.', { field: 'tribute_name' });
  }
  return {
    subscribe: query.subscribe === 'true',
    coverFee: query.cover_fee === 'true',
    tribute: tribute?.data,
    anonymous: query.anonymous === 'true',
    ...(query.gift_aid === 'true' ? { giftAid: true } : {}),
  };
};

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
  const choices = choicesOf(query);
  const gift = await giftOfLink(deps, query);
  if (query.frequency === 'once' && query.upsell === undefined) {
    // The amount is checked first: an amount the campaign refuses gets its error, not an offer.
    const settings = await checkGift(deps, gift);
    const monthly = upsellFor(settings, gift.amount);
    const campaign = monthly === undefined ? undefined : await deps.campaigns.get(settings.id);
    if (monthly !== undefined && campaign) return { upsell: { campaign, amount: gift.amount, monthly, ...choices } };
  }
  const { source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, component, variant } = query;
  const attribution = { source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, component, variant };
  const { subscribe, coverFee, tribute, anonymous, giftAid } = choices;
  const session = await startCheckout(deps, {
    ...gift, frequency: query.frequency, subscribe, lang: query.lang, coverFee, ...(tribute ? { tribute } : {}), anonymous, mode: 'redirect', giftAid: giftAid === true, client, ...attribution,
  });
  if (!('url' in session)) throw new Error('a donation link made an embedded checkout');
  return { checkoutUrl: session.url };
};

/**
 * Checks a donation link with an amount as followDonateLink would (the amount, the campaign open, its currency and
 * bounds) without starting a Checkout: what a HEAD of the link may do. Throws the same ValidationErrors.
 */
export const checkDonateLink = async (deps: Pick<DonationDeps, 'campaigns' | 'settings'>, query: DonateQuery): Promise<void> => {
  choicesOf(query);
  await checkGift(deps, await giftOfLink(deps, query));
};
