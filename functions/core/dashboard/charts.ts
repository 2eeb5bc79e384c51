/**
 * The dashboard's charts, drawn on the server as SVG: no script, no library, nothing for the page's CSP to allow
 * (colours and dashes come from classes in the one stylesheet, never from style attributes). Each chart is an
 * image with a title and a description for assistive technology, and comes with a table of its numbers.
 * Pure: the console's page embeds what `dashboardSections` returns.
 */
import { messagesOf } from '../shared/i18n/catalogue.js';
import { fill, formatAmount, formatDate } from '../shared/i18n/format.js';
import type { Language } from '../shared/i18n/index.js';
import { type Html, html, join } from '../shared/template.js';
import type { Dashboard, DashboardDay } from './dashboard.js';

type Words = ReturnType<typeof messagesOf>['dashboard'];

export interface Series {
  label: string;
  values: readonly number[];
}

export interface ChartSpec {
  /** Unique within the page: the ids of the heading, title and description derive from it. */
  id: string;
  title: string;
  /** Bars for one series, lines for several (bars side by side would be too thin for a year of days). */
  kind: 'bar' | 'line';
  series: readonly Series[];
  yLabel: string;
  format: (n: number) => string;
}

/** The drawing's own units (the SVG scales to its box). */
const WIDTH = 640;
const HEIGHT = 240;
const LEFT = 72;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 44;
const PLOT_W = WIDTH - LEFT - RIGHT;
const PLOT_H = HEIGHT - TOP - BOTTOM;
/** Series classes: a colour and a dash pattern each (stylesheet), so lines differ without colour too. */
const SERIES_CLASSES = ['s0', 's1', 's2', 's3', 's4'] as const;

/** The smallest of 1, 2, 5 × 10ⁿ at or above `n` (n > 0): a round top for the axis. */
export const niceCeil = (n: number): number => {
  if (n <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 5, 10]) if (step * power >= n) return step * power;
  return 10 * power;
};

const round = (n: number) => Math.round(n * 10) / 10;

/** The y axis: from the lowest value (or 0) to the highest (or 0), rounded out; ticks at the ends, at 0 and halfway. */
const scaleOf = (series: readonly Series[]) => {
  const values = series.flatMap((s) => s.values);
  const top = niceCeil(Math.max(0, ...values));
  const low = Math.min(0, ...values);
  const bottom = low < 0 ? -niceCeil(-low) : 0;
  const y = (v: number) => round(TOP + PLOT_H - ((v - bottom) / (top - bottom)) * PLOT_H);
  const ticks = [...new Set([bottom, 0, ...(bottom === 0 && top % 2 === 0 ? [top / 2] : []), top])].sort((a, b) => a - b);
  return { y, ticks };
};

/** The x axis: the first day, the last, and one between them. */
const labelledDays = (count: number) => [...new Set([0, Math.floor((count - 1) / 2), count - 1])];

/** The chart as an SVG image (also drawn for the experiments' page, with its own table). */
export const chartSvg = (spec: ChartSpec, dates: readonly string[], dayLabel: (date: string) => string, description: string, words: Words) => {
  const { y, ticks } = scaleOf(spec.series);
  const band = PLOT_W / dates.length;
  const x = (i: number) => round(LEFT + band * i + band / 2);
  const plot = spec.kind === 'bar'
    ? (spec.series[0]?.values ?? []).map((v, i) => {
        const width = Math.max(1, round(band * 0.7));
        const top = Math.min(y(v), y(0));
        return html`<rect class="bar" x="${round(x(i) - width / 2)}" y="${top}" width="${width}" height="${round(Math.abs(y(v) - y(0)))}"/>`;
      })
    : spec.series.map((s, n) => {
        const cls = SERIES_CLASSES[n % SERIES_CLASSES.length] ?? 's0';
        const points = s.values.map((v, i) => `${x(i)},${y(v)}`).join(' ');
        // Dots mark each day while there is room for them, and show a single day, which a line cannot.
        const dots = dates.length <= 62 ? s.values.map((v, i) => html`<circle class="dot ${cls}" cx="${x(i)}" cy="${y(v)}" r="2.5"/>`) : [];
        return html`<polyline class="line ${cls}" points="${points}"/>${dots}`;
      });
  const grid = ticks.map(
    (t) => html`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(t)}" y2="${y(t)}"/><text class="tick" x="${LEFT - 6}" y="${y(t) + 4}" text-anchor="end">${spec.format(t)}</text>`,
  );
  const axes = html`<line class="axis" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(0)}" y2="${y(0)}"/><line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${TOP + PLOT_H}"/>`;
  const days = labelledDays(dates.length).map(
    (i) => html`<text class="tick" x="${x(i)}" y="${TOP + PLOT_H + 16}" text-anchor="middle">${dayLabel(dates[i] ?? '')}</text>`,
  );
  const middle = TOP + PLOT_H / 2;
  const labels = html`<text class="label" x="${LEFT + PLOT_W / 2}" y="${HEIGHT - 6}" text-anchor="middle">${words.axisDay}</text><text class="label" x="14" y="${middle}" text-anchor="middle" transform="rotate(-90 14 ${middle})">${spec.yLabel}</text>`;
  return html`<svg class="chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" aria-labelledby="${spec.id}-t ${spec.id}-d"><title id="${spec.id}-t">${spec.title}</title><desc id="${spec.id}-d">${description}</desc>${grid}<g>${plot}</g>${axes}${days}${labels}</svg>`;
};

/** The key of a chart of several lines: each series' label beside its line's colour and dashes (none for one series). */
export const chartKey = (series: readonly Series[]) =>
  series.length > 1
    ? html`<ul class="chart-key">${series.map((s, n) => html`<li><svg viewBox="0 0 24 8" aria-hidden="true" focusable="false"><line class="line ${SERIES_CLASSES[n % SERIES_CLASSES.length] ?? 's0'}" x1="0" y1="4" x2="24" y2="4"/></svg>${s.label}</li>`)}</ul>`
    : '';

/** One chart: its heading, the image, a key for several lines, and its numbers as a table. */
const chartSection = (spec: ChartSpec, dates: readonly string[], locale: { dates: string }, words: Words, period: { from: string; to: string }): Html => {
  const dayLabel = (date: string) => formatDate(locale.dates, date, { day: 'numeric', month: 'short' });
  const fullDay = (date: string) => formatDate(locale.dates, date, { dateStyle: 'medium' });
  const totals = spec.series.map((s) => `${s.label} ${spec.format(s.values.reduce((a, b) => a + b, 0))}`).join(', ');
  const description = fill(words.describe, { title: spec.title, from: period.from, to: period.to, totals });
  const key = chartKey(spec.series);
  const table = html`<table class="chart-table"><caption>${spec.title}</caption><thead><tr><th scope="col">${words.day}</th>${spec.series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead><tbody>${dates.map(
    (date, i) => html`<tr><th scope="row">${fullDay(date)}</th>${spec.series.map((s) => html`<td>${spec.format(s.values[i] ?? 0)}</td>`)}</tr>`,
  )}</tbody></table>`;
  return html`<section class="dashboard-chart" aria-labelledby="${spec.id}-h"><h2 id="${spec.id}-h">${spec.title}</h2>${chartSvg(spec, dates, dayLabel, description, words)}${key}<details class="chart-data"><summary>${words.table}</summary>${table}</details></section>`;
};

const sum = (days: readonly DashboardDay[], pick: (day: DashboardDay) => number) => days.reduce((n, d) => n + pick(d), 0);

/**
 * The dashboard as the HTML the console's page embeds, in `lang`: the period, its totals, a chart per series (the
 * mailing list; gifts; money raised and refunded per currency; one-time against monthly; active monthly gifts),
 * each with a table of its numbers, and the campaigns' totals for the period.
 */
export const dashboardSections = (data: Dashboard, lang: Language | string | undefined): Html => {
  const messages = messagesOf(lang);
  const words = messages.dashboard;
  const locale = messages.locale;
  const number = (n: number) => new Intl.NumberFormat(locale.numbers).format(n);
  const money = (currency: string) => (n: number) => formatAmount(locale.numbers, n, currency);
  const period = { from: formatDate(locale.dates, data.from), to: formatDate(locale.dates, data.to) };
  const dates = data.days.map((d) => d.date);
  const series = (label: string, pick: (day: DashboardDay) => number): Series => ({ label, values: data.days.map(pick) });
  const currencies = [...new Set(data.days.flatMap((d) => [...Object.keys(d.raised), ...Object.keys(d.refunded)]))].sort();
  const counts = words.axisNumber;

  const charts: ChartSpec[] = [
    {
      id: 'chart-list',
      title: words.list,
      kind: 'line',
      yLabel: counts,
      format: number,
      series: [
        series(words.signups, (d) => d.signups),
        series(words.confirmations, (d) => d.confirmations),
        series(words.unsubscribes, (d) => d.unsubscribes),
        series(words.bounces, (d) => d.bounces),
        series(words.complaints, (d) => d.complaints),
      ],
    },
    { id: 'chart-gifts', title: words.gifts, kind: 'bar', yLabel: counts, format: number, series: [series(words.gifts, (d) => d.gifts)] },
    ...currencies.flatMap((currency): ChartSpec[] => {
      const code = currency.toUpperCase();
      const yLabel = fill(words.axisAmount, { currency: code });
      return [
        { id: `chart-raised-${currency}`, title: fill(words.raised, { currency: code }), kind: 'bar', yLabel, format: money(currency), series: [series(fill(words.raised, { currency: code }), (d) => d.raised[currency] ?? 0)] },
        { id: `chart-refunded-${currency}`, title: fill(words.refunded, { currency: code }), kind: 'bar', yLabel, format: money(currency), series: [series(fill(words.refunded, { currency: code }), (d) => d.refunded[currency] ?? 0)] },
      ];
    }),
    {
      id: 'chart-frequency',
      title: words.frequency,
      kind: 'line',
      yLabel: counts,
      format: number,
      series: [series(words.once, (d) => d.giftsOnce), series(words.monthly, (d) => d.giftsMonthly)],
    },
    { id: 'chart-active-monthly', title: words.activeMonthly, kind: 'line', yLabel: counts, format: number, series: [series(words.activeMonthly, (d) => d.activeMonthly)] },
  ];

  const totals: [string, string][] = [
    [words.signups, number(sum(data.days, (d) => d.signups))],
    [words.confirmations, number(sum(data.days, (d) => d.confirmations))],
    [words.unsubscribes, number(sum(data.days, (d) => d.unsubscribes))],
    [words.gifts, number(sum(data.days, (d) => d.gifts))],
    ...currencies.map((c): [string, string] => [fill(words.raised, { currency: c.toUpperCase() }), money(c)(sum(data.days, (d) => d.raised[c] ?? 0))]),
    [words.activeMonthly, number(data.days.at(-1)?.activeMonthly ?? 0)],
  ];

  const campaignIds = [...new Set(data.days.flatMap((d) => Object.keys(d.campaigns)))].sort();
  const campaignMoney = (id: string, field: 'raised' | 'refunded') => {
    const byCurrency: Record<string, number> = {};
    for (const day of data.days) for (const [c, n] of Object.entries(day.campaigns[id]?.[field] ?? {})) byCurrency[c] = (byCurrency[c] ?? 0) + n;
    return join(Object.entries(byCurrency).map(([c, n]) => money(c)(n)), html`<br>`);
  };
  const campaigns = campaignIds.length === 0
    ? html`<p class="muted">${words.noCampaigns}</p>`
    : html`<table class="chart-table"><caption>${words.campaigns}</caption><thead><tr><th scope="col">${words.campaign}</th><th scope="col">${words.gifts}</th><th scope="col">${words.raisedColumn}</th><th scope="col">${words.refundedColumn}</th></tr></thead><tbody>${campaignIds.map(
        (id) => html`<tr><th scope="row">${id}</th><td>${number(sum(data.days, (d) => d.campaigns[id]?.gifts ?? 0))}</td><td>${campaignMoney(id, 'raised')}</td><td>${campaignMoney(id, 'refunded')}</td></tr>`,
      )}</tbody></table>`;

  const totalsList = html`<section class="dashboard-totals" aria-labelledby="dashboard-totals-h"><h2 id="dashboard-totals-h">${words.totals}</h2><dl>${totals.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl></section>`;
  const noMoney = currencies.length === 0 && html`<p class="muted">${words.noMoney}</p>`;
  return html`<div class="dashboard"><p class="lead">${fill(words.period, period)}</p>${totalsList}${charts.map((spec) => chartSection(spec, dates, locale, words, period))}${noMoney}<section class="dashboard-chart" aria-labelledby="dashboard-campaigns-h"><h2 id="dashboard-campaigns-h">${words.campaigns}</h2>${campaigns}</section></div>`;
};
