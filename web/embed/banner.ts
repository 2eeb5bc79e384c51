// The donation banner, in a shadow root: one variant of the campaign's appeal (drawn per page view), its progress
// from GET /v1/campaigns/{id}, Once/Monthly (the campaign's default first), the newsletter opt-in, one button per
// amount. An amount leads, when the campaign asks for them, to the monthly ask (one tap to accept, one to keep the
// one-time gift) and to the "cover the fees" box (unticked, naming the exact extra), then to Stripe Checkout: on
// Stripe's page, or in a dialog on this one (data-checkout="embedded"). "Other amount" goes to the chooser page
// (GET /v1/donate, as without JavaScript). "Remind me later" asks for an email and a date (POST /v1/reminders). A
// view (at least half the banner in sight for a second) and the first amount chosen are counted by beacon. A browser
// that gave is thanked instead of asked; a closed campaign shows its final total; a refusal shows in the banner.
import type { Language, WidgetMessages } from '../../functions/core/shared/i18n/index.js';
import { fill, formatDate } from '../../functions/core/shared/i18n/format.js';
import { attribution, type Campaign, type Frequency, loadCampaign, postJson, sendEvent, type Variant } from './api.js';
import { payInPage, STRIPE_JS } from './checkout.js';
import { focusedElement, h } from './dom.js';
import { count as formatCount, money } from './format.js';

export interface BannerContext {
  api: string;
  language: Language;
  messages: WidgetMessages;
  siteName: string;
  /** Stripe Checkout on its own page (the default) or in a dialog on this one. */
  checkout: 'redirect' | 'embedded';
}

export interface BannerState {
  variant: Variant;
  /** This browser gave lately: thank, do not ask. */
  thanked: boolean;
  /** The close button: the banner is hidden (and remembered as closed). */
  onClose: () => void;
  /** A gift was paid without leaving the page. */
  onGave: () => void;
}

const progressText = (c: Campaign, { language, messages }: BannerContext) => {
  const t = messages.banner;
  const values = {
    raised: money(language, c.raised, c.currency),
    goal: money(language, c.goal, c.currency),
    donors: formatCount(language, c.donors, t.donors),
    gifts: formatCount(language, c.donations, t.gifts),
  };
  const template = c.open ? (c.goal > 0 ? t.progress : t.progressNoGoal) : c.goal > 0 ? t.endedProgress : t.endedProgressNoGoal;
  return fill(template, values);
};

/**
 * The donor pays `total = ceil((amount + fixed) / (1 − rate))` to cover the fee (API.md): the extra is the difference.
 * Worked in millionths (a rate has at most 6 decimals), as integers, so that it is the API's total to the cent: a
 * float `1 − rate` could put a quotient that is a whole number just above it.
 */
export const feeExtra = (amount: number, fee: { rate: number; fixed: number }): number =>
  Math.ceil(((amount + fee.fixed) * 1e6) / (1e6 - Math.round(fee.rate * 1e6))) - amount;

/** The reader's date a month from today (the last day of next month when it is shorter), as YYYY-MM-DD. */
export const nextMonth = (now: Date): string => {
  const last = new Date(Date.UTC(now.getFullYear(), now.getMonth() + 2, 0)).getUTCDate();
  return new Date(Date.UTC(now.getFullYear(), now.getMonth() + 1, Math.min(now.getDate(), last))).toISOString().slice(0, 10);
};

/** The banner's element, live: `update` shows fresher totals, or the ended banner once the campaign has closed. */
export const renderBanner = (c: Campaign, context: BannerContext, state: BannerState): HTMLElement => {
  const { api, language, messages } = context;
  const t = messages.banner;
  const { variant } = state;
  const amount$ = (minor: number) => money(language, minor, c.currency);

  const close = h('button', { type: 'button', class: 'appeal-close', 'aria-label': t.close }, '×');
  const title = h(
    'p',
    { id: 'appeal-banner-title', class: 'appeal-banner-title', tabindex: '-1' },
    h('strong', {}, variant.headline ?? c.title),
    ` – ${state.thanked ? t.thanked : (variant.ask ?? t.ask)}`,
  );
  const bar = h('div', { class: 'appeal-progress-fill' });
  const label = h('p', { class: 'appeal-progress-label' });
  const later = h('button', { type: 'button', class: 'appeal-link' }, t.later);
  const progress = h(
    'div',
    { class: 'appeal-progress', 'data-appeal-progress': true },
    h('div', { class: 'appeal-progress-track', 'aria-hidden': 'true' }, bar),
    h('div', { class: 'appeal-progress-row' }, label, later),
  );

  const preselected: Frequency = variant.frequency ?? c.defaultFrequency;
  const radio = (value: Frequency, text: string) =>
    h('label', {}, h('input', { type: 'radio', name: 'frequency', value, checked: value === preselected }), ` ${text}`);
  const amountButton = (amount: number) =>
    h('button', { type: 'submit', name: 'amount', value: String(amount) }, amount$(amount), h('span', { class: 'appeal-per-month' }, ` ${t.perMonth}`));
  const hidden = (name: string, value: string) => h('input', { type: 'hidden', name, value });
  const { source, ...from } = attribution();
  // The page's address, unless it is too long to be one the API keeps (2,048 characters).
  const origin = source && source.length <= 2048 ? { source, ...from } : from;
  const form = h(
    'form',
    { class: 'appeal-give', method: 'get', action: `${api}/v1/donate`, 'data-appeal-give': true },
    hidden('campaign', c.id),
    hidden('currency', c.currency),
    hidden('lang', language),
    // "Other amount" takes these to the chooser page, which keeps them with the gift.
    hidden('component', 'banner'),
    hidden('variant', variant.id),
    ...Object.entries(origin).map(([name, value]) => hidden(name, value)),
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
      ...(variant.amounts ?? c.suggestedAmounts).map(amountButton),
      // "Other amount": on a narrow screen only its first word shows (the button's name stays whole).
      h('button', { type: 'submit', class: 'appeal-other' }, t.otherShort, h('span', { class: 'appeal-wide' }, ` ${t.otherRest}`)),
    ),
  );
  // The monthly ask, the fee box and the reminder form take the choices' place while they are open.
  const step = h('div', { class: 'appeal-step', hidden: true });
  const status = h('p', { class: 'appeal-give-status', role: 'status' });
  const banner = h('aside', { class: 'appeal-banner', 'aria-labelledby': 'appeal-banner-title' }, close, title, progress, form, step, status);

  const say = (text: string, isError = false) => {
    status.textContent = text;
    status.classList.toggle('is-error', isError);
  };
  const showProgress = (campaign: Campaign) => {
    bar.style.width = `${campaign.goal > 0 ? Math.min(100, (campaign.raised / campaign.goal) * 100) : 0}%`;
    bar.classList.toggle('is-started', campaign.raised > 0);
    label.textContent = progressText(campaign, context);
  };
  /** No more asking (the campaign has closed, or this browser gave): the title says why, the progress stays. */
  const stopAsking = (words: string) => {
    const hadFocus = banner.contains(focusedElement());
    title.replaceChildren(h('strong', {}, c.title), ` – ${words}`);
    for (const part of [form, step, later]) part.remove();
    banner.classList.add('is-ended');
    if (hadFocus) title.focus();
  };
  const update = (campaign: Campaign) => {
    if (!campaign.open) stopAsking(t.ended);
    showProgress(campaign);
  };
  const refresh = async () => {
    const campaign = await loadCampaign(api, c.id);
    if (campaign) update(campaign);
  };

  close.addEventListener('click', state.onClose);
  if (state.thanked) {
    stopAsking(t.thanked);
    update(c);
    return banner;
  }

  // Once/Monthly: the amounts say "a month"; the switch shows which is chosen (also where :has() is missing).
  const syncFrequency = () => {
    const monthly = form.querySelector<HTMLInputElement>('input[value="monthly"]')?.checked === true;
    form.classList.toggle('is-monthly', monthly);
    for (const input of Array.from(form.querySelectorAll<HTMLInputElement>('input[name="frequency"]'))) input.parentElement?.classList.toggle('is-checked', input.checked);
  };
  form.addEventListener('change', syncFrequency);
  syncFrequency();

  // A view: at least half the banner in sight for one unbroken second, once per page view. A click: the first amount
  // chosen. Both name the variant shown, and nothing else.
  let clicked = false;
  const click = () => {
    if (!clicked) sendEvent(api, 'click', c.id, variant.id);
    clicked = true;
  };
  if (typeof IntersectionObserver === 'function') {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watch = new IntersectionObserver(
      (entries) => {
        const inSight = entries.some((entry) => entry.isIntersecting && entry.intersectionRatio >= 0.5);
        if (inSight && timer === undefined) {
          timer = setTimeout(() => {
            watch.disconnect();
            sendEvent(api, 'view', c.id, variant.id);
          }, 1000);
        } else if (!inSight && timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
      },
      { threshold: 0.5 },
    );
    watch.observe(banner);
  }

  /** Shows `parts` in place of the choices, focus on the first; `back` brings the choices again. */
  const showStep = (...parts: HTMLElement[]) => {
    step.replaceChildren(...parts);
    form.hidden = true;
    step.hidden = false;
    say('');
    step.querySelector<HTMLElement>('.appeal-step-lead, input, button')?.focus();
  };
  const back = () => {
    step.hidden = true;
    step.replaceChildren();
    form.hidden = false;
  };
  const lead = (text: string) => h('p', { class: 'appeal-step-lead', tabindex: '-1' }, text);
  const button = (text: string, primary: boolean, onClick: () => void) => {
    const b = h('button', { type: 'button', class: primary ? 'appeal-primary' : 'appeal-secondary' }, text);
    b.addEventListener('click', onClick);
    return b;
  };
  const actions = (...buttons: HTMLButtonElement[]) => h('div', { class: 'appeal-actions' }, ...buttons);

  // While a checkout is being made, the buttons say so but keep focus (a disabled button would drop it).
  let busy = false;
  const setBusy = (value: boolean) => {
    busy = value;
    for (const b of Array.from(banner.querySelectorAll<HTMLButtonElement>('button:not([data-appeal-default]):not(.appeal-close)'))) {
      if (value) b.setAttribute('aria-disabled', 'true');
      else b.removeAttribute('aria-disabled');
    }
  };
  // Back from checkout, the browser may restore the page as it was left (busy): reset, and show the new total.
  window.addEventListener('pageshow', (event) => {
    setBusy(false);
    say('');
    if (event.persisted) void refresh();
  });

  interface Gift {
    amount: number;
    frequency: Frequency;
    component: 'banner' | 'upsell';
    coverFee: boolean;
  }
  const pay = async (gift: Gift) => {
    setBusy(true);
    say(t.opening);
    const embedded = context.checkout === 'embedded';
    const back = location.href.split('#')[0] ?? '';
    try {
      const { status: code, body, error } = await postJson(`${api}/v1/donations/checkout`, {
        campaign: c.id,
        amount: gift.amount,
        currency: c.currency,
        frequency: gift.frequency,
        subscribe: form.querySelector<HTMLInputElement>('input[name="subscribe"]')?.checked === true,
        lang: language,
        ...(gift.coverFee ? { coverFee: true } : {}),
        // Embedded Checkout brings the donor back to this page (its session in `appeal_checkout`, which memory.ts
        // reads); a page address longer than the API keeps returns them to the API's thank-you page instead.
        ...(embedded ? { mode: 'embedded', ...(back.length <= 2000 ? { returnUrl: back } : {}) } : {}),
        component: gift.component,
        variant: variant.id,
        ...origin,
      });
      if (code === 201 && typeof body.url === 'string') {
        window.location.assign(body.url);
        return;
      }
      if (code === 201 && typeof body.clientSecret === 'string' && typeof body.publishableKey === 'string') {
        await payInPage({
          publishableKey: body.publishableKey,
          clientSecret: body.clientSecret,
          stripeJsUrl: typeof body.stripeJsUrl === 'string' ? body.stripeJsUrl : STRIPE_JS,
          into: banner,
          title: fill(t.payTitle, { campaign: c.title }),
          closeLabel: t.closePay,
          onComplete: () => {
            state.onGave();
            stopAsking(t.thanked);
            void refresh();
            say('');
          },
          onClose: () => {
            setBusy(false);
            say('');
          },
        });
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
  };

  /** The fee box (unticked), then the gift's own button; straight to checkout when the campaign names no fee. */
  const confirm = (gift: Gift) => {
    const fee = c.fee;
    if (!fee) return pay(gift);
    const giveWords = (total: number) => fill(gift.frequency === 'monthly' ? t.giveMonthly : t.give, { amount: amount$(total) });
    const extra = feeExtra(gift.amount, fee);
    const box = h('input', { type: 'checkbox', name: 'coverFee' });
    const give = button(giveWords(gift.amount), true, () => {
      if (!busy) void pay({ ...gift, coverFee: box.checked });
    });
    box.addEventListener('change', () => {
      give.textContent = giveWords(gift.amount + (box.checked ? extra : 0));
    });
    showStep(
      h('label', { class: 'appeal-fee' }, box, ` ${fill(t.fee, { extra: amount$(extra), amount: amount$(gift.amount), campaign: c.title })}`),
      actions(give, button(t.back, false, back)),
    );
  };

  /** The monthly ask, for a one-time amount the campaign has one for: one tap to accept, one to keep the gift. */
  const choose = (amount: number, frequency: Frequency) => {
    const monthly = frequency === 'once' ? c.upsell.filter((s) => s.amount <= amount).at(-1)?.monthly : undefined;
    const gift: Gift = { amount, frequency, component: 'banner', coverFee: false };
    if (monthly === undefined) return confirm(gift);
    const words = { amount: amount$(amount), monthly: amount$(monthly) };
    showStep(
      lead(fill(t.upsell, words)),
      actions(
        button(fill(t.upsellYes, words), true, () => void confirm({ ...gift, amount: monthly, frequency: 'monthly', component: 'upsell' })),
        button(fill(t.upsellNo, words), false, () => void confirm(gift)),
      ),
    );
  };

  form.addEventListener('submit', (event) => {
    const submitter = event.submitter;
    if (busy || submitter?.hasAttribute('data-appeal-default')) {
      event.preventDefault();
      return;
    }
    click();
    const amount = submitter instanceof HTMLButtonElement && submitter.name === 'amount' ? Number(submitter.value) : undefined;
    if (amount === undefined) return; // "Other amount": the chooser page, as without JavaScript.
    event.preventDefault();
    void choose(amount, new FormData(form).get('frequency') === 'monthly' ? 'monthly' : 'once');
  });

  // "Remind me later": an email and a date (a month from today, or the campaign's named dates), POST /v1/reminders.
  later.addEventListener('click', () => {
    const today = new Date();
    const tomorrow = new Date(Date.UTC(today.getFullYear(), today.getMonth(), today.getDate() + 1)).toISOString().slice(0, 10);
    const yearOn = new Date(Date.UTC(today.getFullYear() + 1, today.getMonth(), today.getDate())).toISOString().slice(0, 10);
    const dateWords = (date: string) => formatDate(language, date);
    const month = nextMonth(today);
    const dates = [
      { date: month, name: fill(t.laterNextMonth, { date: dateWords(month) }) },
      ...c.reminderDates.filter((d) => d.date >= tomorrow && d.date <= yearOn && d.date !== month).map((d) => ({ date: d.date, name: `${d.name} (${dateWords(d.date)})` })),
    ];
    const email = h('input', { id: 'appeal-later-email', name: 'email', type: 'email', autocomplete: 'email', required: true, maxlength: '254', 'aria-describedby': 'appeal-later-error' });
    const error = h('p', { id: 'appeal-later-error', class: 'field-error', hidden: true });
    const submit = h('button', { type: 'submit', class: 'appeal-primary' }, t.laterSubmit);
    const remind = h(
      'form',
      { class: 'appeal-later', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'appeal-later-email' }, messages.signup.email), email, error),
      h(
        'fieldset',
        { class: 'appeal-dates' },
        h('legend', {}, t.laterWhen),
        ...dates.map((d, i) => h('label', {}, h('input', { type: 'radio', name: 'date', value: d.date, checked: i === 0 }), ` ${d.name}`)),
      ),
      actions(submit, button(t.back, false, back)),
    );
    const fieldError = (text: string) => {
      error.textContent = text;
      error.hidden = false;
      email.setAttribute('aria-invalid', 'true');
      email.focus();
    };
    remind.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy) return;
      error.hidden = true;
      email.removeAttribute('aria-invalid');
      const address = email.value.trim();
      if (!address) return fieldError(messages.signup.emailMissing);
      const date = String(new FormData(remind).get('date') ?? month);
      busy = true;
      submit.setAttribute('aria-disabled', 'true');
      say(messages.signup.sending);
      try {
        const { status: code, error: refusal } = await postJson(`${api}/v1/reminders`, { email: address, campaign: c.id, date, lang: language });
        if (code === 202) {
          showStep(lead(fill(t.laterDone, { date: dateWords(date) })), actions(button(t.back, false, back)));
        } else if (code === 429) say(t.tooMany, true);
        else if (refusal?.code === 'invalid_email' || refusal?.field === 'email') {
          say('');
          fieldError(messages.signup.emailInvalid);
        } else say(messages.failed, true);
      } catch {
        say(messages.offline, true);
      }
      busy = false;
      submit.removeAttribute('aria-disabled');
    });
    showStep(lead(t.laterLead), remind);
  });

  update(c);
  return banner;
};
