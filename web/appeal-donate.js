// Appeal donation banner. Embed: an element with data-appeal-campaign="ID" holding plain links to
// /v1/donate (they work without JavaScript). With JavaScript this fills the progress bar from
// GET /v1/campaigns/ID and lets the reader switch the links between a one-time and a monthly gift.
(() => {
  const money = (minor, currency) => {
    const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
    return new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0 }).format(minor / 10 ** digits);
  };

  const showProgress = async (banner, api, campaign) => {
    const box = banner.querySelector('[data-appeal-progress]');
    if (!box) return;
    try {
      // Revalidate: a reader back from checkout should see their gift, not a cached total.
      const response = await fetch(`${api}/v1/campaigns/${encodeURIComponent(campaign)}`, { cache: 'no-cache', headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const c = await response.json();
      const currency = c.currency.toUpperCase();
      const percent = c.goal > 0 ? Math.min(100, Math.round((c.raised / c.goal) * 100)) : 0;
      box.querySelector('.appeal-progress-fill').style.width = `${percent}%`;
      const donors = `${c.donors} ${c.donors === 1 ? 'donor' : 'donors'}`;
      box.querySelector('.appeal-progress-label').textContent = `${money(c.raised, currency)} raised of ${money(c.goal, currency)} goal · ${donors}`;
      box.hidden = false;
    } catch {
      // The banner still works without its progress bar.
    }
  };

  const enableFrequency = (banner) => {
    const fieldset = banner.querySelector('[data-appeal-frequency]');
    const fallback = banner.querySelector('[data-appeal-monthly-link]');
    if (!fieldset) return;
    fieldset.hidden = false;
    if (fallback) fallback.hidden = true;
    fieldset.addEventListener('change', (event) => {
      const frequency = event.target.value === 'monthly' ? 'monthly' : 'once';
      for (const link of banner.querySelectorAll('.appeal-amounts a')) {
        const url = new URL(link.href);
        url.searchParams.set('frequency', frequency);
        link.href = url.toString();
        const label = link.textContent.replace(/ a month$/, '');
        link.textContent = frequency === 'monthly' && url.searchParams.has('amount') ? `${label} a month` : label;
      }
    });
  };

  for (const banner of document.querySelectorAll('[data-appeal-campaign]')) {
    const api = banner.getAttribute('data-appeal-api') || '';
    showProgress(banner, api, banner.getAttribute('data-appeal-campaign'));
    enableFrequency(banner);
  }
})();
