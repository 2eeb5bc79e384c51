import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';
import { hasControlCharacters } from '../shared/email-address.js';
import { DomainError } from '../shared/errors.js';
import { MAX_SHARDS } from '../subscriptions/counting.js';
import { Frequency } from './frequency.js';

/*
 * A campaign as admins set it and the ledger totals it: what every route of the donations function reads. The gifts
 * and the payment events (model.ts, which re-exports this module) are the webhook's.
 */

export const CurrencyCode = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^[a-z]{3}$/, 'A lowercase ISO 4217 code, such as usd.')));
export const CampaignId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Lowercase letters, digits and dashes.')));
export const CAMPAIGN_TITLE_MAX_LENGTH = 200;

/**
 * One step of a campaign's monthly ask: to a donor who chose at least `amount` once, the chooser offers `monthly`
 * a month instead. The highest `amount` at or below the chosen one applies (see upsellFor).
 */
export const UpsellStep = /* @__PURE__ */ onFirstUse(() => z.object({ amount: z.int().check(z.positive()), monthly: z.int().check(z.positive()) }));
export type UpsellStep = z.infer<typeof UpsellStep>;

/** A campaign's monthly ask, by ascending one-time amount, each amount once. */
export const Upsell = /* @__PURE__ */ onFirstUse(() => z.array(UpsellStep).check(
  z.maxLength(8),
  z.refine((steps) => steps.every((step, i) => i === 0 || (steps[i - 1]?.amount ?? 0) < step.amount), 'Upsell amounts must be given once each, smallest first.'),
));
export type Upsell = z.infer<typeof Upsell>;

/** The appeal's settings an admin may leave out: what a campaign made before they existed reads as. */
export const APPEAL_DEFAULTS = { defaultFrequency: 'once', thankDays: 90, snoozeDays: 14 } as const;

/**
 * A campaign's title as an admin sets it: shown on the banner and the chooser, and put in the Subject of every
 * receipt, so it is one line: no C0 or C1 control characters (CR, LF, tab...) and no U+2028/U+2029 line or
 * paragraph separators, which would break the Subject header or forge lines in the text part.
 */
export const CampaignTitle = /* @__PURE__ */ onFirstUse(() => z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(CAMPAIGN_TITLE_MAX_LENGTH),
    z.refine((s) => !hasControlCharacters(s), 'A campaign title must be one line: no line breaks or other control characters.'),
  ));

/** What an admin sets (the admin CLI's `campaign create`, the smoke test), as saveCampaign accepts it. */
export const CampaignSettings = /* @__PURE__ */ onFirstUse(() => z.object({
  id: CampaignId,
  title: CampaignTitle,
  currency: CurrencyCode,
  goal: z.int().check(z.gte(0)),
  open: z.boolean(),
  suggestedAmounts: z.array(z.int().check(z.positive())).check(z.maxLength(8)),
  minAmount: z.int().check(z.positive()),
  maxAmount: z.int().check(z.positive()),
  /** The frequency the chooser (and the banner) starts on: monthly-first asks raise more monthly gifts. */
  defaultFrequency: z.optional(Frequency),
  /** The monthly ask offered after a one-time amount is chosen (see UpsellStep); none when absent or empty. */
  upsell: z.optional(Upsell),
  /** Days the embed thanks a browser that gave, instead of asking again (APPEAL_DEFAULTS when absent). */
  thankDays: z.optional(z.int().check(z.gte(0), z.lte(3650))),
  /** Days the embed stays hidden after its close button (APPEAL_DEFAULTS when absent). */
  snoozeDays: z.optional(z.int().check(z.gte(0), z.lte(3650))),
}));
export type CampaignSettings = z.infer<typeof CampaignSettings>;

/** A campaign's settings (set by admins) and its totals (kept by the ledger, never written by admins). */
export const Campaign = /* @__PURE__ */ onFirstUse(() => z.extend(CampaignSettings, {
  /**
   * How many items the totals are spread over (fixed when the campaign is created), so that hundreds of gifts a
   * second neither exceed one item's write rate nor collide in transactions.
   */
  shards: z.int().check(z.gte(1), z.lte(MAX_SHARDS)),
  raised: z.int(),
  donations: z.int(),
  donors: z.int(),
  /** The fees donors chose to cover, within `raised` (absent: none yet). */
  feesCovered: z.optional(z.int()),
  createdAt: instant(),
  updatedAt: instant(),
}));
export type Campaign = z.infer<typeof Campaign>;

/** The monthly amount a campaign offers instead of a one-time `amount`; undefined when no step applies. */
export const upsellFor = (campaign: Pick<CampaignSettings, 'upsell'>, amount: number): number | undefined =>
  (campaign.upsell ?? []).filter((step) => step.amount <= amount).at(-1)?.monthly;
/**
 * A campaign's currency is fixed when it is created: its totals, its gifts' receipts and its refunds are all in
 * that currency, and a gift in another one is never counted. Thrown by CampaignRepository.saveSettings.
 */
export class CampaignCurrencyLockedError extends DomainError {
  readonly code = 'currency_locked';
  constructor(
    readonly campaign: string,
    readonly currency: string,
    options?: ErrorOptions,
  ) {
    super(
      `Campaign ${campaign} takes gifts in ${currency.toUpperCase()}: a campaign's currency cannot change once it is created. Create a new campaign for another currency.`,
      { ...options, field: 'currency' },
    );
  }
}

/** The stored campaign without its totals. */
export const CampaignRecord = /* @__PURE__ */ onFirstUse(() => z.omit(Campaign, { raised: true, donations: true, donors: true, feesCovered: true }));
export type CampaignRecord = z.infer<typeof CampaignRecord>;
