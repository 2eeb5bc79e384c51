import { describe, expect, it } from 'vitest';
import { DashboardQuery, lastDays, readDashboard } from '../../../../functions/core/dashboard/dashboard.js';
import { safeParse } from '../../../../functions/core/shared/schema.js';
import { makeDashboardDeps } from '../../../support/dashboard-fakes.js';
import { FakeClock } from '../../../support/fakes.js';

const clock = () => new FakeClock(new Date('2026-12-03T08:00:00Z'));

describe('the dashboard query', () => {
  it('takes 1 to 400 whole days, 30 when absent', () => {
    expect(safeParse(DashboardQuery, {}).data).toEqual({ days: 30 });
    expect(safeParse(DashboardQuery, { days: '1' }).data).toEqual({ days: 1 });
    expect(safeParse(DashboardQuery, { days: '400' }).data).toEqual({ days: 400 });
    for (const days of ['0', '401', '1.5', 'abc', '', '-3', ['2', '3']]) expect(safeParse(DashboardQuery, { days }).success, String(days)).toBe(false);
  });
});

describe('the dashboard', () => {
  it('gives one entry per UTC day ending today, oldest first, zeros included', async () => {
    const deps = makeDashboardDeps(clock());
    const dashboard = await readDashboard(deps, { days: 3 });
    expect(dashboard.from).toBe('2026-12-01');
    expect(dashboard.to).toBe('2026-12-03');
    expect(dashboard.days.map((d) => d.date)).toEqual(['2026-12-01', '2026-12-02', '2026-12-03']);
    expect(dashboard.days[0]).toEqual({
      date: '2026-12-01',
      signups: 0,
      confirmations: 0,
      unsubscribes: 0,
      bounces: 0,
      complaints: 0,
      gifts: 0,
      raised: {},
      refunded: {},
      giftsOnce: 0,
      giftsMonthly: 0,
      monthlyStarted: 0,
      monthlyEnded: 0,
      activeMonthly: 0,
      campaigns: {},
    });
    expect(deps.counters.reads).toEqual([['2026-12-01', '2026-12-02', '2026-12-03']]);
  });

  it('sums the counters into the contract fields, every currency and campaign of the period on every day', async () => {
    const deps = makeDashboardDeps(clock());
    deps.counters.add('list', { day: '2026-12-02', counts: { signups: 5, confirmations: 3, unsubscribes: 1, bounces: 1, complaints: 1 } });
    deps.counters.add('gifts', { day: '2026-12-02', counts: { gifts: 2, 'gifts:once': 1, 'gifts:monthly': 1, 'raised:usd': 3500, 'campaign:ukraine:gifts': 2, 'campaign:ukraine:raised:usd': 3500 } });
    deps.counters.add('gifts', { day: '2026-12-03', counts: { gifts: 1, 'gifts:once': 1, 'raised:eur': 900, 'refunded:usd': 1000, 'campaign:euro:gifts': 1, 'campaign:euro:raised:eur': 900, 'campaign:ukraine:refunded:usd': 1000 } });
    const { days } = await readDashboard(deps, { days: 2 });
    expect(days[0]).toMatchObject({ signups: 5, confirmations: 3, unsubscribes: 1, bounces: 1, complaints: 1, gifts: 2, giftsOnce: 1, giftsMonthly: 1, raised: { eur: 0, usd: 3500 }, refunded: { eur: 0, usd: 0 } });
    expect(days[1]).toMatchObject({ gifts: 1, raised: { eur: 900, usd: 0 }, refunded: { eur: 0, usd: 1000 } });
    expect(days[1]?.campaigns).toEqual({
      euro: { gifts: 1, raised: { eur: 900 }, refunded: { eur: 0 } },
      ukraine: { gifts: 0, raised: { usd: 0 }, refunded: { usd: 1000 } },
    });
  });

  it('works out the active monthly gifts at each day end from the running count', async () => {
    const deps = makeDashboardDeps(clock());
    deps.counters.activeMonthly = 4;
    deps.counters.add('gifts', { day: '2026-12-02', counts: { 'monthly:started': 3 } });
    deps.counters.add('gifts', { day: '2026-12-03', counts: { 'monthly:started': 1, 'monthly:ended': 2 } });
    const { days } = await readDashboard(deps, { days: 3 });
    expect(days.map((d) => d.activeMonthly)).toEqual([2, 5, 4]);
  });

  it('lists the last days across a month and a year end', () => {
    expect(lastDays(new Date('2027-01-01T00:30:00Z'), 3)).toEqual(['2026-12-30', '2026-12-31', '2027-01-01']);
  });
});
