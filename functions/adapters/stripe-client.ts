import Stripe from 'stripe';
import * as z from 'zod/mini';
import { Frequency } from '../core/donations/model.js';
import { TransientError } from '../core/shared/errors.js';
import { LANGUAGES } from '../core/shared/i18n/index.js';
import { AttributionMetadataShape } from '../core/experiments/attribution-metadata.js';

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

/** Our metadata on every session, subscription and payment: all strings, as Stripe stores them. */
export const Metadata = z.object({
  campaign: z.optional(z.string()),
  frequency: z.catch(Frequency, 'once'),
  subscribe: z.catch(z.enum(['true', 'false']), 'false'),
  /** The donor's language, one of ours; anything else (a session our checkout did not make) is no language. */
  lang: z.catch(z.optional(z.enum(LANGUAGES)), undefined),
  /** Where the gift came from, in a few short keys (core/experiments/attribution.ts). */
  ...AttributionMetadataShape,
});

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

