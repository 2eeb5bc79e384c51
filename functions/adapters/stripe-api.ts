import Stripe from 'stripe';
import { TransientError } from '../core/shared/errors.js';

/*
 * The Stripe client, its key's mode and its failures as ours: what every function that talks to Stripe needs at its
 * cold start. What reads our metadata back (stripe-client.ts, which re-exports this module) is the webhook's and the
 * thank-you page's.
 */

export interface StripeOptions {
  secretKey: string;
  /** Only to reach a stand-in (the dev server's simulator); production talks to api.stripe.com. */
  apiUrl?: string | undefined;
}

export const stripeClient = (options: StripeOptions) => {
  const url = options.apiUrl ? new URL(options.apiUrl) : undefined;
  return new Stripe(options.secretKey, {
    maxNetworkRetries: 2,
    timeout: 8000,
    telemetry: false,
    ...(url ? { host: url.hostname, port: url.port, protocol: url.protocol === 'http:' ? 'http' : 'https' } : {}),
  });
};

const retryable = (error: unknown) =>
  error instanceof Stripe.errors.StripeConnectionError ||
  error instanceof Stripe.errors.StripeAPIError ||
  error instanceof Stripe.errors.StripeRateLimitError;

/** Stripe's failures that a retry may fix become TransientError; the message never carries Stripe's text. */
export const translate = (error: unknown): never => {
  if (retryable(error)) throw new TransientError('the payment service is unavailable', { cause: error });
  throw error;
};

export const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : value?.id);

/**
 * Whether a Stripe API key is a live one. Stripe's keys say their mode in their prefix (`sk_live_`, `rk_live_`;
 * `sk_test_`, `rk_test_`), and a live key only ever sees live events: deriving the mode from the key means a
 * stage deployed with a live key can never mistake its own events for the other mode's.
 */
export const isLiveKey = (secretKey: string) => /^(sk|rk)_live_/.test(secretKey);

