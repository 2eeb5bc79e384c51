// The console's own script and stylesheet, served by the console function from the API's origin: the pages' policy
// allows scripts and styles from 'self' only (no inline script or style, nothing third-party). Where they are served:
// asset-paths.ts (the route table and the pages name them; only a request for one loads this module).

/**
 * The console's one script. It submits a sign-in link's form at once (a GET of the link changes nothing, for mail
 * scanners: the page posts it), and runs the passkey forms: it asks the browser for a credential with the options
 * the page carries, puts the answer (JSON, base64url fields, as WebAuthn's own toJSON writes it) in the form, and
 * posts it. Without JavaScript the link page has its button and the passkey forms stay hidden.
 */
export const CONSOLE_SCRIPT = `(() => {
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));
  const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  const ids = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));
  const creation = (o) => ({ ...o, challenge: bytes(o.challenge), user: { ...o.user, id: bytes(o.user.id) }, excludeCredentials: ids(o.excludeCredentials) });
  const request = (o) => ({ ...o, challenge: bytes(o.challenge), allowCredentials: ids(o.allowCredentials) });
  const answer = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: text(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = text(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = text(r.authenticatorData);
      response.signature = text(r.signature);
      if (r.userHandle) response.userHandle = text(r.userHandle);
    }
    return { id: credential.id, rawId: text(credential.rawId), type: credential.type, response, clientExtensionResults: credential.getClientExtensionResults(), authenticatorAttachment: credential.authenticatorAttachment || undefined };
  };
  for (const form of document.querySelectorAll('form[data-autosubmit]')) form.submit();
  if (!window.PublicKeyCredential || !navigator.credentials) return;
  for (const area of document.querySelectorAll('[data-passkey-area]')) area.hidden = false;
  for (const note of document.querySelectorAll('[data-needs-script]')) note.hidden = true;
  for (const form of document.querySelectorAll('form[data-passkey]')) {
    form.hidden = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const status = form.querySelector('[role=status]');
      status.textContent = '';
      try {
        const options = JSON.parse(form.dataset.options);
        const credential = form.dataset.passkey === 'register'
          ? await navigator.credentials.create({ publicKey: creation(options) })
          : await navigator.credentials.get({ publicKey: request(options) });
        form.elements.response.value = JSON.stringify(answer(credential));
        form.submit();
      } catch {
        status.textContent = form.dataset.failed;
      }
    });
  }
})();
`;

/** The console's layout over the pages' stylesheet: a navigation bar, a wider column for tables, inline forms. */
export const CONSOLE_STYLE = `.console .masthead>*,.console main{max-width:72rem}
.console-nav{background:#fff;border-bottom:1px solid #d5d9e0}
.console-nav>div{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1.25rem;max-width:72rem;margin:0 auto;padding:.4rem 1rem}
.console-nav ul{display:flex;flex-wrap:wrap;gap:0 1.25rem;margin:0;padding:0;list-style:none}
.console-nav a{display:inline-block;padding:.5rem 0;font-weight:600;text-decoration:none}
.console-nav a[aria-current=page]{text-decoration:underline;text-decoration-thickness:3px;text-underline-offset:.35em}
.console-nav form{margin:0 0 0 auto}
.console-nav button,td button{min-height:2.25rem;padding:.25rem .9rem}
.whoami{margin:0 0 1rem;color:var(--muted);font-size:.92rem}
.table-wrap{overflow-x:auto;margin:0 0 1.25rem}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:0 0 .4rem}
th,td{text-align:left;vertical-align:top;padding:.45rem .6rem;border-bottom:1px solid #d5d9e0}
thead th{border-bottom:2px solid var(--ink)}
td form{display:inline-flex;flex-wrap:wrap;gap:.4rem;margin:0 .5rem .3rem 0}
select{max-width:100%;font:inherit;color:inherit;min-height:2.75rem;padding:.4rem .6rem;border:1px solid #6b7280;border-radius:4px;background:#fff}
td select{min-height:2.25rem;padding:.2rem .4rem}
.inline{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:0 0 1.25rem}
.inline .field{margin:0}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88rem;overflow-wrap:anywhere}
[role=status]:empty{display:none}
.periods ul{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;margin:0 0 1.25rem;padding:0;list-style:none}
.periods a{display:inline-block;padding:.35rem 0}
.periods a[aria-current=page]{font-weight:700;text-decoration-thickness:3px;text-underline-offset:.35em}
.facts{display:grid;grid-template-columns:minmax(6rem,max-content) 1fr;gap:.35rem 1rem;margin:0 0 1.25rem}
.facts dt{color:var(--muted)}
.facts dd{margin:0;overflow-wrap:anywhere}
progress{width:100%;max-width:12rem}
pre.mono{white-space:pre-wrap;background:#f4f5f7;padding:.75rem;border-radius:4px}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip-path:inset(50%);border:0;white-space:nowrap}
`;
