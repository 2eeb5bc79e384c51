import type { ServerResponse } from 'node:http';
import { defaultBrand } from '../../../functions/core/shared/brand.js';
import { page } from '../../../functions/core/shared/page-shell.js';
import { html, join } from '../../../functions/core/shared/template.js';
import { formatMoney } from '../../../functions/core/shared/money.js';
import { idOfConfiguration, own, type StripeStore } from './state.js';

const BRAND = defaultBrand('Stripe (local simulator)');

/** Checkout's billing address fields, asked for when the session requires the address (`billing_address_collection`). */
export const billingAddressFields = () => html`<fieldset>
<legend>Billing address</legend>
<label for="line1">Address line 1</label>
<input id="line1" name="address[line1]" autocomplete="address-line1" required>
<label for="line2">Address line 2</label>
<input id="line2" name="address[line2]" autocomplete="address-line2">
<label for="city">Town or city</label>
<input id="city" name="address[city]" autocomplete="address-level2" required>
<label for="postal_code">Postcode</label>
<input id="postal_code" name="address[postal_code]" autocomplete="postal-code" required>
<label for="country">Country</label>
<input id="country" name="address[country]" autocomplete="country" value="GB" maxlength="2" required>
</fieldset>
`;

/** The hosted Checkout page of a session: Pay (email, name on card) and Cancel, or its outcome once closed. */
export const checkoutPage = (store: StripeStore, res: ServerResponse, sessionId: string) => {
  const found = store.state.sessions[sessionId];
  // An embedded session has no page of its own (its `url` is null): it is paid only through Stripe.js.
  const session = found?.ui_mode === 'embedded_page' ? undefined : found;
  res.writeHead(session ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  if (!session) return res.end(page('Checkout not found', html`<p>This checkout does not exist.</p>`, BRAND));
  const amount = formatMoney(Number(session.amount_total), String(session.currency));
  const productName = store.state.checkouts[sessionId]?.productName ?? 'Donation';
  const base = `/_local/stripe/checkout/${encodeURIComponent(sessionId)}`;
  const required = session.billing_address_collection === 'required';
  const body =
    session.status === 'open'
      ? html`<form method="post" action="${base}/complete">
<label for="email">Email</label>
<input id="email" name="email" type="email" required value="${session.customer_email ?? ''}">
<label for="name">Name on card</label>
<input id="name" name="name" autocomplete="cc-name" value=""${required && html` required`}>
${required && billingAddressFields()}<p><button type="submit">Pay</button></p>
</form>
<form method="post" action="${base}/cancel"><button type="submit">Cancel</button></form>`
      : html`<p role="status">This checkout is ${String(session.status)}.</p>`;
  return res.end(
    page(
      `Pay ${amount}${session.mode === 'subscription' ? ' a month' : ''}`,
      html`<p>${productName}</p>
<p class="muted">Local Stripe Checkout simulator: no card is charged.</p>
${body}`,
      BRAND,
    ),
  );
};

const day = (seconds: number) => new Date(seconds * 1000).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/**
 * The hosted Customer Portal of a portal session: the customer's subscriptions, each active one with Cancel (which
 * ends it at once and sends `customer.subscription.deleted`), each ended one with its date, and the way back to
 * the session's `return_url`.
 */
export const portalPage = (store: StripeStore, res: ServerResponse, portalSessionId: string) => {
  const { state } = store;
  const session = own(state.portalSessions, portalSessionId);
  res.writeHead(session ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  if (!session) return res.end(page('Portal session not found', html`<p>This portal session does not exist.</p>`, BRAND));
  const owner = own(state.customers, session.customer);
  const subscriptions = Object.values(state.subscriptions)
    .filter((s) => (typeof s.customer === 'string' ? s.customer : s.customer.id) === session.customer)
    .sort((a, b) => a.created - b.created);
  const productOf = (subscriptionId: string) => {
    const checkout = Object.values(state.sessions).find((s) => s.subscription === subscriptionId);
    return (checkout && state.checkouts[checkout.id]?.productName) ?? 'Subscription';
  };
  const action = `/_local/stripe/portal/${encodeURIComponent(portalSessionId)}/cancel`;
  // What the session's configuration lets the customer do, and its headline.
  const configuration = own(state.portalConfigurations, idOfConfiguration(session.configuration));
  const canCancel = configuration?.features.subscription_cancel.enabled === true;
  const headline = configuration?.business_profile.headline;
  const items = subscriptions.map((s) => {
    const item = s.items.data[0];
    const price = `${formatMoney((item?.price.unit_amount ?? 0) * (item?.quantity ?? 1), s.currency)} a month`;
    const standing =
      s.status === 'canceled'
        ? html`<p role="status">Canceled on ${day(s.canceled_at ?? s.created)}.</p>`
        : !canCancel
          ? html`<p>Renews on ${day(item?.current_period_end ?? s.created)}.</p>`
          : html`<p>Renews on ${day(item?.current_period_end ?? s.created)}.</p>
<form method="post" action="${action}">
<input type="hidden" name="subscription" value="${s.id}">
<button type="submit">Cancel subscription</button>
</form>`;
    return html`<section>
<h2>${productOf(s.id)}: ${price}</h2>
${standing}
</section>`;
  });
  const back = session.return_url && html`<p><a href="${session.return_url}">← Return to ${new URL(session.return_url).host}</a></p>`;
  return res.end(
    page(
      'Manage your subscriptions',
      html`${headline ? html`<p>${headline}</p>` : ''}<p class="muted">Local Stripe Customer Portal simulator${owner?.email && ` for ${owner.email}`}: nothing is charged. Changing the card is not simulated.</p>
${items.length > 0 ? join(items, '\n') : html`<p>No subscriptions.</p>`}
${back}`,
      BRAND,
    ),
  );
};
