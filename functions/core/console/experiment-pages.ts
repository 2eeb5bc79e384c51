import type { Campaign } from '../donations/model.js';
import { chartKey, chartSvg, type ChartSpec } from '../dashboard/charts.js';
import { CONTROL, type Experiment, type Variant } from '../experiments/model.js';
import { VERDICT_RULE } from '../experiments/stats.js';
import type { Brand } from '../shared/brand.js';
import { formatAmount, formatDate } from '../shared/i18n/format.js';
import { html } from '../shared/template.js';
import { type ExperimentView, isRunning } from './experiments.js';
import { csrf, layout, type Viewer, when, words } from './pages.js';

const pageWords = (site: Brand) => {
  const w = words(site);
  const { lang, t } = w;
  const number = (n: number) => new Intl.NumberFormat(lang).format(n);
  const percent = (x: number) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: x < 0.1 ? 2 : 1 }).format(x);
  const money = (currency: string) => (minor: number) => formatAmount(t.locale.numbers, minor, currency);
  return { ...w, k: w.c.experiments, number, percent, money };
};

/** The variant's name as the page shows it: its id, and for the control what it is. */
const variantName = (site: Brand, id: string) => (id === CONTROL ? words(site).say(words(site).c.experiments.controlName, { id }) : id);

const kept = (experiment: Experiment) => experiment.variants.find((v) => v.weight > 0);

/** `/admin/experiments`: each campaign with variants, whether its experiment runs, and a link to its results. */
export const experimentsPage = (site: Brand, viewer: Viewer, entries: { campaign: Campaign; experiment: Experiment }[]) => {
  const { k, say, t, c, number } = pageWords(site);
  const rows = entries.map(({ campaign, experiment }) => {
    const state = isRunning(experiment) ? k.running : say(k.ended, { variant: kept(experiment)?.id ?? CONTROL });
    const allocation = experiment.allocation === 'thompson' ? k.allocationThompson : k.allocationWeights;
    return html`<tr><th scope="row"><a href="/admin/experiments/${campaign.id}">${say(k.open, { title: campaign.title })}</a><br><span class="mono muted">${campaign.id}</span></th>
<td>${state}${campaign.open ? '' : html`<br><span class="muted">${c.campaigns.closed}</span>`}</td><td>${number(experiment.variants.length)}</td><td>${allocation}</td><td>${when(site, experiment.since)}</td></tr>`;
  });
  const table = entries.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.dashboard.campaign}</th><th scope="col">${c.campaigns.state}</th><th scope="col">${k.variants}</th><th scope="col">${k.allocation}</th><th scope="col">${k.since}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`
    : html`<p>${k.none}</p>`;
  return layout(site, c.nav.experiments, html`<p>${k.intro}</p>\n${table}`, viewer, 'experiments');
};

/** The verdict of the results module in the page's language, with the numbers it rests on. */
const verdictSentence = (site: Brand, view: ExperimentView) => {
  const { k, say, percent, number } = pageWords(site);
  const { verdict, arms, variants } = view;
  const control = arms.find((arm) => arm.id === CONTROL);
  const rate = (arm: { gifts: number; views: number } | undefined) => percent(arm && arm.views > 0 ? arm.gifts / arm.views : 0);
  switch (verdict.kind) {
    case 'winner': {
      const best = arms.find((arm) => arm.id === verdict.variant);
      const p = variants.find((v) => v.id === verdict.variant)?.probabilityBeatsControl ?? 0;
      return say(k.verdictWinner, { variant: verdict.variant ?? '', rate: rate(best), control: rate(control), chance: percent(Math.min(p, 0.999)) });
    }
    case 'control-wins':
      return arms.length > 2 ? k.verdictControlAll : say(k.verdictControl, { variant: verdict.variant ?? '' });
    case 'not-enough-data': {
      const fewest = arms.reduce((min, arm) => (arm.views < min.views ? arm : min));
      const gifts = arms.reduce((sum, arm) => sum + arm.gifts, 0);
      return say(k.verdictNotEnough, {
        views: number(VERDICT_RULE.minViewsPerVariant),
        gifts: number(VERDICT_RULE.minGiftsPerComparison),
        fewestViews: number(fewest.views),
        fewest: fewest.id,
        giftsSoFar: number(gifts),
      });
    }
    default:
      return arms.length < 2 ? k.verdictNone : verdict.variant ? say(k.verdictNoDifferenceWorse, { variant: verdict.variant }) : k.verdictNoDifference;
  }
};

/** What a variant shows, in a few words: its own headline, ask, amounts and frequency, or the campaign's. */
const variantSummary = (site: Brand, variant: Variant | undefined, currency: string) => {
  const { k, money } = pageWords(site);
  if (!variant || variant.id === CONTROL) return k.ownAppeal;
  const parts = [variant.headline && `“${variant.headline}”`, variant.ask && `“${variant.ask}”`, variant.amounts?.map(money(currency)).join(', '), variant.frequency && words(site).t.dashboard[variant.frequency === 'monthly' ? 'monthly' : 'once']];
  return parts.filter(Boolean).join(' · ') || k.ownAppeal;
};

/**
 * `/admin/experiments/{campaign}`: the verdict in a sentence, each variant's numbers with their 95 % intervals and its
 * chance of beating the control, the cumulative revenue per 1,000 views per variant as a chart with its table, and
 * the two changes an editor may make: end the experiment keeping one variant, and let the allocation follow the results.
 */
export const experimentPage = (site: Brand, viewer: Viewer, view: ExperimentView) => {
  const { k, t, say, number, percent, money } = pageWords(site);
  const { campaign, experiment } = view;
  const amount = money(campaign.currency);
  const unknown = k.unknown;
  const rows = view.variants.map((v) => {
    const conversion = v.views > 0 ? say(k.interval, { value: percent(v.conversion.rate), low: percent(v.conversion.low), high: percent(v.conversion.high) }) : unknown;
    const rpm = v.views > 0 && v.rpm.low !== null && v.rpm.high !== null ? say(k.interval, { value: amount(v.rpm.value), low: amount(v.rpm.low), high: amount(v.rpm.high) }) : v.views > 0 ? amount(v.rpm.value) : unknown;
    const beats = v.id === CONTROL ? '–' : v.probabilityBeatsControl === undefined ? unknown : percent(v.probabilityBeatsControl);
    return html`<tr><th scope="row">${variantName(site, v.id)}<br><span class="muted">${variantSummary(site, v.variant, campaign.currency)}</span></th>
<td>${number(v.weight)}</td><td>${number(v.views)}</td><td>${number(v.clicks)}</td><td>${number(v.gifts)}</td><td>${amount(v.raised)}</td><td>${conversion}</td><td>${rpm}</td><td>${beats}</td></tr>`;
  });
  const results = html`<div class="table-wrap"><table>
<caption>${k.resultsTitle}</caption>
<thead><tr><th scope="col">${k.variant}</th><th scope="col">${k.weight}</th><th scope="col">${k.views}</th><th scope="col">${k.clicks}</th><th scope="col">${t.dashboard.gifts}</th><th scope="col">${t.dashboard.raisedColumn}</th><th scope="col">${k.conversion}</th><th scope="col">${k.rpm}</th><th scope="col">${k.beats}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>`;

  const { days, series } = view.history;
  const dashboard = t.dashboard;
  const chartTitle = k.chartTitle;
  const spec: ChartSpec = {
    id: 'chart-rpm',
    title: chartTitle,
    kind: 'line',
    yLabel: say(k.chartAxis, { currency: campaign.currency.toUpperCase() }),
    format: amount,
    // Before a variant's first view there is nothing to draw: the line starts at 0 there, and the table says so.
    series: series.map((s) => ({ label: s.id, values: s.values.map((value) => value ?? 0) })),
  };
  const dayLabel = (date: string) => formatDate(t.locale.dates, date, { day: 'numeric', month: 'short' });
  const fullDay = (date: string) => formatDate(t.locale.dates, date, { dateStyle: 'medium' });
  const last = series.map((s) => `${s.id} ${s.values.at(-1) == null ? unknown : amount(s.values.at(-1) ?? 0)}`).join(', ');
  const description = say(k.chartDescribe, { title: chartTitle, from: fullDay(days[0] ?? ''), to: fullDay(days.at(-1) ?? ''), last });
  const chartTable = html`<table class="chart-table"><caption>${chartTitle}</caption><thead><tr><th scope="col">${dashboard.day}</th>${series.map((s) => html`<th scope="col">${s.id}</th>`)}</tr></thead><tbody>${days.map(
    (day, i) => html`<tr><th scope="row">${fullDay(day)}</th>${series.map((s) => html`<td>${s.values[i] == null ? '–' : amount(s.values[i] ?? 0)}</td>`)}</tr>`,
  )}</tbody></table>`;
  const chart = html`<section class="dashboard-chart" aria-labelledby="chart-rpm-h"><h2 id="chart-rpm-h">${chartTitle}</h2>${chartSvg(spec, days, dayLabel, description, dashboard)}${chartKey(spec.series)}<details class="chart-data"><summary>${dashboard.table}</summary>${chartTable}</details></section>`;

  const running = isRunning(experiment);
  const hidden = html`${csrf(viewer)}`;
  const end = running
    ? html`<h2>${k.endTitle}</h2>
<p>${k.endIntro}</p>
<form method="post" action="/admin/experiments/${campaign.id}/end">${hidden}
<div class="field"><label for="keep">${k.keepLabel}</label><select id="keep" name="keep">${experiment.variants
        .filter((v) => v.weight > 0)
        .map((v) => html`<option value="${v.id}"${v.id === view.verdict.variant && view.verdict.kind === 'winner' ? html` selected` : ''}>${variantName(site, v.id)}</option>`)}</select></div>
<p class="actions"><button type="submit" class="secondary">${k.endButton}</button></p>
</form>`
    : html`<div class="notice"><p>${say(k.endedNotice, { variant: variantName(site, kept(experiment)?.id ?? CONTROL) })}</p></div>`;
  const thompson = experiment.allocation === 'thompson';
  const allocation = html`<h2>${k.allocation}</h2>
<p>${k.allocationIntro}</p>
<p><strong>${thompson ? k.allocationThompson : k.allocationWeights}</strong></p>
<form method="post" action="/admin/experiments/${campaign.id}/allocation">${hidden}<input type="hidden" name="allocation" value="${thompson ? 'weights' : 'thompson'}"><p class="actions"><button type="submit" class="secondary">${thompson ? k.useWeights : k.follow}</button></p></form>`;

  return layout(
    site,
    say(k.pageTitle, { title: campaign.title }),
    html`<p>${say(k.countedSince, { date: when(site, experiment.since) })}</p>
<section aria-labelledby="verdict-h"><h2 id="verdict-h">${k.verdictTitle}</h2><p class="lead">${verdictSentence(site, view)}</p></section>
${results}
${chart}
${end}
${allocation}
<p class="actions"><a href="/admin/experiments">${k.back}</a></p>`,
    viewer,
    'experiments',
  );
};

/** `POST /admin/experiments/{campaign}/end` without its confirmation: the second step, naming the variant to keep. */
export const endExperimentPage = (site: Brand, viewer: Viewer, data: { campaign: Campaign; variant: Variant }) => {
  const { k, say } = pageWords(site);
  const { campaign, variant } = data;
  const name = variantName(site, variant.id);
  return layout(
    site,
    say(k.confirmTitle, { variant: name, title: campaign.title }),
    html`<div class="notice"><p>${say(k.confirmText, { variant: name, title: campaign.title })}</p></div>
<form method="post" action="/admin/experiments/${campaign.id}/end">${csrf(viewer)}<input type="hidden" name="keep" value="${variant.id}"><input type="hidden" name="confirm" value="yes">
<p class="actions"><button type="submit">${say(k.confirmButton, { variant: name })}</button> <a href="/admin/experiments/${campaign.id}">${k.cancel}</a></p>
</form>`,
    viewer,
    'experiments',
  );
};
