import { NotFoundError, ValidationError } from '../shared/errors.js';
import { fractionDigits } from '../shared/money.js';
import { safeParse } from '../shared/schema.js';
import type { DonationDeps, DonationSettings } from './checkout.js';
import { APPEAL_DEFAULTS, CampaignCurrencyLockedError, CampaignSettings } from './campaign.js';
import { CONTROL } from '../experiments/model.js';
import type { FeeRate } from './fees.js';
import type { CampaignRepository } from './ports.js';

/** What `GET /v1/campaigns/{id}` says of an id it does not know, or that no campaign could have. */
export const UNKNOWN_CAMPAIGN = 'There is no campaign with this id.';

/**
 * The public face of a campaign, for the banner's progress bar, in the contract's field order, with its appeal's
 * variants (the control alone when it runs no experiment) for the embed to draw one from. Throws NotFoundError.
 */
export const campaignProgress = async (deps: Pick<DonationDeps, 'campaigns' | 'variants'> & { settings?: Pick<DonationSettings, 'feeRates'> }, id: string) => {
  const [campaign, variants] = await Promise.all([deps.campaigns.get(id), deps.variants?.(id)]);
  if (!campaign) throw new NotFoundError(UNKNOWN_CAMPAIGN);
  const { title, currency, goal, raised, donations, donors, updatedAt, open, suggestedAmounts, minAmount, maxAmount } = campaign;
  return {
    id, title, currency, goal, raised, donations, donors, updatedAt, open, suggestedAmounts, minAmount, maxAmount,
    // The appeal's settings, with what a campaign that never set them reads as; then the fees covered (within `raised`).
    defaultFrequency: campaign.defaultFrequency ?? APPEAL_DEFAULTS.defaultFrequency,
    upsell: campaign.upsell ?? [],
    thankDays: campaign.thankDays ?? APPEAL_DEFAULTS.thankDays,
    snoozeDays: campaign.snoozeDays ?? APPEAL_DEFAULTS.snoozeDays,
    feesCovered: campaign.feesCovered ?? 0,
    // What a donor covering the fee adds (the embed names it before they pay); absent where covering is not offered.
    ...feeOf(deps.settings?.feeRates?.[currency]),
    ...(deps.variants ? { variants: variants ?? [{ id: CONTROL, weight: 1 }] } : {}),
  };
};

/** The fee of a currency as the contract shows it: `{rate, fixed}`, the rate a number (at most 6 decimals). */
const feeOf = (fee: FeeRate | undefined) => (fee ? { fee: { rate: Number(fee.rate), fixed: fee.fixed } } : {});

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
  deps: Pick<DonationDeps, 'clock'> & { campaigns: Pick<CampaignRepository, 'getSettings' | 'saveSettings'>; settings: Pick<DonationSettings, 'currencies'> },
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
  // A monthly ask checkout would refuse must never be offered.
  const outside = (settings.upsell ?? []).find((step) => step.monthly < settings.minAmount || step.monthly > settings.maxAmount);
  if (outside) {
    throw new ValidationError('invalid_field', `The monthly amount ${outside.monthly} offered from ${outside.amount} is outside the campaign's minimum and maximum gift.`, { field: 'upsell' });
  }
  const existing = await deps.campaigns.getSettings(settings.id);
  if (existing && existing.currency !== settings.currency) throw new CampaignCurrencyLockedError(existing.id, existing.currency);
  // A closed campaign takes gifts again only when asked in so many words: changing its title or goal must not
  // silently reopen an appeal that has ended.
  const open = settings.open && (!existing || existing.open || options.reopen === true);
  return deps.campaigns.saveSettings({ ...settings, open }, deps.clock.now());
};
