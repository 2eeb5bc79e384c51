// Appeal donation banner. Embed: an element with data-appeal-campaign="ID" holding a plain form that GETs
// /v1/donate (campaign, currency, a frequency radio, an unticked `subscribe` box, one submit button per amount):
// it works without JavaScript. With JavaScript this shows the campaign's progress from GET /v1/campaigns/ID,
// says when the campaign has ended instead of asking, and starts the checkout with POST /v1/donations/checkout,
// showing a refusal in the banner rather than on another page.
(() => {
  const plural = new Intl.PluralRules('en');
  const count = (n, one, other) => `${n.toLocaleString('en')}\u00a0${plural.select(n) === 'one' ? one : other}`;

  // Exact, in the currency's own minor units (4750 USD is $47.50, 4750 JPY is ¥4,750): never rounded, and
  // without a needless ".00" ($50,000), as the donation pages write it.
  const money = (minor, currency) => {
    const options = { style: 'currency', currency: currency.toUpperCase() };
    const digits = new Intl.NumberFormat('en', options).resolvedOptions().maximumFractionDigits ?? 2;
    return new Intl.NumberFormat('en', { ...options, trailingZeroDisplay: 'stripIfInteger' }).format(minor / 10 ** digits);
  };

  const showProgress = (banner, c) => {
    const box = banner.querySelector('[data-appeal-progress]');
    const fill = box?.querySelector('.appeal-progress-fill');
    const label = box?.querySelector('.appeal-progress-label');
    if (!box || !fill || !label) return;
    fill.style.width = `${c.goal > 0 ? Math.min(100, (c.raised / c.goal) * 100) : 0}%`;
    fill.classList.toggle('is-started', c.raised > 0);
    const raised = money(c.raised, c.currency);
    const goal = c.goal > 0 ? money(c.goal, c.currency) : '';
    const donors = count(c.donors, 'donor', 'donors');
    const gifts = count(c.donations, 'gift', 'gifts');
    label.textContent =
      c.open === false
        ? `${raised} raised${goal && ` of the ${goal} goal`}, from ${donors} and ${gifts}. Thank you to everyone who gave.`
        : `${raised} raised${goal && ` of ${goal} goal`} · ${donors} · ${gifts}`;
    box.hidden = false;
  };

  // A closed campaign stops asking: no amount, no button, only its final total.
  const showEnded = (banner, c) => {
    const title = banner.querySelector('.appeal-banner-title');
    if (title) title.textContent = `${c.title} – this appeal has ended`;
    banner.querySelector('form[data-appeal-give]')?.remove();
    banner.classList.add('is-ended');
  };

  const loadCampaign = async (banner, api, campaign) => {
    try {
      // Revalidate: a reader back from checkout should see their gift, not a cached total.
      const response = await fetch(`${api}/v1/campaigns/${encodeURIComponent(campaign)}`, { cache: 'no-cache', headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const c = await response.json();
      if (c.open === false) showEnded(banner, c);
      showProgress(banner, c);
    } catch {
      // The banner still works without its progress bar.
    }
  };

  const enhanceForm = (form, api, onCampaignRefused) => {
    const status = form.querySelector('.appeal-give-status');
    const buttons = form.querySelectorAll('button[type="submit"]:not([data-appeal-default])');
    const setBusy = (busy) => {
      for (const button of buttons) button.disabled = busy;
    };
    const say = (text, isError) => {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle('is-error', Boolean(isError));
    };
    // Back from checkout, the browser may restore this page as it was left: busy.
    window.addEventListener('pageshow', () => {
      setBusy(false);
      say('');
    });

    form.addEventListener('submit', async (event) => {
      // Enter on a radio or the checkbox "presses" the hidden default button: with JavaScript, it does nothing.
      if (event.submitter?.hasAttribute('data-appeal-default')) {
        event.preventDefault();
        return;
      }
      const amount = event.submitter?.name === 'amount' ? event.submitter.value : '';
      if (!amount) return; // "Other amount": the chooser page, as without JavaScript.
      event.preventDefault();
      const fields = new FormData(form);
      const body = {
        campaign: fields.get('campaign'),
        amount: Number(amount),
        currency: fields.get('currency'),
        frequency: fields.get('frequency') === 'monthly' ? 'monthly' : 'once',
        subscribe: fields.get('subscribe') === 'true',
      };
      setBusy(true);
      say('Opening the secure checkout…');
      try {
        const response = await fetch(`${api}/v1/donations/checkout`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
        });
        const result = await response.json().catch(() => ({}));
        if (response.status === 201 && result.url) {
          window.location.assign(result.url);
          return;
        }
        // Closed while the page was open: read the campaign again, and the banner says it has ended.
        if (result.error?.code === 'invalid_campaign') onCampaignRefused();
        say(
          response.status === 429
            ? 'Too many attempts from this connection. Please wait a minute and try again.'
            : (result.error?.message ?? 'Something went wrong. Please try again later.'),
          true,
        );
      } catch {
        say('We could not reach the server. Please check your connection and try again.', true);
      }
      setBusy(false);
    });
  };

  for (const banner of document.querySelectorAll('[data-appeal-campaign]')) {
    const form = banner.querySelector('form[data-appeal-give]');
    // The API is where the form goes: one address to configure, for both paths.
    const api = form ? form.action.replace(/\/v1\/donate$/, '') : banner.getAttribute('data-appeal-api') || '';
    const campaign = banner.getAttribute('data-appeal-campaign');
    if (form) enhanceForm(form, api, () => loadCampaign(banner, api, campaign));
    loadCampaign(banner, api, campaign);
  }
})();
