import { describe, expect, it } from 'vitest';
import { dashboardSections, niceCeil } from '../../../../functions/core/dashboard/charts.js';
import { type Dashboard, readDashboard } from '../../../../functions/core/dashboard/dashboard.js';
import { LANGUAGES } from '../../../../functions/core/shared/i18n/index.js';
import { render } from '../../../../functions/core/shared/template.js';
import { makeDashboardDeps } from '../../../support/dashboard-fakes.js';
import { FakeClock } from '../../../support/fakes.js';

/** A week with a bit of everything, a refund that failed on a later day (a negative day), and a hostile campaign id. */
const week = async (): Promise<Dashboard> => {
  const deps = makeDashboardDeps(new FakeClock(new Date('2026-12-07T12:00:00Z')));
  deps.counters.activeMonthly = 2;
  deps.counters.add('list', { day: '2026-12-02', counts: { signups: 12, confirmations: 9, unsubscribes: 1, bounces: 1, complaints: 1 } });
  deps.counters.add('gifts', { day: '2026-12-03', counts: { gifts: 3, 'gifts:once': 2, 'gifts:monthly': 1, 'raised:usd': 4750, 'monthly:started': 1, 'campaign:<b>x</b>:gifts': 3, 'campaign:<b>x</b>:raised:usd': 4750 } });
  deps.counters.add('gifts', { day: '2026-12-04', counts: { 'refunded:usd': 1000, 'raised:eur': 2000, gifts: 1, 'gifts:once': 1 } });
  deps.counters.add('gifts', { day: '2026-12-05', counts: { 'refunded:usd': -500 } });
  return readDashboard(deps, { days: 7 });
};

const svgs = (page: string) => page.match(/<svg class="chart"[^>]*>[\s\S]*?<\/svg>/g) ?? [];

describe('the dashboard charts', () => {
  it('draw each series as an SVG image named by its title and description, each with a table of its numbers', async () => {
    const page = render(dashboardSections(await week(), 'en'));
    const charts = svgs(page);
    // The list, gifts, raised and refunded in each of two currencies, one-time against monthly, active monthly gifts.
    expect(charts).toHaveLength(8);
    for (const svg of charts) {
      const [, first, second] = /aria-labelledby="([^" ]+) ([^"]+)"/.exec(svg) ?? [];
      expect(svg).toContain('role="img"');
      expect(svg).toContain(`<title id="${first}">`);
      expect(svg).toContain(`<desc id="${second}">`);
    }
    expect(page.match(/<table class="chart-table">/g)).toHaveLength(9); // one per chart, and the campaigns'
    expect(page).toContain('<title id="chart-raised-usd-t">Raised in USD</title>');
    expect(page).toContain('Signups 12, Confirmations 9, Unsubscribes 1, Bounces 1, Complaints 1');
    const ids = [...page.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('put the numbers in the tables as the data has them, money in its currency', async () => {
    const page = render(dashboardSections(await week(), 'en'));
    const raised = page.slice(page.indexOf('<caption>Raised in USD</caption>'));
    expect(raised).toMatch(/<th scope="row">3 Dec 2026<\/th><td>\$47\.50<\/td>/);
    const refunded = page.slice(page.indexOf('<caption>Refunded in USD</caption>'));
    expect(refunded).toMatch(/<th scope="row">5 Dec 2026<\/th><td>-\$5<\/td>/);
    const active = page.slice(page.indexOf('<caption>Active monthly gifts</caption>'));
    expect(active).toMatch(/<th scope="row">2 Dec 2026<\/th><td>1<\/td>[\s\S]*<th scope="row">3 Dec 2026<\/th><td>2<\/td>/);
  });

  it('draw a negative day below the axis', async () => {
    const page = render(dashboardSections(await week(), 'en'));
    const svg = svgs(page).find((s) => s.includes('Refunded in USD')) ?? '';
    const axis = Number(/<line class="axis" x1="\d+" x2="\d+" y1="([\d.]+)"/.exec(svg)?.[1]);
    const bars = [...svg.matchAll(/<rect class="bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)].map((m) => ({ y: Number(m[1]), h: Number(m[2]) }));
    expect(bars.some((b) => b.y === axis && b.h > 0)).toBe(true); // -$5 hangs from the axis
    expect(bars.some((b) => b.y < axis && b.y + b.h === axis)).toBe(true); // $10 stands on it
  });

  it('escape what the data carries, and need neither style attributes nor scripts (the page CSP allows neither)', async () => {
    const page = render(dashboardSections(await week(), 'en'));
    expect(page).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(page).not.toContain('<b>');
    expect(page).not.toMatch(/\sstyle=|<style|<script|\son\w+=/i);
  });

  it.each(LANGUAGES)('speak %s throughout, every placeholder filled', async (lang) => {
    const page = render(dashboardSections(await week(), lang));
    expect(page).not.toMatch(/\{\w+\}/);
    if (lang !== 'en') for (const english of ['Mailing list', 'Signups', 'Active monthly gifts', 'The numbers as a table']) expect(page).not.toContain(english);
  });

  it('say so when the period has no money, and draw the rest at zero', async () => {
    const deps = makeDashboardDeps(new FakeClock(new Date('2026-12-07T12:00:00Z')));
    const page = render(dashboardSections(await readDashboard(deps, { days: 1 }), 'en'));
    expect(page).toContain('No gifts or refunds in this period.');
    expect(page).toContain('No campaign had gifts in this period.');
    expect(svgs(page)).toHaveLength(4);
  });

  it('rounds the axis top to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 4750, 50001].map(niceCeil)).toEqual([1, 1, 5, 10, 10, 20, 5000, 100000]);
  });
});
