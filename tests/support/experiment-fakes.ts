import type { DailyEventCounters, DailyVariantGiftCounters } from '../../functions/core/experiments/history.js';
import { type Allocation, CONTROL, type EventTotals, type Experiment, type Variant } from '../../functions/core/experiments/model.js';
import type { EventCounters, ExperimentStore } from '../../functions/core/experiments/ports.js';
import type { GiftSums, VariantGiftCounters } from '../../functions/core/experiments/results.js';
import { daysBetween } from '../../functions/core/experiments/days.js';
import { NotFoundError, ValidationError } from '../../functions/core/shared/errors.js';

/**
 * A campaign's variants in memory, with DynamoExperimentStore's rules: the control always there (weight 1 unless
 * set), counting from the first variant set, keep = the others at weight 0, at least one weight above 0, and
 * NotFoundError for an unknown campaign or variant. `createdAt` says which campaigns exist, and since when.
 */
export class MemoryExperiments implements ExperimentStore {
  constructor(private readonly createdAt: (campaign: string) => Promise<string | undefined>) {}
  readonly items = new Map<string, { variants: Variant[]; since: string; allocation?: Allocation }>();

  async get(campaign: string): Promise<Experiment | undefined> {
    const createdAt = await this.createdAt(campaign);
    if (createdAt === undefined) return undefined;
    const item = this.items.get(campaign);
    if (!item) return { campaign, variants: [{ id: CONTROL, weight: 1 }], since: createdAt };
    const variants = item.variants.some((v) => v.id === CONTROL) ? item.variants : [{ id: CONTROL, weight: 1 }, ...item.variants];
    return structuredClone({ campaign, variants, since: item.since, ...(item.allocation ? { allocation: item.allocation } : {}) });
  }

  private async change(campaign: string, now: Date, edit: (variants: Variant[]) => Variant[], allocation?: Allocation): Promise<Experiment> {
    const current = await this.get(campaign);
    if (!current) throw new NotFoundError('There is no campaign with this id.');
    const variants = edit(current.variants);
    if (!variants.some((v) => v.weight > 0) && !variants.every((v) => v.id === CONTROL)) {
      throw new ValidationError('invalid_field', 'At least one variant must have a weight above 0: page views need something to show.', { field: 'weight' });
    }
    if (variants.every((v) => v.id === CONTROL)) {
      this.items.delete(campaign);
      return (await this.get(campaign)) as Experiment;
    }
    const kept = this.items.get(campaign);
    const allocated = allocation ?? kept?.allocation;
    this.items.set(campaign, { variants, since: kept?.since ?? now.toISOString(), ...(allocated ? { allocation: allocated } : {}) });
    return (await this.get(campaign)) as Experiment;
  }

  setVariant(campaign: string, variant: Variant, now: Date) {
    return this.change(campaign, now, (variants) => (variants.some((v) => v.id === variant.id) ? variants.map((v) => (v.id === variant.id ? variant : v)) : [...variants, variant]));
  }

  removeVariant(campaign: string, variant: string, now: Date) {
    return this.change(campaign, now, (variants) => {
      if (!variants.some((v) => v.id === variant)) throw new NotFoundError('The campaign has no variant with this id.');
      return variants.filter((v) => v.id !== variant);
    });
  }

  keepVariant(campaign: string, variant: string, now: Date) {
    return this.change(
      campaign,
      now,
      (variants) => {
        if (!variants.some((v) => v.id === variant)) throw new NotFoundError('The campaign has no variant with this id.');
        return variants.map((v) => (v.id === variant ? { ...v, weight: v.weight > 0 ? v.weight : 1 } : { ...v, weight: 0 }));
      },
      'weights',
    );
  }

  setAllocation(campaign: string, allocation: Allocation, now: Date) {
    return this.change(campaign, now, (variants) => variants, allocation);
  }
}

/** Views and clicks per campaign, day and variant in memory: `record` adds some, as the event counter would. */
export class MemoryEventCounters implements Pick<EventCounters, 'totals'>, DailyEventCounters {
  readonly days = new Map<string, Record<string, EventTotals>>();

  record(campaign: string, day: string, variant: string, counts: { views?: number; clicks?: number }) {
    const byDay = this.days.get(campaign) ?? {};
    this.days.set(campaign, byDay);
    const totals = byDay[day] ?? {};
    byDay[day] = totals;
    const entry = totals[variant] ?? { views: 0, clicks: 0 };
    totals[variant] = { views: entry.views + (counts.views ?? 0), clicks: entry.clicks + (counts.clicks ?? 0) };
  }

  async daily(campaign: string, since: string, until: string) {
    const byDay = this.days.get(campaign) ?? {};
    return structuredClone(Object.fromEntries(daysBetween(since, until).flatMap((day) => (byDay[day] ? [[day, byDay[day]]] : []))));
  }

  async totals(campaign: string, since: string, until: string) {
    const sums: EventTotals = {};
    for (const day of Object.values(await this.daily(campaign, since, until))) {
      for (const [variant, t] of Object.entries(day)) {
        const entry = sums[variant] ?? { views: 0, clicks: 0 };
        sums[variant] = { views: entry.views + t.views, clicks: entry.clicks + t.clicks };
      }
    }
    return sums;
  }
}

/** Gift sums per campaign, day and variant in memory: `record` adds paid gifts of these amounts (minor units). */
export class MemoryVariantGiftCounters implements VariantGiftCounters, DailyVariantGiftCounters {
  readonly days = new Map<string, Record<string, Record<string, GiftSums>>>();

  record(campaign: string, day: string, variant: string, amounts: number[]) {
    const byDay = this.days.get(campaign) ?? {};
    this.days.set(campaign, byDay);
    const sums = byDay[day] ?? {};
    byDay[day] = sums;
    const entry = sums[variant] ?? { gifts: 0, raised: 0, raisedSquares: 0, raisedCubes: 0 };
    for (const a of amounts) {
      entry.gifts += 1;
      entry.raised += a;
      entry.raisedSquares += a * a;
      entry.raisedCubes += a * a * a;
    }
    sums[variant] = entry;
  }

  async daily(campaign: string, since: string, until: string) {
    const byDay = this.days.get(campaign) ?? {};
    return structuredClone(Object.fromEntries(daysBetween(since, until).flatMap((day) => (byDay[day] ? [[day, byDay[day]]] : []))));
  }

  async totals(campaign: string, since: string, until: string) {
    const sums: Record<string, GiftSums> = {};
    for (const day of Object.values(await this.daily(campaign, since, until))) {
      for (const [variant, s] of Object.entries(day)) {
        const entry = sums[variant] ?? { gifts: 0, raised: 0, raisedSquares: 0, raisedCubes: 0 };
        sums[variant] = { gifts: entry.gifts + s.gifts, raised: entry.raised + s.raised, raisedSquares: entry.raisedSquares + s.raisedSquares, raisedCubes: entry.raisedCubes + s.raisedCubes };
      }
    }
    return sums;
  }
}
