// The donation banner, in a shadow root: the campaign's progress from GET /v1/campaigns/{id}, Once/Monthly, the
// newsletter opt-in, one button per suggested amount (POST /v1/donations/checkout, then Stripe Checkout), "Other
// amount" to the chooser page (GET /v1/donate, as without JavaScript). A closed campaign stops asking and shows its
// final total. A refusal shows in the banner.
import type { Language, WidgetMessages } from '../../functions/core/shared/i18n/index.js';
import { fill, formatAmount, formatCount } from '../../functions/core/shared/i18n/format.js';
import { type Campaign, loadCampaign, postJson } from './api.js';
import { focusedElement, h } from './dom.js';

export interface BannerContext {
  api: string;
  language: Language;
  messages: WidgetMessages;
  siteName: string;
}

const progressText = (c: Campaign, { language, messages }: BannerContext) => {
  const t = messages.banner;
  const values = {
    raised: formatAmount(language, c.raised, c.currency),
    goal: formatAmount(language, c.goal, c.currency),
    donors: formatCount(language, c.donors, t.donors),
    gifts: formatCount(language, c.donations, t.gifts),
  };
  const template = c.open ? (c.goal > 0 ? t.progress : t.progressNoGoal) : c.goal > 0 ? t.endedProgress : t.endedProgressNoGoal;
  return fill(template, values);
};

/** The banner's element, live: `update` shows fresher totals, or the ended banner once the campaign has closed. */
export const renderBanner = (c: Campaign, context: BannerContext): HTMLElement => {
  const { api, language, messages } = context;
  const t = messages.banner;

  const title = h('p', { id: 'appeal-banner-title', class: 'appeal-banner-title', tabindex: '-1' }, h('strong', {}, c.title), ` – ${t.ask}`);
  const bar = h('div', { class: 'appeal-progress-fill' });
  const label = h('p', { class: 'appeal-progress-label' });
  const progress = h('div', { class: 'appeal-progress', 'data-appeal-progress': true }, h('div', { class: 'appeal-progress-track', 'aria-hidden': 'true' }, bar), label);

  const radio = (value: 'once' | 'monthly', text: string) =>
    h('label', {}, h('input', { type: 'radio', name: 'frequency', value, checked: value === 'once' }), ` ${text}`);
  const amountButton = (amount: number) =>
    h('button', { type: 'submit', name: 'amount', value: String(amount) }, formatAmount(language, amount, c.currency), h('span', { class: 'appeal-per-month' }, ` ${t.perMonth}`));
  const status = h('p', { class: 'appeal-give-status', role: 'status' });
  const form = h(
    'form',
    { class: 'appeal-give', method: 'get', action: `${api}/v1/donate`, 'data-appeal-give': true },
    h('input', { type: 'hidden', name: 'campaign', value: c.id }),
    h('input', { type: 'hidden', name: 'currency', value: c.currency }),
    h('input', { type: 'hidden', name: 'lang', value: language }),
    // The form's default button, which Enter on a radio or the checkbox presses: it does nothing, never a gift.
    h('button', { type: 'submit', hidden: true, 'data-appeal-default': true }),
    h(
      'div',
      { class: 'appeal-options' },
      h('fieldset', { class: 'appeal-frequency' }, h('legend', {}, t.frequency), radio('once', t.once), radio('monthly', t.monthly)),
      h('label', { class: 'appeal-optin' }, h('input', { type: 'checkbox', name: 'subscribe', value: 'true' }), ` ${fill(t.optIn, { site: context.siteName })}`),
    ),
    h(
      'div',
      { class: 'appeal-amounts', role: 'group', 'aria-label': t.amounts },
      ...c.suggestedAmounts.map(amountButton),
      // "Other amount": on a narrow screen only its first word shows (the button's name stays whole).
      h('button', { type: 'submit', class: 'appeal-other' }, t.otherShort, h('span', { class: 'appeal-wide' }, ` ${t.otherRest}`)),
    ),
    status,
  );
  const banner = h('aside', { class: 'appeal-banner', 'aria-labelledby': 'appeal-banner-title' }, title, progress, form);

  const showProgress = (campaign: Campaign) => {
    bar.style.width = `${campaign.goal > 0 ? Math.min(100, (campaign.raised / campaign.goal) * 100) : 0}%`;
    bar.classList.toggle('is-started', campaign.raised > 0);
    label.textContent = progressText(campaign, context);
  };
  // A closed campaign stops asking: no amount, no button, only its final total.
  const showEnded = (campaign: Campaign) => {
    const hadFocus = banner.contains(focusedElement());
    title.textContent = `${campaign.title} – ${t.ended}`;
    form.remove();
    banner.classList.add('is-ended');
    if (hadFocus) title.focus();
  };
  const update = (campaign: Campaign) => {
    if (!campaign.open) showEnded(campaign);
    showProgress(campaign);
  };
  const refresh = async () => {
    const campaign = await loadCampaign(api, c.id);
    if (campaign) update(campaign);
  };

  // Once/Monthly: the amounts say "a month"; the switch shows which is chosen (also where :has() is missing).
  const syncFrequency = () => {
    const monthly = form.querySelector<HTMLInputElement>('input[value="monthly"]')?.checked === true;
    form.classList.toggle('is-monthly', monthly);
    for (const input of Array.from(form.querySelectorAll<HTMLInputElement>('input[name="frequency"]'))) input.parentElement?.classList.toggle('is-checked', input.checked);
  };
  form.addEventListener('change', syncFrequency);
  syncFrequency();

  // While a checkout is being made, the buttons say so but keep focus (a disabled button would drop it).
  let busy = false;
  const buttons = () => form.querySelectorAll<HTMLButtonElement>('button[type="submit"]:not([data-appeal-default])');
  const setBusy = (value: boolean) => {
    busy = value;
    for (const button of Array.from(buttons())) {
      if (value) button.setAttribute('aria-disabled', 'true');
      else button.removeAttribute('aria-disabled');
    }
  };
  const say = (text: string, isError = false) => {
    status.textContent = text;
    status.classList.toggle('is-error', isError);
  };
  // Back from checkout, the browser may restore the page as it was left (busy): reset, and show the new total.
  window.addEventListener('pageshow', (event) => {
    setBusy(false);
    say('');
    if (event.persisted) void refresh();
  });

  form.addEventListener('submit', async (event) => {
    const submitter = event.submitter;
    if (busy || submitter?.hasAttribute('data-appeal-default')) {
      event.preventDefault();
      return;
    }
    const amount = submitter instanceof HTMLButtonElement && submitter.name === 'amount' ? Number(submitter.value) : undefined;
    if (amount === undefined) return; // "Other amount": the chooser page, as without JavaScript.
    event.preventDefault();
    const fields = new FormData(form);
    setBusy(true);
    say(t.opening);
    try {
      const { status: code, body, error } = await postJson(`${api}/v1/donations/checkout`, {
        campaign: c.id,
        amount,
        currency: c.currency,
        frequency: fields.get('frequency') === 'monthly' ? 'monthly' : 'once',
        subscribe: fields.get('subscribe') === 'true',
        lang: language,
      });
      if (code === 201 && typeof body.url === 'string') {
        window.location.assign(body.url);
        return;
      }
      // Closed while the page was open: read the campaign again, and the banner says it has ended.
      if (error?.code === 'invalid_campaign') void refresh();
      say(
        code === 429
          ? t.tooMany
          : error?.code === 'invalid_amount'
            ? t.amountRefused
            : language === 'en' && error?.message && code < 500
              ? error.message
              : messages.failed,
        true,
      );
    } catch {
      say(messages.offline, true);
    }
    setBusy(false);
  });

  update(c);
  return banner;
};
