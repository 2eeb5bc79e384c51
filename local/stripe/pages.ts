import type { ServerResponse } from 'node:http';
import { escapeHtml, page } from '../../functions/core/shared/html.js';
import { formatMoney } from '../../functions/core/shared/money.js';
import type { StripeStore } from './state.js';

const BRAND = 'Stripe (local simulator)';

/** The hosted Checkout page of a session: Pay (email, name on card) and Cancel, or its outcome once closed. */
export const checkoutPage = (store: StripeStore, res: ServerResponse, sessionId: string) => {
  const session = store.state.sessions[sessionId];
  res.writeHead(session ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  if (!session) return res.end(page('Checkout not found', '<p>This checkout does not exist.</p>', BRAND));
  const amount = formatMoney(Number(session.amount_total), String(session.currency));
  const productName = store.state.checkouts[sessionId]?.productName ?? 'Donation';
  const base = `/_local/stripe/checkout/${encodeURIComponent(sessionId)}`;
  const body =
    session.status === 'open'
      ? `<form method="post" action="${base}/complete">
<label for="email">Email</label>
<input id="email" name="email" type="email" required value="${escapeHtml(session.customer_email ?? '')}">
<label for="name">Name on card</label>
<input id="name" name="name" autocomplete="cc-name" value="">
<p><button type="submit">Pay</button></p>
</form>
<form method="post" action="${base}/cancel"><button type="submit">Cancel</button></form>`
      : `<p role="status">This checkout is ${escapeHtml(String(session.status))}.</p>`;
  return res.end(
    page(
      `Pay ${amount}${session.mode === 'subscription' ? ' a month' : ''}`,
      `<p>${escapeHtml(productName)}</p>
<p class="muted">Local Stripe Checkout simulator: no card is charged.</p>
${body}`,
      BRAND,
    ),
  );
};
