import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { NoDefaultPortalError, portalHeadline, secretsManagerStore, setUpPortal } from '../../../cli/stripe-setup.js';

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

  it('never prints a secret that is not JSON', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'sk_live_not_json' });
    const read = secretsManagerStore(new SecretsManagerClient({ region: 'eu-west-1' }), ARN).read();
    await expect(read).rejects.toThrow(`the secret ${ARN} is not a JSON object`);
    await expect(read).rejects.not.toThrow(/sk_live/);
  });
});

describe('the Customer Portal setup', () => {
  it('says where to press Save when Stripe has no default configuration (only its dashboard makes one)', async () => {
    // Only the one call the setup makes first; the simulator always has its default, so this case needs a stand-in.
    const noDefault = { billingPortal: { configurations: { list: async () => ({ data: [] }) } } } as unknown as Stripe;
    const setup = setUpPortal(noDefault, { headline: 'Your gifts' }, 'live');
    await expect(setup).rejects.toBeInstanceOf(NoDefaultPortalError);
    await expect(setup).rejects.toThrow('open https://dashboard.stripe.com/settings/billing/portal, press Save, then run this again');
  });

  it('words a headline within Stripe\'s 60 characters', () => {
    expect(portalHeadline('The Gazette')).toBe('Your gifts to The Gazette');
    expect(portalHeadline('x'.repeat(80))).toHaveLength(60);
  });

});
