import type { Campaign } from './model.js';
import { escapeHtml, page } from '../shared/html.js';
import { formatMoney, fractionDigits } from '../shared/money.js';

const donateLink = (base: string, campaign: Campaign, amount: number, frequency: 'once' | 'monthly') =>
  `${base}/v1/donate?${new URLSearchParams({ campaign: campaign.id, amount: String(amount), currency: campaign.currency, frequency })}`;

/** The plain donation page: suggested amounts as links, a custom amount, once or monthly; no JavaScript needed. */
export const donateChooserPage = (siteName: string, apiBaseUrl: string, campaign: Campaign, frequency: 'once' | 'monthly') => {
  const percent = campaign.goal > 0 ? Math.min(100, Math.round((campaign.raised / campaign.goal) * 100)) : 0;
  const amounts = (f: 'once' | 'monthly') =>
    campaign.suggestedAmounts
      .map((a) => `<li><a href="${escapeHtml(donateLink(apiBaseUrl, campaign, a, f))}">${escapeHtml(formatMoney(a, campaign.currency))}${f === 'monthly' ? ' a month' : ''}</a></li>`)
      .join('\n');
  const step = (1 / 10 ** fractionDigits(campaign.currency)).toString();
  return page(
    `Give to ${campaign.title}`,
    `<p>${escapeHtml(formatMoney(campaign.raised, campaign.currency))} raised of ${escapeHtml(formatMoney(campaign.goal, campaign.currency))} (${percent}%) from ${campaign.donors} donors.</p>
<h2>Give once</h2>
<ul class="amounts">
${amounts('once')}
</ul>
<h2>Give monthly</h2>
<ul class="amounts">
${amounts('monthly')}
</ul>
<h2>Another amount</h2>
<form method="get" action="${escapeHtml(`${apiBaseUrl}/v1/donate`)}">
<input type="hidden" name="campaign" value="${escapeHtml(campaign.id)}">
<input type="hidden" name="currency" value="${escapeHtml(campaign.currency)}">
<label for="custom_amount">Amount (${escapeHtml(campaign.currency.toUpperCase())})</label>
<input id="custom_amount" name="custom_amount" inputmode="decimal" required pattern="[0-9]+([.][0-9]+)?" step="${step}">
<fieldset>
<legend>How often</legend>
<label><input type="radio" name="frequency" value="once"${frequency === 'once' ? ' checked' : ''}> Once</label>
<label><input type="radio" name="frequency" value="monthly"${frequency === 'monthly' ? ' checked' : ''}> Every month</label>
</fieldset>
<p><button type="submit">Continue to payment</button></p>
</form>
<p class="muted">Gifts between ${escapeHtml(formatMoney(campaign.minAmount, campaign.currency))} and ${escapeHtml(formatMoney(campaign.maxAmount, campaign.currency))}. Payment is handled securely by Stripe.</p>`,
    siteName,
  );
};

export const donationThanksPage = (siteName: string, gift?: { amount: string; monthly: boolean; campaignTitle?: string | undefined }) =>
  page(
    'Thank you for your gift',
    gift
      ? `<p role="status">Your ${gift.monthly ? 'monthly ' : ''}gift of ${escapeHtml(gift.amount)}${gift.campaignTitle ? ` to ${escapeHtml(gift.campaignTitle)}` : ''} has been received. A receipt is on its way to your inbox.</p>`
      : `<p role="status">Your donation has been received. A receipt is on its way to your inbox.</p>`,
    siteName,
  );

export const donationErrorPage = (siteName: string, message: string, backUrl?: string) =>
  page(
    'We could not start your donation',
    `<p role="alert">${escapeHtml(message)}</p>${backUrl ? `\n<p><a href="${escapeHtml(backUrl)}">Choose an amount</a></p>` : ''}`,
    siteName,
  );
