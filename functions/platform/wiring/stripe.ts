import { loadSigningKey, loadStripeSecrets, type SecretSource } from '../../adapters/secret-values.js';
import { isLiveKey, stripeClient } from '../../adapters/stripe-client.js';
import { deriveKeys } from '../../core/shared/secrets.js';

/** The signing key and the Stripe client (with its webhook secret), read together at cold start. */
export const stripeAndKeys = async (
  config: { SIGNING_SECRET_ID: string; STRIPE_SECRET_ID: string; STRIPE_API_URL?: string | undefined },
  secrets: SecretSource,
) => {
  const [signingKey, stripeSecrets] = await Promise.all([
    loadSigningKey(secrets, config.SIGNING_SECRET_ID),
    loadStripeSecrets(secrets, config.STRIPE_SECRET_ID),
  ]);
  return {
    keys: deriveKeys(signingKey),
    stripe: stripeClient({ secretKey: stripeSecrets.secretKey, apiUrl: config.STRIPE_API_URL }),
    webhookSecret: stripeSecrets.webhookSecret,
    // Live or test events: the key says which (sk_live_/rk_live_), so a live key never ignores live events.
    livemode: isLiveKey(stripeSecrets.secretKey),
  };
};
