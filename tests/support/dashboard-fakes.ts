import type { Day, DayChange } from '../../functions/core/dashboard/counters.js';
import type { DashboardDeps } from '../../functions/core/dashboard/dashboard.js';
import type { DashboardCounters } from '../../functions/core/dashboard/ports.js';
import type { Clock } from '../../functions/core/shared/ports.js';

/** The day counters in memory, with the port's reading; `add` stands for a write's transaction. */
export class MemoryDashboardCounters implements DashboardCounters {
  readonly list = new Map<Day, Record<string, number>>();
  readonly gifts = new Map<Day, Record<string, number>>();
  activeMonthly = 0;
  /** The days each read asked for, in order. */
  readonly reads: Day[][] = [];

  add(table: 'list' | 'gifts', change: DayChange) {
    const counts = this[table].get(change.day) ?? {};
    for (const [name, n] of Object.entries(change.counts)) counts[name] = (counts[name] ?? 0) + n;
    this[table].set(change.day, counts);
  }

  async read(days: readonly Day[]) {
    this.reads.push([...days]);
    const pick = (from: Map<Day, Record<string, number>>) => new Map(days.filter((d) => from.has(d)).map((d) => [d, { ...from.get(d) }]));
    return { list: pick(this.list), gifts: pick(this.gifts), activeMonthly: this.activeMonthly };
  }
}

export const makeDashboardDeps = (clock: Clock): DashboardDeps & { counters: MemoryDashboardCounters } => ({ clock, counters: new MemoryDashboardCounters() });
