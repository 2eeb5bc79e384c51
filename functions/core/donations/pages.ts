import { APPEAL_DEFAULTS, type Campaign } from './model.js';
import type { GiftChoices, UpsellOffer } from './donate-link.js';
import { type FeeRate, grossUp } from './fees.js';
import type { Brand } from '../shared/brand.js';
import { homeButton, page } from '../shared/page-shell.js';
import { speech } from '../shared/words.js';
import { fillHtml, html, join } from '../shared/template.js';
import { formatAmount, formatCount } from '../shared/i18n/format.js';
import { formatMoney, fractionDigits } from '../shared/money.js';

/** Exact, without a needless ".00": $47.50 stays $47.50, $50,000.00 reads $50,000. */
export const exactMoney = (minor: number, currency: string) => {
  const whole = minor % 10 ** fractionDigits(currency) === 0;
  return whole
    ? new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase(), minimumFractionDigits: 0 }).format(minor / 10 ** fractionDigits(currency))
    : formatMoney(minor, currency);
};

/**
 * The page's donation messages and its figures, with speech's `say` and `sayHtml`; `banner`, the words the embed's
 * donation banner says too (how often, once, the donors and gifts counted), read from its section of the catalogue.
 */
const words = (site: Brand) => {
  const { lang, t, say, sayHtml } = speech(site);
  const locale = t.locale.numbers;
  return {
    lang,
    m: t.donations,
    banner: t.widget.banner,
    say,
    sayHtml,
    /** An amount, exact; in English as exactMoney writes it ("$47.50", "$50,000"). */
    money: (minor: number, currency: string) => (lang === 'en' ? exactMoney(minor, currency) : formatAmount(locale, minor, currency)),
    count: (n: number, forms: Parameters<typeof formatCount>[2]) => formatCount(locale, n, forms),
    /** A form of ours sends the page's language, so that the next page (and the gift) speaks it. */
    hiddenLang: html`<input type="hidden" name="lang" value="${lang}">\n`,
  };
};

/** "$25 raised of $50,000 goal · 1 donor", and a bar of the exact proportion (no rounding to whole percents). */
const progress = (site: Brand, campaign: Campaign, ended: boolean) => {
  const { m, banner, sayHtml, money, count } = words(site);
  const values = {
    raised: html`<strong>${money(campaign.raised, campaign.currency)}</strong>`,
    goal: money(campaign.goal, campaign.currency),
    donors: count(campaign.donors, banner.donors),
    gifts: count(campaign.donations, banner.gifts),
  };
  const label = sayHtml(ended ? m.endedProgress : m.progress, values);
  const bar = campaign.goal > 0 && html`\n<progress max="${campaign.goal}" value="${Math.min(campaign.raised, campaign.goal)}" aria-labelledby="progress-label"></progress>`;
  return html`<p class="lead" id="progress-label">${label}</p>${bar}`;
};

/** What the chooser shows besides the campaign: the frequency picked, and what came back from a failed try. */
export interface ChooserState {
  /** The frequency picked; the campaign's `defaultFrequency` (monthly-first or not) when none was. */
  frequency?: 'once' | 'monthly' | undefined;
  /** The custom amount as the donor typed it, kept when it is shown again with an error. */
  customAmount?: string | undefined;
  subscribe?: boolean | undefined;
  /**
   * The charity that claims Gift Aid on this campaign's gifts (a GBP campaign on a site that claims it): the chooser
   * offers HMRC's declaration in its name. No box when unset.
   */
  giftAidCharity?: string | undefined;
  /** The Gift Aid box was ticked. */
  giftAid?: boolean | undefined;
  /** Why the last try was refused; about the amount unless `field` says otherwise. */
  error?: { message: string; field?: string | undefined } | undefined;
  /** The donor came back from Checkout without paying. */
  cancelled?: boolean | undefined;
  /** Where the reader came from (the link's attribution fields): the form carries them on to the checkout. */
  attribution?: Record<string, string> | undefined;
  /** The "cover the fee" box, the dedication and the anonymous box, as sent (shown again with an error). */
  coverFee?: boolean | undefined;
  tributeType?: string | undefined;
  tributeName?: string | undefined;
  anonymous?: boolean | undefined;
}

/**
 * A closed campaign's page: it has ended, with its final total, and nothing to press but the way back to the site
 * (a closed campaign takes no gift, so no button may lead to an error).
 */
export const campaignEndedPage = (site: Brand, campaign: Campaign) => {
  const { m, sayHtml } = words(site);
  return page(
    m.ended.title,
    html`<p class="lead" role="status">${sayHtml(m.ended.lead, { campaign: campaign.title })}</p>
${progress(site, campaign, true)}
${homeButton(site)}`,
    site,
  );
};

/**
 * Why a gift was refused, in the page's language. The API words its errors in English (the contract's JSON, for
 * developers); a page in another language says it in the reader's words: an amount outside the campaign's range
 * with that range in their notation, an amount we could not read with an example of one we can.
 */
const problemOf = (site: Brand, message: string, amountRange?: { campaign: Campaign } | undefined) => {
  const { lang, m, money } = words(site);
  if (lang === 'en') return html`${message}`;
  if (!amountRange) return html`${m.problems.fallback}`;
  const { currency, minAmount, maxAmount } = amountRange.campaign;
  // checkGift's refusal names the range ("between …"); parseMajorAmount's asks for another way of writing it.
  if (!/\bbetween\b/.test(message)) {
    return fillHtml(m.problems.format, { example: fractionDigits(currency) === 0 ? m.chooser.exampleWhole : m.chooser.example });
  }
  return fillHtml(m.problems.amount, { min: money(minAmount, currency), max: money(maxAmount, currency) });
};

/** The hidden fields that carry the chooser's other choices through the monthly ask to Checkout. */
const choiceFields = (choices: GiftChoices) =>
  html`${choices.subscribe && html`<input type="hidden" name="subscribe" value="true">
`}${choices.coverFee && html`<input type="hidden" name="cover_fee" value="true">
`}${
    choices.tribute && html`<input type="hidden" name="tribute_type" value="${choices.tribute.type}">
<input type="hidden" name="tribute_name" value="${choices.tribute.name}">
`
  }${choices.anonymous && html`<input type="hidden" name="anonymous" value="true">
`}${choices.giftAid && html`<input type="hidden" name="gift_aid" value="true">
`}`;

/**
 * The donation page, one form that works without JavaScript: how often; the unticked "cover the fee" box (where the
 * currency has a fee: `fee`), naming the exact extra on each suggested amount; a suggested amount (each a submit
 * button: one click goes to Checkout) or another amount; an optional dedication (in honour or in memory of a name)
 * and the anonymous box; and an unticked newsletter opt-in that feeds the double opt-in after payment. The choices
 * that change what is charged come before the amounts that submit. A closed campaign gets campaignEndedPage
 * instead. In the language of `site`, which the form carries on (a hidden `lang`) to Checkout and the pages after it.
 */
export const donateChooserPage = (site: Brand, apiBaseUrl: string, campaign: Campaign, choice: ChooserState | 'once' | 'monthly', fee?: FeeRate | undefined) => {
  if (!campaign.open) return campaignEndedPage(site, campaign);
  const state: ChooserState = typeof choice === 'string' ? { frequency: choice } : choice;
  const frequency = state.frequency ?? campaign.defaultFrequency ?? APPEAL_DEFAULTS.defaultFrequency;
  const { m, banner, say, sayHtml, money, hiddenLang } = words(site);
  const c = m.chooser;
  const currency = campaign.currency;
  const tributeProblem = state.error?.field === 'tribute_name';
  const problem = state.error ? (tributeProblem ? html`${c.tributeMissing}` : problemOf(site, state.error.message, { campaign })) : undefined;
  const hasError = problem !== undefined && !tributeProblem;
  const problemAt = tributeProblem ? 'tribute_name' : 'custom_amount';
  const describedBy = `custom_amount-hint${hasError ? ' custom_amount-error' : ''}`;
  const tributeType = state.tributeType ?? '';
  const tributeRadio = (value: '' | 'honour' | 'memory', label: string) =>
    html`<label class="choice"><input type="radio" name="tribute_type" value="${value}"${tributeType === value && html` checked`}> ${label}</label>`;
  const radio = (value: 'once' | 'monthly', label: string) =>
    html`<label class="choice"><input type="radio" name="frequency" value="${value}"${frequency === value && html` checked`}> ${label}</label>`;
  const amounts = join(
    campaign.suggestedAmounts.map((a) => html`<button type="submit" name="amount" value="${a}" formnovalidate>${money(a, currency)}</button>`),
    '\n',
  );
  const hint = sayHtml(c.hint, {
    min: money(campaign.minAmount, currency),
    max: money(campaign.maxAmount, currency),
    example: fractionDigits(currency) === 0 ? c.exampleWhole : c.example,
  });
  return page(
    say(c.title, { campaign: campaign.title }),
    html`${progress(site, campaign, false)}
${state.cancelled && html`<div class="notice" role="status"><p>${c.cancelled}</p></div>\n`}${problem && html`<div class="alert" role="alert"><p><a href="#${problemAt}">${problem}</a></p></div>\n`}<form method="get" action="${apiBaseUrl}/v1/donate">
<button type="submit" class="default-submit" tabindex="-1" aria-hidden="true">${c.continue}</button>
<input type="hidden" name="campaign" value="${campaign.id}">
<input type="hidden" name="currency" value="${currency}">
${hiddenLang}${join(Object.entries(state.attribution ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`), '')}<fieldset>
<legend>${banner.frequency}</legend>
<div class="options">
${radio('once', banner.once)}
${radio('monthly', c.monthly)}
</div>
</fieldset>
${fee && html`<div class="field">
<label class="choice"><input type="checkbox" name="cover_fee" value="true" aria-describedby="cover_fee-hint"${state.coverFee && html` checked`}> <span>${say(c.coverFee, { campaign: campaign.title })}</span></label>
<p class="hint" id="cover_fee-hint">${say(c.feeHint, { examples: campaign.suggestedAmounts.map((a) => `${money(a, currency)} + ${money(grossUp(a, fee) - a, currency)}`).join(', ') })}</p>
</div>
`}<fieldset>
<legend>${c.chooseAmount}</legend>
<div class="amounts">
${amounts}
</div>
</fieldset>
<div class="field">
<label for="custom_amount">${sayHtml(c.otherAmount, { currency: currency.toUpperCase() })}</label>
<p class="hint" id="custom_amount-hint">${hint}</p>
${hasError && html`<p class="field-error" id="custom_amount-error">${problem}</p>\n`}<div class="row">
<input id="custom_amount" name="custom_amount" inputmode="decimal" autocomplete="transaction-amount" maxlength="20" value="${(state.customAmount ?? '').slice(0, 20)}" aria-describedby="${describedBy}"${hasError && html` aria-invalid="true" autofocus`}>
<button type="submit">${c.continue}</button>
</div>
</div>
<fieldset>
<legend>${c.tribute}</legend>
<div class="options">
${tributeRadio('', c.tributeNone)}
${tributeRadio('honour', c.tributeHonour)}
${tributeRadio('memory', c.tributeMemory)}
</div>
<div class="field">
<label for="tribute_name">${c.tributeName}</label>
${tributeProblem && html`<p class="field-error" id="tribute_name-error">${problem}</p>\n`}<input id="tribute_name" name="tribute_name" autocomplete="off" maxlength="100" value="${(state.tributeName ?? '').slice(0, 100)}"${tributeProblem && html` aria-describedby="tribute_name-error" aria-invalid="true" autofocus`}>
</div>
</fieldset>
<div class="field">
<label class="choice"><input type="checkbox" name="anonymous" value="true"${state.anonymous && html` checked`}> <span>${c.anonymous}</span></label>
<label class="choice"><input type="checkbox" name="subscribe" value="true"${state.subscribe && html` checked`}> <span>${sayHtml(c.optIn)}</span></label>
</div>
${state.giftAidCharity !== undefined && giftAidBox(site, state.giftAidCharity, state.giftAid === true)}</form>
<p class="muted">${sayHtml(c.stripe)}</p>`,
    site,
    { titlePrefix: problem ? speech(site).t.page.errorPrefix : undefined },
  );
};

/**
 * HMRC's model Gift Aid declaration beside an unticked box (ticking it is the declaration), with what Gift Aid adds,
 * that Checkout will ask for the home address, and what the donor must tell the charity. Its wording is the version
 * GIFT_AID_DECLARATION_VERSION names, kept with each declaration.
 */
const giftAidBox = (site: Brand, charity: string, ticked: boolean) => {
  const { m, sayHtml } = words(site);
  const g = m.giftAid;
  return html`<fieldset class="gift-aid">
<legend>${g.title}</legend>
<p>${g.boost}</p>
<label class="choice"><input type="checkbox" name="gift_aid" value="true"${ticked && html` checked`}> <span>${sayHtml(g.declaration, { charity })}</span></label>
<p class="hint">${g.address}</p>
<p class="hint">${g.notify}</p>
</fieldset>
`;
};

/**
 * The Gift Aid link from a receipt, opened: what cancelling does, and a button that posts (a GET changes nothing:
 * mail scanners follow links). Shows nothing about the donor.
 */
export const giftAidCancelPromptPage = (site: Brand, action: string, charity: string) => {
  const { m, sayHtml } = words(site);
  const g = m.giftAid;
  return page(
    g.cancelTitle,
    html`<p class="lead">${sayHtml(g.cancelLead, { charity })}</p>
<form method="post" action="${action}">
<p class="actions"><button type="submit">${g.cancelButton}</button></p>
</form>`,
    site,
  );
};

/** After a cancellation: gifts from now on are not claimed, those before still may be. */
export const giftAidCancelledPage = (site: Brand) => {
  const { m, sayHtml } = words(site);
  return page(m.giftAid.cancelledTitle, html`<p class="lead" role="status">${sayHtml(m.giftAid.cancelled)}</p>\n${homeButton(site)}`, site);
};

/**
 * The monthly ask, between a one-time amount chosen and Checkout: two buttons of equal weight, one to give the
 * campaign's monthly amount instead, one to keep the one-time gift as chosen, each going straight on to Checkout
 * with everything else the donor chose. Works without JavaScript (two forms, GET, as the chooser).
 */
export const upsellPage = (site: Brand, apiBaseUrl: string, offer: UpsellOffer) => {
  const { m, sayHtml, say, money, hiddenLang } = words(site);
  const u = m.upsell;
  const { campaign } = offer;
  const values = { amount: money(offer.amount, campaign.currency), monthly: money(offer.monthly, campaign.currency), campaign: campaign.title };
  const common = html`<input type="hidden" name="campaign" value="${campaign.id}">
<input type="hidden" name="currency" value="${campaign.currency}">
${hiddenLang}${choiceFields(offer)}`;
  // The accepted offer says where it came from (the attribution's `component`, where the API records it).
  return page(
    u.title,
    html`<p class="lead">${sayHtml(u.lead, values)}</p>
<form method="get" action="${apiBaseUrl}/v1/donate">
${common}<input type="hidden" name="frequency" value="monthly">
<input type="hidden" name="component" value="upsell">
<p><button type="submit" name="amount" value="${offer.monthly}">${say(u.accept, values)}</button></p>
</form>
<form method="get" action="${apiBaseUrl}/v1/donate">
${common}<input type="hidden" name="frequency" value="once">
<input type="hidden" name="upsell" value="declined">
<p><button type="submit" name="amount" value="${offer.amount}">${say(u.keep, values)}</button></p>
</form>
<p class="muted">${sayHtml(m.chooser.stripe)}</p>`,
    site,
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

/** Both ways back after a gift that did not happen: the chooser again (when known) and the site. */
const waysBack = (site: Brand, chooseUrl: string | undefined, label: string) => {
  const { say } = words(site);
  return html`<p class="actions">${chooseUrl && html`<a class="button" href="${chooseUrl}">${label}</a>`}${site.siteUrl && html`<a class="button secondary" href="${site.siteUrl}">${say(speech(site).t.page.backTo, { site: site.siteName })}</a>`}</p>`;
};

/**
 * The page Checkout returns to. It thanks for a gift only once Stripe says the session is paid (a bank debit still
 * processing gets a page that says so and claims no receipt yet); an unpaid, unknown
 * or unreadable session gets a page that claims nothing. The amount comes written in the page's language (thanks.ts: giftAmount).
 */
export const donationThanksPage = (site: Brand, result: GiftOutcome = { status: 'unknown' }) => {
  const { m, sayHtml } = words(site);
  const t = m.thanks;
  switch (result.status) {
    case 'paid':
    case 'processing': {
      const paid = result.status === 'paid';
      const to = result.campaignTitle !== undefined && result.campaignTitle !== '';
      const key = `${paid ? 'paid' : 'processing'}${result.monthly ? 'Monthly' : ''}${to ? 'To' : ''}` as const;
      const lead = sayHtml(t[key], { amount: result.amount, campaign: result.campaignTitle ?? '' });
      if (!paid) return page(t.processingTitle, html`<p class="lead" role="status">${lead}</p>\n<p>${t.bankDays}</p>\n${homeButton(site)}`, site);
      return page(
        t.paidTitle,
        html`<p class="lead" role="status">${lead}</p>
${result.monthly && result.manageUrl && html`<p>${t.manage} <a href="${result.manageUrl}">${t.manageLink}</a>.</p>\n`}${homeButton(site)}`,
        site,
      );
    }
    case 'unpaid':
      return page(
        t.unpaidTitle,
        html`<p class="lead" role="status">${result.campaignTitle ? sayHtml(t.unpaidTo, { campaign: result.campaignTitle }) : t.unpaid}</p>
<p>${t.startAgain}</p>
${waysBack(site, result.chooseUrl, m.chooser.chooseAmount)}`,
        site,
      );
    case 'unavailable':
      return page(t.unavailableTitle, html`<p class="lead" role="status">${t.unavailable}</p>\n${homeButton(site)}`, site);
    case 'unknown':
      return page(t.unknownTitle, html`<p class="lead" role="status">${t.unknown}</p>\n${homeButton(site)}`, site);
  }
};

/**
 * A donation link we could not follow (an unknown campaign, a hand-made link): the problem (in the reader's words
 * when the page is not English), that nothing was charged, and the way back to the chooser when there is one.
 */
export const donationErrorPage = (site: Brand, message: string, backUrl?: string) => {
  const { m } = words(site);
  return page(
    m.error.title,
    html`<div class="alert" role="alert"><p>${problemOf(site, message)}</p></div>
<p>${m.error.notCharged}</p>
${waysBack(site, backUrl, m.chooser.chooseAmount)}`,
    site,
    { titlePrefix: speech(site).t.page.errorPrefix },
  );
};
