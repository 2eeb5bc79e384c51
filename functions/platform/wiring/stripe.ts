import type Stripe from 'stripe';
import { loadSigningKey, readStripeSecrets, type SecretSource } from '../../adapters/secret-values.js';
import { isLiveKey, stripeClient } from '../../adapters/stripe-api.js';
import { DonationsNotConfiguredError } from '../../core/shared/errors.js';
import type { Clock } from '../../core/shared/ports.js';
import { deriveKeys } from '../../core/shared/secrets.js';
import { systemClock } from '../clients.js';
import { logger } from '../logger.js';

/**
 * How long a function uses the Stripe secret it read before reading it again: a key rolled in Stripe and put in the
 * secret reaches running functions within this (plus the Parameters and Secrets extension's own cache, 5 minutes by
 * default), with no deploy. A read is a GET on localhost, answered from the extension's cache.
 */
export const STRIPE_SECRET_LIFETIME_SECONDS = 300;
/**
 * How often a function whose Stripe secret is not set yet reads it again (not on every request): once someone (or
 * `stripe setup`) fills it in, donations work within this plus the extension's cache lifetime.
 */
export const STRIPE_SECRET_RECHECK_SECONDS = 30;

/** Stripe as a function uses it: the client for its key, the webhook's signing secret, the portal configuration, and the key's mode. */
export interface StripeConnection {
  stripe: Stripe;
  webhookSecret: string;
  /** Appeal's Customer Portal configuration, named on portal sessions; unset, they use the account's default. */
  portalConfiguration?: string | undefined;
  /** Live or test events: the key says which (sk_live_/rk_live_), so a live key never ignores live events. */
  livemode: boolean;
}

/**
 * The stage's Stripe account as the secret describes it now. The secret is filled in by a person after the first
 * deploy, and changed when keys are rolled, so it is read again once it is older than its lifetime, and, while it
 * is not set yet, every STRIPE_SECRET_RECHECK_SECONDS. A function whose secret is not set answers its donation
 * routes 503 (DonationsNotConfiguredError) instead of failing its cold start, and logs why once: at its cold start,
 * and again only when the secret goes from set to not set.
 */
export class StripeAccount {
  private held: { due: number; connection?: StripeConnection; secretKey?: string } | undefined;
  private reading: Promise<StripeConnection | undefined> | undefined;

  constructor(
    private readonly secrets: SecretSource,
    private readonly secretId: string,
    private readonly apiUrl: string | undefined,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The connection, when the secret is set; undefined while it is not. Throws when the secret cannot be read at all. */
  current(): Promise<StripeConnection | undefined> {
    if (this.held && this.clock.now().getTime() < this.held.due) return Promise.resolve(this.held.connection);
    // One read at a time: the requests that arrive meanwhile wait for it.
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  /** The connection; throws DonationsNotConfiguredError while the secret is not set. */
  async connection(): Promise<StripeConnection> {
    const connection = await this.current();
    if (!connection) throw new DonationsNotConfiguredError();
    return connection;
  }

  private async read(): Promise<StripeConnection | undefined> {
    const now = this.clock.now().getTime();
    const held = this.held;
    let secret: Awaited<ReturnType<typeof readStripeSecrets>>;
    try {
      secret = await readStripeSecrets(this.secrets, this.secretId);
    } catch (error) {
      // The extension or Secrets Manager failed: keep what was read before, and try again a little later.
      if (!held?.connection) throw error;
      logger.warn('stripe secret not refreshed', { error: error as Error });
      this.held = { ...held, due: now + STRIPE_SECRET_RECHECK_SECONDS * 1000 };
      return held.connection;
    }
    if (!secret.set) {
      // Said at the cold start and when a set secret goes back: the line a metric filter counts (infra/log-metrics.ts).
      if (!held || held.connection) logger.warn('stripe secret not set', { reason: secret.gap, recheckSeconds: STRIPE_SECRET_RECHECK_SECONDS, stripeSecretNotSet: true });
      this.held = { due: now + STRIPE_SECRET_RECHECK_SECONDS * 1000 };
      return undefined;
    }
    // The same key keeps its client (and its open connections); a new key gets a new one.
    const stripe = held?.connection && held.secretKey === secret.secretKey ? held.connection.stripe : stripeClient({ secretKey: secret.secretKey, apiUrl: this.apiUrl });
    const connection: StripeConnection = { stripe, webhookSecret: secret.webhookSecret, portalConfiguration: secret.portalConfiguration, livemode: isLiveKey(secret.secretKey) };
    if (held && !held.connection) logger.info('stripe secret set', { livemode: connection.livemode });
    this.held = { due: now + STRIPE_SECRET_LIFETIME_SECONDS * 1000, connection, secretKey: secret.secretKey };
    return connection;
  }
}

/**
 * The signing key, read at cold start, and the Stripe account, read then too (so that its log line, if it is not
 * set, comes with the cold start) and again as it ages.
 */
export const stripeAndKeys = async (
  config: { SIGNING_SECRET_ID: string; STRIPE_SECRET_ID: string; STRIPE_API_URL?: string | undefined },
  secrets: SecretSource,
) => {
  const account = new StripeAccount(secrets, config.STRIPE_SECRET_ID, config.STRIPE_API_URL);
  const [signingKey] = await Promise.all([loadSigningKey(secrets, config.SIGNING_SECRET_ID), account.current()]);
  return { keys: deriveKeys(signingKey), account };
};
