import { defaultBounds, saveCampaign, UNKNOWN_CAMPAIGN } from '../donations/campaigns.js';
import { type Campaign, CampaignId, type CampaignSettings } from '../donations/model.js';
import type { DonationSettings } from '../donations/checkout.js';
import type { CampaignRepository } from '../donations/ports.js';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.js';
import { parseMajorAmount } from '../shared/money.js';
import { safeParse } from '../shared/schema.js';
import { type AuditDeps, recordAudit } from './audit.js';
import type { Actor } from './editors.js';

export interface ConsoleCampaignDeps extends AuditDeps {
  campaigns: CampaignRepository;
  /** The currencies checkout accepts (`CURRENCIES`): a campaign is made in one of them. */
  settings: Pick<DonationSettings, 'currencies'>;
}

/** The campaign form as posted: amounts in major units (`25.50`), suggested amounts comma-separated. */
export interface CampaignInput {
  id: string;
  title: string;
  /** A new campaign's currency; for an existing one, absent or its own (a campaign's currency is fixed). */
  currency?: string | undefined;
  goal: string;
  minAmount?: string | undefined;
  maxAmount?: string | undefined;
  suggested?: string | undefined;
}

/** A campaign's settings without its totals and bookkeeping: every setting is kept, those the form does not show too. */
const settingsOf = (campaign: Campaign): CampaignSettings => {
  const { shards: _shards, raised: _raised, donations: _donations, donors: _donors, createdAt: _createdAt, updatedAt: _updatedAt, ...settings } = campaign;
  return settings;
};

/** The suggested amounts, `10, 25, 50` in major units; empty for none. */
const suggestedAmounts = (text: string, currency: string) =>
  text
    .split(/[;\s]+|,\s+/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => parseMajorAmount(part, currency, 'suggested'));

const existingOrFail = async (deps: Pick<ConsoleCampaignDeps, 'campaigns'>, id: string) => {
  const campaign = await deps.campaigns.get(id);
  if (!campaign) throw new NotFoundError(UNKNOWN_CAMPAIGN);
  return campaign;
};

/** The campaign with this id, or NotFoundError. */
export const campaignToEdit = existingOrFail;

/**
 * Creates a campaign from the console's form, with the CLI's rules (saveCampaign): a currency checkout accepts, the
 * default bounds of that currency when none are given, and open. Refuses an id already taken (ConflictError): the
 * form for a new campaign never overwrites one. Records `campaign.save`. Throws ValidationError for what was typed.
 */
export const createCampaign = async (deps: ConsoleCampaignDeps, who: Actor, input: CampaignInput) => {
  if (!safeParse(CampaignId, input.id).success) {
    throw new ValidationError('invalid_field', 'A campaign id is lowercase letters, digits and dashes, at most 64, starting with a letter or digit.', { field: 'id' });
  }
  const currency = input.currency ?? '';
  if (!deps.settings.currencies.includes(currency)) {
    throw new ValidationError('invalid_currency', `Choose one of ${deps.settings.currencies.map((c) => c.toUpperCase()).join(', ')}.`, { field: 'currency' });
  }
  if (await deps.campaigns.getSettings(input.id)) throw new ConflictError(`There is already a campaign "${input.id}": edit it, or choose another id.`);
  const bounds = defaultBounds(currency);
  const saved = await saveCampaign(deps, {
    id: input.id,
    title: input.title,
    currency,
    goal: parseMajorAmount(input.goal, currency, 'goal'),
    open: true,
    suggestedAmounts: input.suggested?.trim()
      ? suggestedAmounts(input.suggested, currency)
      : [1000, 2500, 5000, 10000].map((a) => (a / 100) * bounds.minAmount),
    minAmount: input.minAmount?.trim() ? parseMajorAmount(input.minAmount, currency, 'minAmount') : bounds.minAmount,
    maxAmount: input.maxAmount?.trim() ? parseMajorAmount(input.maxAmount, currency, 'maxAmount') : bounds.maxAmount,
  });
  await recordAudit(deps, { actor: who.actor, action: 'campaign.save', target: `${saved.id} created`, client: who.client });
  return saved;
};

/**
 * Changes an existing campaign's title, goal, bounds and suggested amounts; every other setting is kept, and so is
 * whether it takes gifts (closing and reopening are their own steps). A currency other than its own is refused
 * (CampaignCurrencyLockedError, from saveCampaign). Records `campaign.save`. NotFoundError for no such campaign.
 */
export const updateCampaign = async (deps: ConsoleCampaignDeps, who: Actor, input: CampaignInput) => {
  const existing = await existingOrFail(deps, input.id);
  const currency = input.currency || existing.currency;
  const amount = (text: string | undefined, field: 'minAmount' | 'maxAmount', kept: number) => (text?.trim() ? parseMajorAmount(text, currency, field) : kept);
  const saved = await saveCampaign(deps, {
    ...settingsOf(existing),
    title: input.title,
    currency,
    goal: parseMajorAmount(input.goal, currency, 'goal'),
    minAmount: amount(input.minAmount, 'minAmount', existing.minAmount),
    maxAmount: amount(input.maxAmount, 'maxAmount', existing.maxAmount),
    suggestedAmounts: input.suggested?.trim() ? suggestedAmounts(input.suggested, currency) : [],
  });
  await recordAudit(deps, { actor: who.actor, action: 'campaign.save', target: `${saved.id} updated`, client: who.client });
  return saved;
};

/** Stops a campaign taking gifts (its page and totals stay); records `campaign.save`. NotFoundError for no such campaign. */
export const closeCampaign = async (deps: ConsoleCampaignDeps, who: Actor, id: string) => {
  const existing = await existingOrFail(deps, id);
  const saved = await saveCampaign(deps, { ...settingsOf(existing), open: false });
  await recordAudit(deps, { actor: who.actor, action: 'campaign.save', target: `${saved.id} closed`, client: who.client });
  return saved;
};

/** Lets a closed campaign take gifts again, asked in so many words; records `campaign.save`. */
export const reopenCampaign = async (deps: ConsoleCampaignDeps, who: Actor, id: string) => {
  const existing = await existingOrFail(deps, id);
  const saved = await saveCampaign(deps, { ...settingsOf(existing), open: true }, { reopen: true });
  await recordAudit(deps, { actor: who.actor, action: 'campaign.save', target: `${saved.id} reopened`, client: who.client });
  return saved;
};
