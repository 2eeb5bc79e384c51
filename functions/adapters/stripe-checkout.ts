import type Stripe from 'stripe';
import type { Language } from '../core/shared/i18n/index.js';
import { messagesOf } from '../core/shared/i18n/catalogue.js';
import { fill } from '../core/shared/i18n/format.js';
import type { CheckoutParams, Payments } from '../core/donations/ports.js';
import { translate } from './stripe-api.js';
import { attributionMetadata } from '../core/experiments/attribution-metadata.js';

/**
 * Checkout's language for ours: Stripe's own where Checkout has it (Checkout.SessionCreateParams.Locale). English
 * is `auto`: English is also what a reader whose language we do not speak is given, and Checkout speaks far more
 * languages than we do (a German reader gets German). Checkout has no Ukrainian, so a
 * Ukrainian donor gets `auto` too (the browser's language, else English).
 */
const CHECKOUT_LOCALES: Readonly<Record<Language, Stripe.Checkout.SessionCreateParams.Locale>> = { en: 'auto', uk: 'auto', pl: 'pl', es: 'es' };

/** The Stripe account as the payments use it: the client, and Appeal's portal configuration when there is one. */
export interface PaymentsAccount {
  stripe: Stripe;
  portalConfiguration?: string | undefined;
}

/**
 * Checkout Sessions: what a donation's checkout asks of Stripe. A class of its own so that the donations function's
 * cold start loads none of what only the thank-you page and the manage link ask (StripePayments).
 */
export class StripeCheckout implements Pick<Payments, 'createCheckout'> {
  protected readonly account: () => Promise<PaymentsAccount>;

  /**
   * `stripe`: the client, or where to get the current account (the stage's Stripe account, whose key and portal
   * configuration can change while the function runs; it throws DonationsNotConfiguredError while none is set).
   */
  constructor(stripe: Stripe | (() => Promise<PaymentsAccount>)) {
    this.account = typeof stripe === 'function' ? stripe : () => Promise.resolve({ stripe });
  }

  protected async client() {
    return (await this.account()).stripe;
  }

  async createCheckout(params: CheckoutParams, idempotencyKey: string) {
    // The language goes on the session and on what it creates (payment or subscription): the webhook reads it for
    // the receipt and the newsletter opt-in, each month of a monthly gift included.
    // Stripe's metadata limits (50 keys, keys up to 40 characters, values up to 500): 9 keys at most here, the
    // longest value a tribute's name (100 characters).
    const metadata = {
      campaign: params.campaign.id,
      frequency: params.frequency,
      subscribe: String(params.subscribe),
      ...(params.lang ? { lang: params.lang } : {}),
      ...(params.feeCovered ? { fee_covered: String(params.feeCovered) } : {}),
      ...(params.tribute ? { tribute_type: params.tribute.type, tribute_name: params.tribute.name } : {}),
      ...(params.anonymous ? { anonymous: 'true' } : {}),
      ...(params.giftAid ? { gift_aid: params.giftAid } : {}),
      ...attributionMetadata(params.attribution),
    };
    // The line item's name, on Checkout, the receipt Stripe may send and the Customer Portal, in the donor's language.
    const product = { name: fill(messagesOf(params.lang).donations.lineItem, { campaign: params.campaign.title }) };
    const common = {
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: params.currency,
            unit_amount: params.amount,
            product_data: product,
            ...(params.mode === 'subscription' ? { recurring: { interval: 'month' as const } } : {}),
          },
        },
      ],
      metadata,
      customer_email: params.email,
      // Embedded Checkout (`embedded_page` in the API version the `stripe` package pins; `embedded` before) takes a
      // return URL and refuses success and cancel URLs: the donor never leaves the page, so there is no way back.
      ...(params.embedded
        ? { ui_mode: 'embedded_page' as const, return_url: params.embedded.returnUrl }
        : { success_url: params.successUrl, cancel_url: params.cancelUrl }),
      ...(params.lang ? { locale: CHECKOUT_LOCALES[params.lang] } : {}),
      // A campaign counts gifts in its own currency: Checkout must not present the donor another one.
      adaptive_pricing: { enabled: false },
      // A Gift Aid declaration needs the donor's name and home address: Checkout's required billing address.
      ...(params.giftAid ? { billing_address_collection: 'required' as const } : {}),
    };
    const stripe = await this.client();
    const session = await stripe.checkout.sessions
      .create(
        params.mode === 'payment'
          ? { ...common, mode: 'payment', submit_type: 'donate', payment_intent_data: { metadata } }
          : { ...common, mode: 'subscription', subscription_data: { metadata } },
        { idempotencyKey },
      )
      .catch(translate);
    // A repeated key gets Stripe's frozen first answer ("open" then, perhaps paid since): ask Stripe how the
    // session stands now before sending a donor to it.
    if (session.lastResponse?.headers?.['idempotent-replayed'] === 'true') {
      const current = await stripe.checkout.sessions.retrieve(session.id).catch(translate);
      return { id: current.id, url: current.url, open: current.status === 'open', clientSecret: current.client_secret };
    }
    return { id: session.id, url: session.url, open: session.status === 'open', clientSecret: session.client_secret };
  }
}
