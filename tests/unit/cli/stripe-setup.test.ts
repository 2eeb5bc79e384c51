import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { APPEAL_PORTAL_METADATA, portalHeadline, type StripeSecretJson, type StripeSecretStore, secretsManagerStore, setUpPortal } from '../../../cli/stripe-setup.js';

// A stage's Stripe secret cannot be reached from here: these check the requests the setup makes to Secrets Manager.
const secretsManager = mockClient(SecretsManagerClient);
afterEach(() => secretsManager.reset());

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:StripeSecret-abc';

describe('the stage\'s Stripe secret, as stripe setup stores a signing secret in it', () => {
  it('reads the secret, then puts it back whole with the new webhookSecret (the secret key and any other field kept)', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ secretKey: 'rk_live_abc', webhookSecret: 'whsec_old', note: 'kept' }) });
    secretsManager.on(PutSecretValueCommand).resolves({});
    const store = secretsManagerStore(new SecretsManagerClient({ region: 'eu-west-1' }), ARN);
    await store.writeWebhookSecret('whsec_new');
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: ARN }]);
    expect(secretsManager.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: ARN, SecretString: JSON.stringify({ secretKey: 'rk_live_abc', webhookSecret: 'whsec_new', note: 'kept' }) },
    ]);
  });

  it('gives the first deploy\'s placeholder secret its webhookSecret, keeping what is there', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ placeholder: 'x1' }) });
    secretsManager.on(PutSecretValueCommand).resolves({});
    await secretsManagerStore(new SecretsManagerClient({ region: 'eu-west-1' }), ARN).writeWebhookSecret('whsec_new');
    expect(JSON.parse(String(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString))).toEqual({ placeholder: 'x1', webhookSecret: 'whsec_new' });
  });

  it('stores the portal configuration\'s id beside the keys, keeping every other field', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ secretKey: 'rk_live_abc', webhookSecret: 'whsec_old' }) });
    secretsManager.on(PutSecretValueCommand).resolves({});
    await secretsManagerStore(new SecretsManagerClient({ region: 'eu-west-1' }), ARN).writePortalConfiguration('bpc_1');
    expect(JSON.parse(String(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString))).toEqual({
      secretKey: 'rk_live_abc',
      webhookSecret: 'whsec_old',
      portalConfiguration: 'bpc_1',
    });
  });

  it('never prints a secret that is not JSON', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'sk_live_not_json' });
    const read = secretsManagerStore(new SecretsManagerClient({ region: 'eu-west-1' }), ARN).read();
    await expect(read).rejects.toThrow(`the secret ${ARN} is not a JSON object`);
    await expect(read).rejects.not.toThrow(/sk_live/);
  });
});

/** A configuration as Stripe answers it, as Appeal needs it unless `changes` say otherwise. */
const configuration = (id: string, created: number, changes: { metadata?: Record<string, string>; cancel?: boolean; headline?: string; isDefault?: boolean } = {}) =>
  ({
    id,
    object: 'billing_portal.configuration',
    active: true,
    created,
    is_default: changes.isDefault ?? false,
    metadata: changes.metadata ?? { ...APPEAL_PORTAL_METADATA },
    business_profile: { headline: changes.headline ?? 'Your gifts', privacy_policy_url: null, terms_of_service_url: null },
    features: {
      subscription_cancel: { enabled: changes.cancel ?? true, mode: 'immediately', proration_behavior: 'none' },
      payment_method_update: { enabled: true },
      invoice_history: { enabled: true },
    },
  }) as unknown as Stripe.BillingPortal.Configuration;

/** The portal configurations calls the setup makes, on a list of active configurations; records what it asks. */
const portalApi = (configurations: Stripe.BillingPortal.Configuration[]) => {
  const calls: { list: unknown[]; create: Stripe.BillingPortal.ConfigurationCreateParams[]; update: [string, Stripe.BillingPortal.ConfigurationUpdateParams][] } = { list: [], create: [], update: [] };
  const stripe = {
    billingPortal: {
      configurations: {
        list: (params: unknown) => {
          calls.list.push(params);
          // Stripe answers newest first; the setup reads every page through the list's iterator.
          return (async function* () {
            yield* [...configurations].sort((a, b) => b.created - a.created);
          })();
        },
        create: async (params: Stripe.BillingPortal.ConfigurationCreateParams) => {
          calls.create.push(params);
          const made = configuration(`bpc_new${calls.create.length}`, 1000, { headline: params.business_profile?.headline ?? '' });
          configurations.push(made);
          return made;
        },
        update: async (id: string, params: Stripe.BillingPortal.ConfigurationUpdateParams) => {
          calls.update.push([id, params]);
          return configurations.find((c) => c.id === id);
        },
      },
    },
  } as unknown as Stripe;
  return { stripe, calls };
};

/** A Stripe secret in memory, counting its writes. */
const memoryStore = (initial: StripeSecretJson = {}) => {
  const secret = { ...initial };
  const writes: string[] = [];
  const store: StripeSecretStore = {
    where: 'memory',
    read: async () => ({ ...secret }),
    writeWebhookSecret: async (webhookSecret) => {
      writes.push('webhookSecret');
      secret.webhookSecret = webhookSecret;
    },
    writePortalConfiguration: async (id) => {
      writes.push('portalConfiguration');
      secret.portalConfiguration = id;
    },
  };
  return { store, secret, writes };
};

describe('the Customer Portal setup', () => {
  it('creates Appeal\'s own configuration when the account has none (no dashboard step), stores its id, and a second run changes nothing', async () => {
    // The account's default and another product's configuration are not Appeal's: neither is used nor changed.
    const { stripe, calls } = portalApi([configuration('bpc_default', 1, { metadata: {}, isDefault: true }), configuration('bpc_other', 2, { metadata: { app: 'shop' } })]);
    const { store, secret, writes } = memoryStore({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1' });
    const portal = { headline: 'Your gifts to The Gazette', privacyPolicyUrl: 'https://example.org/privacy' };

    const steps = await setUpPortal(stripe, store, portal);
    expect(calls.list).toEqual([{ active: true, limit: 100 }]);
    expect(calls.create).toEqual([
      {
        features: {
          subscription_cancel: { enabled: true, mode: 'immediately', proration_behavior: 'none' },
          payment_method_update: { enabled: true },
          invoice_history: { enabled: true },
        },
        business_profile: { headline: 'Your gifts to The Gazette', privacy_policy_url: 'https://example.org/privacy' },
        metadata: { appeal: 'customer-portal' },
      },
    ]);
    expect(calls.update).toEqual([]);
    expect(secret).toEqual({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1', portalConfiguration: 'bpc_new1' });
    expect(steps.map((s) => `${s.outcome} ${s.what}`)).toEqual(['created portal configuration', 'stored portal configuration']);

    const again = await setUpPortal(stripe, store, { headline: 'Your gifts to The Gazette' });
    expect(again).toEqual([{ what: 'portal configuration', outcome: 'unchanged', detail: 'bpc_new1' }]);
    expect(calls.create).toHaveLength(1);
    expect(calls.update).toEqual([]);
    expect(writes).toEqual(['portalConfiguration']);
  });

  it('keeps the oldest of Appeal\'s configurations, changes only what differs, stores its id, and names the others', async () => {
    const { stripe, calls } = portalApi([
      configuration('bpc_newer', 20),
      configuration('bpc_oldest', 10, { cancel: false, headline: 'Old words' }),
      configuration('bpc_default', 1, { metadata: {}, isDefault: true }),
    ]);
    const { store, secret } = memoryStore({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1', portalConfiguration: 'bpc_gone' });
    const steps = await setUpPortal(stripe, store, { headline: 'Your gifts' });
    expect(calls.create).toEqual([]);
    expect(calls.update).toEqual([
      ['bpc_oldest', { features: { subscription_cancel: { enabled: true, mode: 'immediately', proration_behavior: 'none' } }, business_profile: { headline: 'Your gifts' } }],
    ]);
    expect(secret.portalConfiguration).toBe('bpc_oldest');
    expect(steps.map((s) => `${s.outcome} ${s.what}: ${s.detail}`)).toEqual([
      'updated portal configuration: bpc_oldest: cancelling, headline',
      'stored portal configuration: bpc_oldest in memory',
      expect.stringMatching(/^note warning: another Appeal portal configuration, bpc_newer, is not used/),
    ]);
  });

  it('leaves the secret alone when it already names Appeal\'s configuration', async () => {
    const { stripe, calls } = portalApi([configuration('bpc_1', 10)]);
    const { store, writes } = memoryStore({ secretKey: 'sk_test_1', webhookSecret: 'whsec_1', portalConfiguration: 'bpc_1' });
    expect(await setUpPortal(stripe, store, { headline: 'Your gifts' })).toEqual([{ what: 'portal configuration', outcome: 'unchanged', detail: 'bpc_1' }]);
    expect(calls.create).toEqual([]);
    expect(calls.update).toEqual([]);
    expect(writes).toEqual([]);
  });

  it('words a headline within Stripe\'s 60 characters', () => {
    expect(portalHeadline('The Gazette')).toBe('Your gifts to The Gazette');
    expect(portalHeadline('x'.repeat(80))).toHaveLength(60);
  });
});
