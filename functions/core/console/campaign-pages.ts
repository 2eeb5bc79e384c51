import { majorUnits } from '../admin/exports/csv.js';
import type { Campaign } from '../donations/model.js';
import type { Brand } from '../shared/brand.js';
import { formatAmount } from '../shared/i18n/format.js';
import { html, type Html } from '../shared/template.js';
import { CAMPAIGN_EDITOR } from './access.js';
import { hasRole } from './model.js';
import { csrf, layout, type Viewer, when, words } from './pages.js';

/** What the campaign form holds: as the editor typed it (amounts in major units, suggested amounts comma-separated). */
export interface CampaignFormValues {
  id: string;
  title: string;
  currency: string;
  goal: string;
  minAmount: string;
  maxAmount: string;
  suggested: string;
}

/** A problem with what was posted: its words and, when known, the field it is about. */
export interface FormProblem {
  message: string;
  field?: string | undefined;
}

/** A stored campaign's settings as the form shows them: amounts in major units, as an editor reads them. */
export const campaignFormValues = (campaign: Campaign): CampaignFormValues => ({
  id: campaign.id,
  title: campaign.title,
  currency: campaign.currency,
  goal: majorUnits(campaign.goal, campaign.currency),
  minAmount: majorUnits(campaign.minAmount, campaign.currency),
  maxAmount: majorUnits(campaign.maxAmount, campaign.currency),
  suggested: campaign.suggestedAmounts.map((a) => majorUnits(a, campaign.currency)).join(', '),
});

const alert = (problem: FormProblem | undefined) => problem && html`<div class="alert" role="alert"><p>${problem.message}</p></div>\n`;

/** `/admin/campaigns`: every campaign with its progress; editing for fundraisers and above. */
export const campaignsPage = (site: Brand, viewer: Viewer, campaigns: Campaign[]) => {
  const { c, lang, t, say } = words(site);
  const k = c.campaigns;
  const canEdit = hasRole(viewer.editor.role, CAMPAIGN_EDITOR);
  const money = (minor: number, currency: string) => formatAmount(t.locale.numbers, minor, currency);
  const number = (n: number) => new Intl.NumberFormat(lang).format(n);
  const rows = campaigns.map((campaign) => {
    const percent = campaign.goal > 0 ? Math.min(100, Math.floor((campaign.raised / campaign.goal) * 100)) : 0;
    const progress = say(k.progress, { raised: money(campaign.raised, campaign.currency), goal: money(campaign.goal, campaign.currency) });
    return html`<tr><th scope="row">${campaign.title}<br><span class="mono muted">${campaign.id}</span></th>
<td>${campaign.open ? k.open : html`<strong>${k.closed}</strong>`}</td>
<td>${progress}<br><progress max="100" value="${percent}" aria-label="${say(k.progressLabel, { title: campaign.title, percent: String(percent) })}">${percent}%</progress></td>
<td>${number(campaign.donations)}</td><td>${number(campaign.donors)}</td><td>${when(site, campaign.updatedAt)}</td>
${canEdit ? html`<td><a href="/admin/campaigns/edit?id=${campaign.id}">${say(k.edit, { title: campaign.title })}</a></td>` : ''}</tr>`;
  });
  const table = campaigns.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">${t.dashboard.campaign}</th><th scope="col">${k.state}</th><th scope="col">${t.dashboard.raisedColumn}</th><th scope="col">${k.gifts}</th><th scope="col">${k.donors}</th><th scope="col">${k.updated}</th>${canEdit ? html`<th scope="col">${c.editors.actions}</th>` : ''}</tr></thead>
<tbody>
${rows}
</tbody></table></div>`
    : html`<p>${k.none}</p>`;
  return layout(
    site,
    c.nav.campaigns,
    html`<p>${canEdit ? k.intro : k.introReadOnly}</p>
${canEdit ? html`<p class="actions"><a class="button" href="/admin/campaigns/edit">${k.new}</a></p>\n` : ''}${table}`,
    viewer,
    'campaigns',
  );
};

const field = (id: string, label: string, input: Html, hint?: string) =>
  html`<div class="field"><label for="${id}">${label}</label>${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}${input}</div>`;

/**
 * `/admin/campaigns/edit`: a new campaign (its id and currency chosen once) or an existing one's settings (its
 * currency shown, not offered: it is fixed once created). An existing campaign also offers closing it (which asks
 * again on a page of its own) or, when closed, reopening it: saving the settings never changes whether it takes gifts.
 */
export const campaignFormPage = (
  site: Brand,
  viewer: Viewer,
  form: { campaign?: Campaign | undefined; values?: CampaignFormValues | undefined; currencies: readonly string[]; problem?: FormProblem | undefined },
) => {
  const { c, say, t } = words(site);
  const k = c.campaigns;
  const { campaign } = form;
  const values = form.values ?? (campaign ? campaignFormValues(campaign) : { id: '', title: '', currency: form.currencies[0] ?? '', goal: '', minAmount: '', maxAmount: '', suggested: '' });
  const invalid = (name: string) => (form.problem?.field === name ? html` aria-invalid="true"` : '');
  const described = (name: string) => html` aria-describedby="${name}-hint"`;
  const text = (name: keyof CampaignFormValues, extra: Html | string = '') =>
    html`<input id="${name}" name="${name}" value="${values[name]}"${invalid(name)}${extra}>`;
  const currency = campaign
    ? html`<p id="currency"><strong>${campaign.currency.toUpperCase()}</strong> <span class="muted">${k.currencyFixed}</span></p>`
    : html`<select id="currency" name="currency"${invalid('currency')}${described('currency')}>${form.currencies.map(
        (code) => html`<option value="${code}"${code === values.currency ? html` selected` : ''}>${code.toUpperCase()}</option>`,
      )}</select>`;
  const fields = html`${campaign ? html`<input type="hidden" name="id" value="${campaign.id}">` : field('id', k.id, text('id', html` required pattern="[a-z0-9][a-z0-9-]*"${described('id')}`), k.idHint)}
${field('title', k.title, text('title', ' required maxlength="200"'))}
${campaign ? field('currency', k.currency, currency) : field('currency', k.currency, currency, k.currencyHint)}
${field('goal', k.goal, text('goal', html` inputmode="decimal" required${described('goal')}`), k.amountHint)}
${field('minAmount', k.min, text('minAmount', html` inputmode="decimal"${described('minAmount')}`), k.minHint)}
${field('maxAmount', k.max, text('maxAmount', html` inputmode="decimal"${described('maxAmount')}`), k.maxHint)}
${field('suggested', k.suggested, text('suggested', html` inputmode="decimal"${described('suggested')}`), k.suggestedHint)}`;
  const state =
    campaign &&
    (campaign.open
      ? html`<h2>${k.closeTitle}</h2>
<p>${k.closeIntro}</p>
<p class="actions"><a class="button secondary" href="/admin/campaigns/close?id=${campaign.id}">${say(k.close, { title: campaign.title })}</a></p>`
      : html`<h2>${k.reopenTitle}</h2>
<p>${k.reopenIntro}</p>
<form method="post" action="/admin/campaigns/reopen">${csrf(viewer)}<input type="hidden" name="id" value="${campaign.id}"><p class="actions"><button type="submit" class="secondary">${say(k.reopen, { title: campaign.title })}</button></p></form>`);
  return layout(
    site,
    campaign ? say(k.editTitle, { title: campaign.title }) : k.new,
    html`${alert(form.problem)}${campaign && !campaign.open ? html`<div class="notice"><p>${k.isClosed}</p></div>\n` : ''}<form method="post" action="/admin/campaigns">${csrf(viewer)}<input type="hidden" name="mode" value="${campaign ? 'edit' : 'create'}">
${fields}
<p class="actions"><button type="submit">${campaign ? k.save : k.create}</button> <a href="/admin/campaigns">${k.back}</a></p>
</form>
${state}`,
    viewer,
    'campaigns',
    { titlePrefix: form.problem ? t.page.errorPrefix : undefined },
  );
};

/** `/admin/campaigns/close?id=`: the second step of closing, naming the campaign and what closing does. */
export const closeCampaignPage = (site: Brand, viewer: Viewer, campaign: Campaign) => {
  const { c, say } = words(site);
  const k = c.campaigns;
  return layout(
    site,
    say(k.confirmCloseTitle, { title: campaign.title }),
    html`<div class="notice"><p>${k.confirmCloseText}</p></div>
<form method="post" action="/admin/campaigns/close">${csrf(viewer)}<input type="hidden" name="id" value="${campaign.id}"><input type="hidden" name="confirm" value="yes">
<p class="actions"><button type="submit">${say(k.close, { title: campaign.title })}</button> <a href="/admin/campaigns/edit?id=${campaign.id}">${k.keepOpen}</a></p>
</form>`,
    viewer,
    'campaigns',
  );
};
