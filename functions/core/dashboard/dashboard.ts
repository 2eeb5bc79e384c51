import * as z from 'zod/mini';
import { onFirstUse, wholeNumber } from '../shared/schema.js';
import type { Clock } from '../shared/ports.js';
import { type Day, dayOf, LIST_COUNTERS, type ListCounter, giftCounter } from './counters.js';
import type { DashboardCounters } from './ports.js';

export const MAX_DAYS = 400;
export const DEFAULT_DAYS = 30;

/** `GET /v1/admin/dashboard?days=N`: N whole days, 1 to 400, ending today (UTC); 30 when absent. */
export const DashboardQuery = /* @__PURE__ */ onFirstUse(() => z.object({
  days: z._default(wholeNumber(1, MAX_DAYS, `days must be a whole number from 1 to ${MAX_DAYS}.`), DEFAULT_DAYS),
}));
export type DashboardQuery = z.infer<typeof DashboardQuery>;

/** Money by currency, in minor units: every currency the period saw, zeros included. */
export type ByCurrency = Record<string, number>;

/** One campaign's gifts on one day. */
export interface CampaignDay {
  gifts: number;
  raised: ByCurrency;
  refunded: ByCurrency;
}

/** One UTC day of the dashboard (the contract's fields, then the ones it adds). */
export type DashboardDay = { date: Day } & Record<ListCounter, number> & {
    /** Paid gifts, each monthly payment one; `raised` their amounts, on the day they were paid. */
    gifts: number;
    raised: ByCurrency;
    /** Net refunds on the day they happened (a refund that fails later comes off on the day it failed). */
    refunded: ByCurrency;
    /** `gifts` split: one-time gifts and monthly payments. */
    giftsOnce: number;
    giftsMonthly: number;
    /** Monthly gifts begun and ended that day, and those active at the day's end. */
    monthlyStarted: number;
    monthlyEnded: number;
    activeMonthly: number;
    /** By campaign: every campaign with gifts or refunds in the period, zeros included. */
    campaigns: Record<string, CampaignDay>;
  };

export interface Dashboard {
  from: Day;
  to: Day;
  days: DashboardDay[];
}

export interface DashboardDeps {
  clock: Clock;
  counters: DashboardCounters;
}

const DAY_MS = 86_400_000;

/** The `n` UTC days that end with `today`, oldest first. */
export const lastDays = (today: Date, n: number): Day[] => {
  const end = Date.parse(dayOf(today));
  return Array.from({ length: n }, (_, i) => dayOf(new Date(end - (n - 1 - i) * DAY_MS)));
};

const RAISED = /^raised:(.+)$/;
const REFUNDED = /^refunded:(.+)$/;
// Campaign ids have no colon, but a gift's campaign comes from a payment's metadata: read the name from its end.
const CAMPAIGN_GIFTS = /^campaign:(.+):gifts$/;
const CAMPAIGN_MONEY = /^campaign:(.+):(raised|refunded):([^:]+)$/;

const zeros = (currencies: Iterable<string>): ByCurrency => Object.fromEntries([...currencies].sort().map((c) => [c, 0]));

/**
 * The dashboard's numbers for the last `days` UTC days, oldest first, one entry per day with zeros included: read
 * from the day counters the writes keep (a bounded number of items per day, whatever the list size). Active monthly
 * gifts at each day's end are the running count less what began (plus what ended) after that day.
 */
export const readDashboard = async (deps: DashboardDeps, query: DashboardQuery): Promise<Dashboard> => {
  const dates = lastDays(deps.clock.now(), query.days);
  const { list, gifts, activeMonthly } = await deps.counters.read(dates);

  const currencies = new Set<string>();
  const campaigns = new Map<string, Set<string>>();
  const campaignCurrencies = (id: string) => {
    const known = campaigns.get(id) ?? new Set<string>();
    campaigns.set(id, known);
    return known;
  };
  for (const counts of gifts.values()) {
    for (const name of Object.keys(counts)) {
      const money = RAISED.exec(name) ?? REFUNDED.exec(name);
      if (money?.[1]) currencies.add(money[1]);
      const byCampaign = CAMPAIGN_MONEY.exec(name);
      if (byCampaign?.[1] && byCampaign[3]) campaignCurrencies(byCampaign[1]).add(byCampaign[3]);
      const campaignGifts = CAMPAIGN_GIFTS.exec(name);
      if (campaignGifts?.[1]) campaignCurrencies(campaignGifts[1]);
    }
  }

  const days = dates.map((date): DashboardDay => {
    const l = list.get(date) ?? {};
    const g = gifts.get(date) ?? {};
    const n = (counts: Readonly<Record<string, number>>, name: string) => counts[name] ?? 0;
    const money = (name: (currency: string) => string, within: Iterable<string>) => {
      const out = zeros(within);
      for (const currency of Object.keys(out)) out[currency] = n(g, name(currency));
      return out;
    };
    const byCampaign: Record<string, CampaignDay> = {};
    for (const id of [...campaigns.keys()].sort()) {
      const own = campaigns.get(id) ?? new Set<string>();
      byCampaign[id] = {
        gifts: n(g, giftCounter.campaignGifts(id)),
        raised: money((c) => giftCounter.campaignRaised(id, c), own),
        refunded: money((c) => giftCounter.campaignRefunded(id, c), own),
      };
    }
    return {
      date,
      ...(Object.fromEntries(LIST_COUNTERS.map((name) => [name, n(l, name)])) as Record<ListCounter, number>),
      gifts: n(g, giftCounter.gifts),
      raised: money(giftCounter.raised, currencies),
      refunded: money(giftCounter.refunded, currencies),
      giftsOnce: n(g, giftCounter.byFrequency('once')),
      giftsMonthly: n(g, giftCounter.byFrequency('monthly')),
      monthlyStarted: n(g, giftCounter.monthlyStarted),
      monthlyEnded: n(g, giftCounter.monthlyEnded),
      activeMonthly: 0,
      campaigns: byCampaign,
    };
  });
  let active = activeMonthly;
  for (let i = days.length - 1; i >= 0; i--) {
    const day = days[i] as DashboardDay;
    day.activeMonthly = active;
    active -= day.monthlyStarted - day.monthlyEnded;
  }
  return { from: dates[0] as Day, to: dates.at(-1) as Day, days };
};
