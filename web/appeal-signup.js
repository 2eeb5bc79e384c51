// Appeal mailing-list widget. Embed: a <form data-appeal-signup action="https://API/v1/subscriptions"> with
// `email`, optional `name` and the `website` honeypot, plus this script. Without JavaScript the form posts
// and the API answers with its thank-you page; with it, the form posts JSON and shows the answer inline.
(() => {
  const MESSAGES = {
    pending: 'Thank you! Check your inbox: we have sent you a link to confirm your subscription.',
    rate_limited: 'Too many attempts. Please wait a moment and try again.',
    network: 'We could not reach the server. Please check your connection and try again.',
    unknown: 'Something went wrong. Please try again later.',
  };

  const enhance = (form) => {
    const status = form.querySelector('[role="status"]');
    const button = form.querySelector('button[type="submit"]');

    const setStatus = (text, kind) => {
      status.textContent = text;
      status.className = `appeal-status${kind ? ` is-${kind}` : ''}`;
    };

    const clearErrors = () => {
      for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.removeAttribute('aria-invalid');
      for (const error of form.querySelectorAll('.field-error')) {
        error.textContent = '';
        error.hidden = true;
      }
    };

    const showFieldError = (field, message) => {
      const input = form.elements.namedItem(field);
      const error = input && document.getElementById(input.getAttribute('aria-describedby') || '');
      if (!input || !error) return false;
      input.setAttribute('aria-invalid', 'true');
      error.textContent = message;
      error.hidden = false;
      input.focus();
      return true;
    };

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors();
      const data = new FormData(form);
      const email = String(data.get('email') || '').trim();
      if (email === '') {
        showFieldError('email', 'Please enter your email address.');
        setStatus('Please correct the highlighted field.', 'error');
        return;
      }
      const body = {
        email,
        name: String(data.get('name') || '') || undefined,
        lists: data.getAll('lists').map(String),
        source: window.location.href,
        website: String(data.get('website') || ''),
      };
      if (body.lists.length === 0) delete body.lists;
      button.disabled = true;
      setStatus('Sending…');
      try {
        const response = await fetch(form.action, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(body),
        });
        const result = await response.json().catch(() => ({}));
        if (response.status === 202) {
          form.reset();
          setStatus(MESSAGES.pending, 'success');
        } else if (response.status === 429) {
          setStatus(MESSAGES.rate_limited, 'error');
        } else if (result.error) {
          const field = (result.error.field || '').split('.')[0];
          const shown = field && showFieldError(field, result.error.message);
          setStatus(shown ? 'Please correct the highlighted field.' : result.error.message, 'error');
        } else {
          setStatus(MESSAGES.unknown, 'error');
        }
      } catch {
        setStatus(MESSAGES.network, 'error');
      } finally {
        button.disabled = false;
      }
    });
  };

  for (const form of document.querySelectorAll('form[data-appeal-signup]')) enhance(form);
})();
