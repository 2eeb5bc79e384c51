import Stripe from 'stripe';
import { NotFoundError } from '../core/shared/errors.js';
import { parse } from '../core/shared/schema.js';
import type { Payments } from '../core/donations/ports.js';
import { idOf, Metadata, translate } from './stripe-client.js';
import { StripeCheckout } from './stripe-checkout.js';

export { type PaymentsAccount, StripeCheckout } from './stripe-checkout.js';

/** Everything the donations function asks of Stripe: a checkout (StripeCheckout), what it was for, the Customer Portal. */
export class StripePayments extends StripeCheckout implements Payments {
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

