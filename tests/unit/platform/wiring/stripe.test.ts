import { afterEach, describe, expect, it, vi } from 'vitest';
import { DonationsNotConfiguredError } from '../../../../functions/core/shared/errors.js';
import { logger } from '../../../../functions/platform/logger.js';
import { STRIPE_SECRET_LIFETIME_SECONDS, STRIPE_SECRET_RECHECK_SECONDS, StripeAccount } from '../../../../functions/platform/wiring/stripe.js';
import { FakeClock } from '../../../support/fakes.js';

const keys = (secretKey: string, webhookSecret = 'whsec_1') => JSON.stringify({ secretKey, webhookSecret });

/** The Stripe secret as the extension answers it: `value` now, or a failure; counts the reads. */
const source = (value: string) => {
  const state = { value, reads: 0, fail: false };
  return {
    state,
    getSecretString: async () => {
      state.reads += 1;
      if (state.fail) throw new Error('secret stripe could not be read from the secrets extension: HTTP 500');
      return state.value;
    },
  };
};

afterEach(() => vi.restoreAllMocks());

describe('the Stripe account', () => {
  it('uses the secret it read for its lifetime, then reads it again: a rolled key reaches a running function', async () => {
    const clock = new FakeClock();
    const secrets = source(keys('sk_test_old'));
    const account = new StripeAccount(secrets, 'stripe', undefined, clock);
    const first = await account.connection();
    clock.advance(STRIPE_SECRET_LIFETIME_SECONDS - 1);
    secrets.state.value = keys('sk_live_new', 'whsec_2');
    expect(await account.connection()).toBe(first);
    expect(secrets.state.reads).toBe(1);
    clock.advance(2);
    const rolled = await account.connection();
    expect(secrets.state.reads).toBe(2);
    expect(rolled).toMatchObject({ webhookSecret: 'whsec_2', livemode: true });
    expect(rolled.stripe).not.toBe(first.stripe);
  });

  it('gives the portal configuration the secret names, and none for a secret stored before setup named one', async () => {
    const named = new StripeAccount(source(JSON.stringify({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1', portalConfiguration: 'bpc_1' })), 'stripe', undefined);
    expect(await named.connection()).toMatchObject({ portalConfiguration: 'bpc_1' });
    expect((await new StripeAccount(source(keys('sk_test_1')), 'stripe', undefined).connection()).portalConfiguration).toBeUndefined();
    // Not a configuration's id: the secret was filled in wrongly, and no session would open with it.
    const wrong = new StripeAccount(source(JSON.stringify({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1', portalConfiguration: 'whsec_2' })), 'stripe', undefined);
    expect(await wrong.current()).toBeUndefined();
  });

  it('keeps the client of an unchanged key when it reads the secret again', async () => {
    const clock = new FakeClock();
    const account = new StripeAccount(source(keys('sk_test_same')), 'stripe', undefined, clock);
    const first = await account.connection();
    clock.advance(STRIPE_SECRET_LIFETIME_SECONDS + 1);
    expect((await account.connection()).stripe).toBe(first.stripe);
  });

  it('reads a secret that is not set at most once per recheck interval, however many requests come, and says so once', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const clock = new FakeClock();
    const secrets = source(JSON.stringify({ placeholder: 'abc' }));
    const account = new StripeAccount(secrets, 'stripe', undefined, clock);
    const answers = await Promise.allSettled(Array.from({ length: 10 }, () => account.connection()));
    expect(answers.every((a) => a.status === 'rejected' && a.reason instanceof DonationsNotConfiguredError)).toBe(true);
    expect(secrets.state.reads).toBe(1);
    clock.advance(STRIPE_SECRET_RECHECK_SECONDS + 1);
    await expect(account.connection()).rejects.toThrow(DonationsNotConfiguredError);
    expect(secrets.state.reads).toBe(2);
    expect(warn.mock.calls.filter(([message]) => message === 'stripe secret not set')).toHaveLength(1);
  });

  it('tells a placeholder from a secret filled in wrongly, naming no value', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    for (const [value, reason] of [
      [JSON.stringify({ placeholder: 'abc' }), 'placeholder'],
      [JSON.stringify({ secretKey: 'pk_test_publishable', webhookSecret: 'whsec_1' }), 'unexpected fields'],
      ['sk_test_not_json', 'unexpected fields'],
      ['', 'empty'],
    ] as const) {
      await new StripeAccount(source(value), 'stripe', undefined).current();
      expect(warn.mock.lastCall).toEqual(['stripe secret not set', expect.objectContaining({ reason })]);
      expect(JSON.stringify(warn.mock.lastCall)).not.toMatch(/pk_test|sk_test|abc/);
    }
  });

  it('keeps the connection it has when a later read fails, and tries again after the recheck interval', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const clock = new FakeClock();
    const secrets = source(keys('sk_test_1'));
    const account = new StripeAccount(secrets, 'stripe', undefined, clock);
    const first = await account.connection();
    secrets.state.fail = true;
    clock.advance(STRIPE_SECRET_LIFETIME_SECONDS + 1);
    expect(await account.connection()).toBe(first);
    secrets.state.fail = false;
    secrets.state.value = keys('sk_test_2');
    clock.advance(STRIPE_SECRET_RECHECK_SECONDS + 1);
    expect((await account.connection()).stripe).not.toBe(first.stripe);
  });

  it('fails like any read failure when it has never read the secret', async () => {
    const secrets = source('');
    secrets.state.fail = true;
    await expect(new StripeAccount(secrets, 'stripe', undefined).current()).rejects.toThrow(/HTTP 500/);
  });
});
