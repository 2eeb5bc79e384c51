import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { StripePayments } from '../../../functions/adapters/stripe-payments.js';

/** A client whose portal sessions record what they were asked. */
const stripeRecordingSessions = () => {
  const asked: Stripe.BillingPortal.SessionCreateParams[] = [];
  const stripe = {
    billingPortal: {
      sessions: {
        create: async (params: Stripe.BillingPortal.SessionCreateParams) => {
          asked.push(params);
          return { url: 'https://billing.stripe.com/p/session/test_1' };
        },
      },
    },
  } as unknown as Stripe;
  return { stripe, asked };
};

describe('a portal session', () => {
  it('names Appeal\'s portal configuration when the Stripe secret has it', async () => {
    const { stripe, asked } = stripeRecordingSessions();
    const payments = new StripePayments(async () => ({ stripe, portalConfiguration: 'bpc_appeal' }));
    expect(await payments.createPortalSession('cus_1', 'https://news.example.org/')).toBe('https://billing.stripe.com/p/session/test_1');
    expect(asked).toEqual([{ customer: 'cus_1', return_url: 'https://news.example.org/', configuration: 'bpc_appeal' }]);
  });

  it('names none for a secret set up before it had one: the account\'s default configuration serves', async () => {
    const { stripe, asked } = stripeRecordingSessions();
    await new StripePayments(async () => ({ stripe, portalConfiguration: undefined })).createPortalSession('cus_1', 'https://news.example.org/');
    await new StripePayments(stripe).createPortalSession('cus_2', 'https://news.example.org/');
    expect(asked).toEqual([
      { customer: 'cus_1', return_url: 'https://news.example.org/' },
      { customer: 'cus_2', return_url: 'https://news.example.org/' },
    ]);
  });
});
