import Stripe from 'stripe';
import { NotFoundError } from '../core/shared/errors.js';
import { parse } from '../core/shared/schema.js';
import type { Language } from '../core/shared/i18n/index.js';
import { messagesOf } from '../core/shared/i18n/catalogue.js';
import { fill } from '../core/shared/i18n/format.js';
import type { CheckoutParams, Payments } from '../core/donations/ports.js';
import { idOf, Metadata, translate } from './stripe-client.js';
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

export class StripePayments implements Payments {
  private readonly account: () => Promise<PaymentsAccount>;

  /**
   * `stripe`: the client, or where to get the current account (the stage's Stripe account, whose key and portal
   * configuration can change while the function runs; it throws DonationsNotConfiguredError while none is set).
   */
  constructor(stripe: Stripe | (() => Promise<PaymentsAccount>)) {
    this.account = typeof stripe === 'function' ? stripe : () => Promise.resolve({ stripe });
  }

  private async client() {
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

  async describeCheckout(sessionId: string) {
    const stripe = await this.client();
    try {
      const session = await stripe.checkout.sessions.retrieve(sessionId);
      if (session.amount_total === null || !session.currency) return undefined;
      const meta = parse(Metadata, session.metadata ?? {});
      return {
        complete: session.status === 'complete',
        paid: session.payment_status === 'paid',
        amount: session.amount_total,
        currency: session.currency,
        frequency: session.mode === 'subscription' ? ('monthly' as const) : ('once' as const),
        campaign: meta.campaign,
        customer: idOf(session.customer),
      };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return undefined; // no such session
      return translate(error);
    }
  }

  async createPortalSession(customer: string, returnUrl: string) {
    const { stripe, portalConfiguration } = await this.account();
    try {
      // The portal's features (cancel, change the card) are Appeal's portal configuration, made by `stripe setup`
      // (the account's default for a secret stored before it named one); a session is short-lived, so each visit
      // of a manage link makes its own.
      const session = await stripe.billingPortal.sessions.create({
        customer,
        return_url: returnUrl,
        ...(portalConfiguration ? { configuration: portalConfiguration } : {}),
      });
      return session.url;
    } catch (error) {
      // A customer deleted in the dashboard (or of the other mode): no retry brings it back.
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing' && error.param === 'customer') {
        throw new NotFoundError('We could not find a monthly gift for this link. It may have been removed.', { cause: error });
      }
      return translate(error);
    }
  }
}

