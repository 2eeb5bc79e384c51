import type { Campaign } from './model.js';
import { type Brand, escapeHtml, homeButton, page, plural, toBrand } from '../shared/html.js';
import { formatMoney, fractionDigits } from '../shared/money.js';

/** Exact, without a needless ".00": $47.50 stays $47.50, $50,000.00 reads $50,000. */
export const exactMoney = (minor: number, currency: string) => {
  const whole = minor % 10 ** fractionDigits(currency) === 0;
  return whole
    ? new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase(), minimumFractionDigits: 0 }).format(minor / 10 ** fractionDigits(currency))
    : formatMoney(minor, currency);
};

/** "$25 raised of $50,000 goal · 1 donor", and a bar of the exact proportion (no rounding to whole percents). */
const progress = (campaign: Campaign, ended: boolean) => {
  const raised = exactMoney(campaign.raised, campaign.currency);
  const goal = exactMoney(campaign.goal, campaign.currency);
  const label = ended
    ? `<strong>${escapeHtml(raised)}</strong> raised of the ${escapeHtml(goal)} goal, from ${plural(campaign.donors, 'donor')} and ${plural(campaign.donations, 'gift')}.`
    : `<strong>${escapeHtml(raised)}</strong> raised of ${escapeHtml(goal)} goal · ${plural(campaign.donors, 'donor')}`;
  const bar = campaign.goal > 0 ? `\n<progress max="${campaign.goal}" value="${Math.min(campaign.raised, campaign.goal)}" aria-labelledby="progress-label"></progress>` : '';
  return `<p class="lead" id="progress-label">${label}</p>${bar}`;
};

/** What the chooser shows besides the campaign: the frequency picked, and what came back from a failed try. */
export interface ChooserState {
  frequency: 'once' | 'monthly';
  /** The custom amount as the donor typed it, kept when it is shown again with an error. */
  customAmount?: string | undefined;
  subscribe?: boolean | undefined;
  /** Why the last try was refused; about the amount unless `field` says otherwise. */
  error?: { message: string; field?: string | undefined } | undefined;
  /** The donor came back from Checkout without paying. */
  cancelled?: boolean | undefined;
}

/**
 * A closed campaign's page: it has ended, with its final total, and nothing to press but the way back to the site
 * (a closed campaign takes no gift, so no button may lead to an error).
 */
export const campaignEndedPage = (site: Brand | string, campaign: Campaign) =>
  page(
    'This appeal has ended',
    `<p class="lead" role="status">${escapeHtml(campaign.title)} is no longer taking gifts. Thank you to everyone who gave.</p>
${progress(campaign, true)}
${homeButton(site)}`,
    site,
  );

/**
 * The donation page, one form that works without JavaScript: how often, then a suggested amount (each a submit
 * button: one click goes to Checkout) or another amount, and an unticked newsletter opt-in that feeds the double
 * opt-in after payment. A closed campaign gets campaignEndedPage instead.
 */
export const donateChooserPage = (site: Brand | string, apiBaseUrl: string, campaign: Campaign, choice: ChooserState | 'once' | 'monthly') => {
  if (!campaign.open) return campaignEndedPage(site, campaign);
  const state: ChooserState = typeof choice === 'string' ? { frequency: choice } : choice;
  const { siteName } = toBrand(site);
  const currency = campaign.currency;
  const hasError = state.error !== undefined;
  const describedBy = `custom_amount-hint${hasError ? ' custom_amount-error' : ''}`;
  const radio = (value: 'once' | 'monthly', label: string) =>
    `<label class="choice"><input type="radio" name="frequency" value="${value}"${state.frequency === value ? ' checked' : ''}> ${label}</label>`;
  const amounts = campaign.suggestedAmounts
    .map((a) => `<button type="submit" name="amount" value="${a}" formnovalidate>${escapeHtml(exactMoney(a, currency))}</button>`)
    .join('\n');
  return page(
    `Give to ${campaign.title}`,
    `${progress(campaign, false)}
${state.cancelled ? '<div class="notice" role="status"><p>You cancelled your payment, and you have not been charged. You can choose again below.</p></div>\n' : ''}${hasError ? `<div class="alert" role="alert"><p><a href="#custom_amount">${escapeHtml(state.error?.message ?? '')}</a></p></div>\n` : ''}<form method="get" action="${escapeHtml(`${apiBaseUrl}/v1/donate`)}">
<button type="submit" class="default-submit" tabindex="-1" aria-hidden="true">Continue to payment</button>
<input type="hidden" name="campaign" value="${escapeHtml(campaign.id)}">
<input type="hidden" name="currency" value="${escapeHtml(currency)}">
<fieldset>
<legend>How often</legend>
<div class="options">
${radio('once', 'Once')}
${radio('monthly', 'Every month')}
</div>
</fieldset>
<fieldset>
<legend>Choose an amount</legend>
<div class="amounts">
${amounts}
</div>
</fieldset>
<div class="field">
<label for="custom_amount">Other amount (${escapeHtml(currency.toUpperCase())})</label>
<p class="hint" id="custom_amount-hint">From ${escapeHtml(exactMoney(campaign.minAmount, currency))} to ${escapeHtml(exactMoney(campaign.maxAmount, currency))}, for example ${fractionDigits(currency) === 0 ? '2500' : '25 or 12.50'}.</p>
${hasError ? `<p class="field-error" id="custom_amount-error">${escapeHtml(state.error?.message ?? '')}</p>\n` : ''}<div class="row">
<input id="custom_amount" name="custom_amount" inputmode="decimal" autocomplete="transaction-amount" maxlength="20" value="${escapeHtml((state.customAmount ?? '').slice(0, 20))}" aria-describedby="${describedBy}"${hasError ? ' aria-invalid="true" autofocus' : ''}>
<button type="submit">Continue to payment</button>
</div>
</div>
<div class="field">
<label class="choice"><input type="checkbox" name="subscribe" value="true"${state.subscribe ? ' checked' : ''}> <span>Also send me the ${escapeHtml(siteName)} newsletter by email. We will ask you to confirm first, and you can leave at any time.</span></label>
</div>
</form>
<p class="muted">Payment is handled securely by Stripe: we never see your card.${escapeHtml(` ${siteName}`)} will email you a receipt.</p>`,
    site,
    { titlePrefix: hasError ? 'Error:' : undefined },
  );
};

/**
 * What the page Checkout returns to knows about the session (see describeGift). Only a paid gift has a manage
 * link; the others say so in their type, so that `outcome.manageUrl` reads on any of them.
 */
export type GiftOutcome =
  | { status: 'paid'; amount: string; monthly: boolean; campaignTitle?: string | undefined; manageUrl?: string | undefined }
  | { status: 'processing'; amount: string; monthly: boolean; campaignTitle?: string | undefined; manageUrl?: undefined }
  | { status: 'unpaid'; chooseUrl?: string | undefined; campaignTitle?: string | undefined; manageUrl?: undefined }
  | { status: 'unknown' | 'unavailable'; manageUrl?: undefined };

type LegacyGift = { amount: string; monthly: boolean; campaignTitle?: string | undefined; manageUrl?: string | undefined };

/**
 * The page Checkout returns to. It thanks for a gift only once Stripe says the session is paid (a bank debit still
 * processing gets a page that says so and claims no receipt yet); an unpaid, unknown
 * or unreadable session gets a page that claims nothing.
 */
export const donationThanksPage = (site: Brand | string, outcome?: GiftOutcome | LegacyGift) => {
  const result: GiftOutcome = outcome === undefined ? { status: 'unknown' } : 'status' in outcome ? outcome : { status: 'paid', ...outcome };
  switch (result.status) {
    case 'paid':
      return page(
        'Thank you for your gift',
        `<p class="lead" role="status">Your ${result.monthly ? 'monthly ' : ''}gift of ${escapeHtml(result.amount)}${result.campaignTitle ? ` to ${escapeHtml(result.campaignTitle)}` : ''} has been received. A receipt is on its way to your inbox.</p>
${result.monthly && result.manageUrl ? `<p>You can change your card or stop your monthly gift at any time: <a href="${escapeHtml(result.manageUrl)}">manage your monthly gift</a>.</p>\n` : ''}${homeButton(site)}`,
        site,
      );
    case 'processing':
      return page(
        'Your payment is processing',
        `<p class="lead" role="status">Your ${result.monthly ? 'monthly ' : ''}gift of ${escapeHtml(result.amount)}${result.campaignTitle ? ` to ${escapeHtml(result.campaignTitle)}` : ''} is processing. We will email your receipt when your bank confirms the payment.</p>
<p>A bank payment can take a few working days to confirm.</p>
${homeButton(site)}`,
        site,
      );
    case 'unpaid':
      return page(
        'Your gift was not completed',
        `<p class="lead" role="status">We have not received a payment for this checkout${result.campaignTitle ? ` to ${escapeHtml(result.campaignTitle)}` : ''}, and you have not been charged.</p>
<p>If you meant to give, you can start again.</p>
<p class="actions">${result.chooseUrl ? `<a class="button" href="${escapeHtml(result.chooseUrl)}">Choose an amount</a>` : ''}${toBrand(site).siteUrl ? `<a class="button secondary" href="${escapeHtml(toBrand(site).siteUrl ?? '')}">Back to ${escapeHtml(toBrand(site).siteName)}</a>` : ''}</p>`,
        site,
      );
    case 'unavailable':
      return page(
        'We could not check your payment just now',
        `<p class="lead" role="status">If you completed your payment, a receipt will arrive in your inbox shortly.</p>
${homeButton(site)}`,
        site,
      );
    case 'unknown':
      return page(
        'We could not find this payment',
        `<p class="lead" role="status">This page does not know of a completed payment. If you completed one, a receipt will arrive in your inbox shortly.</p>
${homeButton(site)}`,
        site,
      );
  }
};

export const donationErrorPage = (site: Brand | string, message: string, backUrl?: string) =>
  page(
    'We could not start your donation',
    `<div class="alert" role="alert"><p>${escapeHtml(message)}</p></div>
<p>You have not been charged.</p>
<p class="actions">${backUrl ? `<a class="button" href="${escapeHtml(backUrl)}">Choose an amount</a>` : ''}${toBrand(site).siteUrl ? `<a class="button secondary" href="${escapeHtml(toBrand(site).siteUrl ?? '')}">Back to ${escapeHtml(toBrand(site).siteName)}</a>` : ''}</p>`,
    site,
    { titlePrefix: 'Error:' },
  );
