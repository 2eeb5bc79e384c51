import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Command, InvalidArgumentError, Option } from 'commander';
import Stripe from 'stripe';
import * as z from 'zod';
import { isLiveKey } from '../functions/adapters/stripe-client.js';
import { HANDLED_STRIPE_EVENTS } from '../functions/adapters/stripe-handled-events.js';
import { loadStageConfig } from '../infra/config.js';
import { DEMO_SITE_NAME, STRIPE_TEST_KEY } from '../local/server/dev-config.js';
import { writeFileAtomic } from '../local/stand-ins/journal.js';
import { stageTarget } from './target.js';

// `stripe setup`: the Stripe side of a stage made through Stripe's API, as the webhook and the donations function
// need it: the webhook endpoint and Appeal's own Customer Portal configuration. Run again, it changes nothing.

/** The API version Appeal is built for: the one the `stripe` package pins, which its types describe. */
export const APPEAL_API_VERSION = Stripe.API_VERSION;
/** The path of the webhook on the API (functions/platform/routes.ts). */
export const WEBHOOK_PATH = '/v1/stripe/webhook';
/** Marks the endpoint as Appeal's in the dashboard. */
const ENDPOINT_DESCRIPTION = 'Appeal: gifts, refunds, disputes and monthly gifts';

/**
 * What a restricted key needs, by the calls each makes (Stripe's dashboard names the permissions so). The setup's
 * calls: list, create, update and delete webhook endpoints; list, create and update portal configurations. Appeal's, from
 * functions/adapters/stripe-payments.ts and stripe-payment-events.ts: Checkout Sessions create and retrieve, portal
 * sessions create, invoices retrieve (with their payments).
 */
export const SETUP_PERMISSIONS = ['Webhook Endpoints: Write', 'Customer portal: Write'] as const;
export const APPEAL_PERMISSIONS = ['Checkout Sessions: Write', 'Customer portal: Write', 'Invoices: Read'] as const;

/** The Stripe secret's JSON, as the functions read it (functions/adapters/secret-values.ts); other fields are kept. */
export const StripeSecretJson = z.looseObject({ secretKey: z.string().optional(), webhookSecret: z.string().optional(), portalConfiguration: z.string().optional() });
export type StripeSecretJson = z.infer<typeof StripeSecretJson>;

/** Where the stage keeps its Stripe secret, and how to change its webhook secret and portal configuration there. */
export interface StripeSecretStore {
  /** For messages: where it is. */
  where: string;
  read(): Promise<StripeSecretJson>;
  /** Sets `webhookSecret`, keeping every other field. */
  writeWebhookSecret(secret: string): Promise<void>;
  /** Sets `portalConfiguration` (the id of Appeal's Customer Portal configuration), keeping every other field. */
  writePortalConfiguration(id: string): Promise<void>;
}

/** A stage's Stripe secret in Secrets Manager (`StripeSecretArn`): GetSecretValue, then PutSecretValue of the whole JSON. */
export const secretsManagerStore = (client: SecretsManagerClient, secretId: string): StripeSecretStore => {
  const read = async () => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    let value: unknown;
    try {
      value = JSON.parse(SecretString ?? '{}');
    } catch {
      value = undefined; // JSON.parse quotes the text: never print a secret
    }
    const parsed = StripeSecretJson.safeParse(value);
    if (!parsed.success) throw new Error(`the secret ${secretId} is not a JSON object`);
    return parsed.data;
  };
  const write = async (fields: StripeSecretJson) => {
    const current = await read();
    await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify({ ...current, ...fields }) }));
  };
  return {
    where: `the secret ${secretId}`,
    read,
    writeWebhookSecret: (webhookSecret) => write({ webhookSecret }),
    writePortalConfiguration: (portalConfiguration) => write({ portalConfiguration }),
  };
};

/**
 * The dev server's keys (`state.json` in its data folder), which it puts in its Secrets Manager stand-in when it
 * starts: the secret key is the simulator's, the webhook secret the endpoint's, the portal configuration Appeal's.
 */
export const dataDirStore = (dataDir: string, secretKey: string): StripeSecretStore => {
  const file = join(dataDir, 'state.json');
  const readKeys = (): Record<string, unknown> => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {});
  return {
    where: file,
    read: async () => {
      const { webhookSecret, portalConfiguration } = readKeys();
      return {
        secretKey,
        ...(typeof webhookSecret === 'string' ? { webhookSecret } : {}),
        ...(typeof portalConfiguration === 'string' ? { portalConfiguration } : {}),
      };
    },
    async writeWebhookSecret(webhookSecret) {
      writeFileAtomic(file, JSON.stringify({ ...readKeys(), webhookSecret }));
    },
    async writePortalConfiguration(portalConfiguration) {
      writeFileAtomic(file, JSON.stringify({ ...readKeys(), portalConfiguration }));
    },
  };
};

/** What the Customer Portal shows: the headline and the site's links (each optional). */
export interface PortalSettings {
  headline: string;
  privacyPolicyUrl?: string | undefined;
  termsOfServiceUrl?: string | undefined;
}

export interface StripeSetupInput {
  /** The stage's webhook URL: `<PUBLIC_API_URL>/v1/stripe/webhook`. */
  webhookUrl: string;
  portal: PortalSettings;
  /** Replace the endpoint (a new signing secret), even when nothing else differs. */
  rotateSecret?: boolean;
}

/** One thing the setup did or found, as a line of output. */
export interface SetupStep {
  what: 'webhook endpoint' | 'signing secret' | 'portal configuration' | 'warning';
  outcome: 'created' | 'updated' | 'replaced' | 'unchanged' | 'stored' | 'deleted' | 'note';
  detail: string;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && new Set(a).size === new Set([...a, ...b]).size;

/** The endpoints for one URL, oldest first (the one kept), through every page of the list. */
const endpointsAt = async (stripe: Stripe, url: string) => {
  const found: Stripe.WebhookEndpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) if (endpoint.url === url) found.push(endpoint);
  return found.sort((a, b) => a.created - b.created);
};

/** Why an existing endpoint cannot be kept as it is and must be made again (a new secret), or undefined. */
const replacementReason = (endpoint: Stripe.WebhookEndpoint, storedSecret: string | undefined, rotate: boolean) => {
  if (rotate) return 'asked for a new signing secret (--rotate-secret)';
  // Stripe fixes an endpoint's API version when it is made, and shows its secret only then.
  if (endpoint.api_version !== APPEAL_API_VERSION) return `its API version is ${endpoint.api_version ?? 'the account default'}, Appeal needs ${APPEAL_API_VERSION}`;
  if (!storedSecret?.startsWith('whsec_')) return 'its signing secret is not stored where the stage reads it (Stripe shows a secret only when it makes the endpoint)';
  return undefined;
};

/**
 * Creates or updates the webhook endpoint for `webhookUrl`: exactly the events Appeal handles, Appeal's API version,
 * enabled; stores its signing secret in `secrets`. An endpoint that is right is left alone, and its secret kept.
 * One that needs a new secret (rotation, another API version, a secret not stored) is replaced: the new one is made
 * and its secret stored before the old one is deleted, so events keep arriving.
 */
export const setUpWebhookEndpoint = async (stripe: Stripe, secrets: StripeSecretStore, input: StripeSetupInput): Promise<SetupStep[]> => {
  const steps: SetupStep[] = [];
  const [existing, ...duplicates] = await endpointsAt(stripe, input.webhookUrl);
  const stored = (await secrets.read()).webhookSecret;
  const events = [...HANDLED_STRIPE_EVENTS];
  const reason = existing && replacementReason(existing, stored, input.rotateSecret === true);
  if (!existing || reason) {
    const made = await stripe.webhookEndpoints.create({ url: input.webhookUrl, enabled_events: events, api_version: APPEAL_API_VERSION, description: ENDPOINT_DESCRIPTION });
    if (!made.secret) throw new Error(`Stripe made the webhook endpoint ${made.id} without showing its signing secret`);
    await secrets.writeWebhookSecret(made.secret);
    steps.push({
      what: 'webhook endpoint',
      outcome: existing ? 'replaced' : 'created',
      detail: `${made.id} for ${input.webhookUrl}: ${events.length} events, API version ${APPEAL_API_VERSION}${existing ? ` (${existing.id} ${reason})` : ''}`,
    });
    steps.push({ what: 'signing secret', outcome: 'stored', detail: `in ${secrets.where}` });
    if (existing) {
      await stripe.webhookEndpoints.del(existing.id);
      steps.push({ what: 'webhook endpoint', outcome: 'deleted', detail: `${existing.id}, replaced by ${made.id}` });
    }
  } else {
    const changes: Stripe.WebhookEndpointUpdateParams = {};
    const changed: string[] = [];
    if (!sameSet(existing.enabled_events, events)) {
      changes.enabled_events = events;
      changed.push(`events (${existing.enabled_events.length} → ${events.length})`);
    }
    if (existing.status !== 'enabled') {
      changes.disabled = false;
      changed.push('enabled');
    }
    if (existing.description !== ENDPOINT_DESCRIPTION) {
      changes.description = ENDPOINT_DESCRIPTION;
      changed.push('description');
    }
    if (changed.length > 0) await stripe.webhookEndpoints.update(existing.id, changes);
    steps.push({
      what: 'webhook endpoint',
      outcome: changed.length > 0 ? 'updated' : 'unchanged',
      detail: `${existing.id} for ${input.webhookUrl}${changed.length > 0 ? `: ${changed.join(', ')}` : ''}; its signing secret is kept`,
    });
  }
  for (const duplicate of duplicates) {
    steps.push({
      what: 'warning',
      outcome: 'note',
      detail: `another endpoint, ${duplicate.id}, also sends to ${input.webhookUrl} signed with a secret the stage does not have: delete it in the Stripe dashboard (Developers → Webhooks)`,
    });
  }
  return steps;
};

/**
 * What the portal must offer a monthly donor: cancelling (at once, without proration: a gift is not prorated), changing
 * the card, and the receipts (invoice history); with the site's headline and links.
 */
const portalChanges = (current: Stripe.BillingPortal.Configuration, portal: PortalSettings) => {
  const params: Stripe.BillingPortal.ConfigurationUpdateParams = {};
  const changed: string[] = [];
  const features: NonNullable<Stripe.BillingPortal.ConfigurationUpdateParams['features']> = {};
  const cancel = current.features.subscription_cancel;
  if (!cancel.enabled || cancel.mode !== 'immediately' || cancel.proration_behavior !== 'none') {
    features.subscription_cancel = { enabled: true, mode: 'immediately', proration_behavior: 'none' };
    changed.push('cancelling');
  }
  if (!current.features.payment_method_update.enabled) {
    features.payment_method_update = { enabled: true };
    changed.push('changing the card');
  }
  if (!current.features.invoice_history.enabled) {
    features.invoice_history = { enabled: true };
    changed.push('invoice history');
  }
  if (changed.length > 0) params.features = features;
  const profile: NonNullable<Stripe.BillingPortal.ConfigurationUpdateParams['business_profile']> = {};
  if (current.business_profile.headline !== portal.headline) {
    profile.headline = portal.headline;
    changed.push('headline');
  }
  if (portal.privacyPolicyUrl !== undefined && current.business_profile.privacy_policy_url !== portal.privacyPolicyUrl) {
    profile.privacy_policy_url = portal.privacyPolicyUrl;
    changed.push('privacy policy link');
  }
  if (portal.termsOfServiceUrl !== undefined && current.business_profile.terms_of_service_url !== portal.termsOfServiceUrl) {
    profile.terms_of_service_url = portal.termsOfServiceUrl;
    changed.push('terms of service link');
  }
  if (Object.keys(profile).length > 0) params.business_profile = profile;
  return { params, changed };
};

/** Marks a portal configuration as Appeal's (the account may have others: its default, another product's). */
export const APPEAL_PORTAL_METADATA = { appeal: 'customer-portal' } as const;

/** Appeal's active portal configurations, oldest first (the one kept), through every page of the list. */
const appealPortals = async (stripe: Stripe) => {
  const found: Stripe.BillingPortal.Configuration[] = [];
  for await (const configuration of stripe.billingPortal.configurations.list({ active: true, limit: 100 })) {
    if (configuration.metadata?.appeal === APPEAL_PORTAL_METADATA.appeal) found.push(configuration);
  }
  return found.sort((a, b) => a.created - b.created);
};

/** A new configuration as Appeal needs it (what portalChanges checks), marked as Appeal's. */
const portalCreateParams = (portal: PortalSettings): Stripe.BillingPortal.ConfigurationCreateParams => ({
  features: {
    subscription_cancel: { enabled: true, mode: 'immediately', proration_behavior: 'none' },
    payment_method_update: { enabled: true },
    invoice_history: { enabled: true },
  },
  business_profile: {
    headline: portal.headline,
    ...(portal.privacyPolicyUrl !== undefined ? { privacy_policy_url: portal.privacyPolicyUrl } : {}),
    ...(portal.termsOfServiceUrl !== undefined ? { terms_of_service_url: portal.termsOfServiceUrl } : {}),
  },
  metadata: { ...APPEAL_PORTAL_METADATA },
});

/**
 * Finds Appeal's own Customer Portal configuration (by its metadata) or creates it, makes it what Appeal needs
 * (changing only what differs), and stores its id in the stage's Stripe secret, where the functions read it to name
 * it on every portal session. Appeal's own rather than the account's default: Stripe makes the default only when a
 * person saves the portal settings in its dashboard, and the account's other uses of the portal keep theirs.
 */
export const setUpPortal = async (stripe: Stripe, secrets: StripeSecretStore, portal: PortalSettings): Promise<SetupStep[]> => {
  const steps: SetupStep[] = [];
  const [existing, ...others] = await appealPortals(stripe);
  let id: string;
  if (!existing) {
    id = (await stripe.billingPortal.configurations.create(portalCreateParams(portal))).id;
    steps.push({ what: 'portal configuration', outcome: 'created', detail: `${id}: cancelling, changing the card, invoice history, headline` });
  } else {
    id = existing.id;
    const { params, changed } = portalChanges(existing, portal);
    if (changed.length > 0) await stripe.billingPortal.configurations.update(id, params);
    steps.push({ what: 'portal configuration', outcome: changed.length > 0 ? 'updated' : 'unchanged', detail: `${id}${changed.length > 0 ? `: ${changed.join(', ')}` : ''}` });
  }
  if ((await secrets.read()).portalConfiguration !== id) {
    await secrets.writePortalConfiguration(id);
    steps.push({ what: 'portal configuration', outcome: 'stored', detail: `${id} in ${secrets.where}` });
  }
  for (const other of others) {
    steps.push({ what: 'warning', outcome: 'note', detail: `another Appeal portal configuration, ${other.id}, is not used: deactivate it in the Stripe dashboard (Settings → Billing → Customer portal)` });
  }
  return steps;
};

/** The whole setup: the endpoint, its secret, the portal. */
export const setUpStripe = async (stripe: Stripe, secrets: StripeSecretStore, input: StripeSetupInput) => [
  ...(await setUpWebhookEndpoint(stripe, secrets, input)),
  ...(await setUpPortal(stripe, secrets, input.portal)),
];

/** The portal's headline (Stripe allows 60 characters). */
export const portalHeadline = (siteName: string) => {
  const headline = `Your gifts to ${siteName}`;
  return headline.length <= 60 ? headline : `${headline.slice(0, 59)}…`;
};

/** The `stripe` client for a key, or for the dev server's simulator at `apiUrl`. */
export const stripeFor = (secretKey: string, apiUrl?: string) => {
  const url = apiUrl ? new URL(apiUrl) : undefined;
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    telemetry: false,
    ...(url ? { host: url.hostname, port: url.port, protocol: url.protocol === 'http:' ? 'http' : 'https' } : {}),
  });
};

/** `endpoints.json` of a running dev server: its URL and its Stripe simulator's API. */
export const LocalEndpoints = z.object({ url: z.string(), pid: z.number(), stripeApi: z.string().optional() });

const STAGES_DIR = fileURLToPath(new URL('../infra/stages/', import.meta.url));

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The running dev server of a data folder: its URL and its simulator's API; an error that says to start it otherwise. */
export const runningDevServer = (dataDir: string) => {
  const file = join(dataDir, 'endpoints.json');
  const parsed = existsSync(file) ? LocalEndpoints.safeParse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  if (!parsed?.success || !isAlive(parsed.data.pid) || !parsed.data.stripeApi) return undefined;
  return { url: parsed.data.url, stripeApi: parsed.data.stripeApi };
};

export const formatStep = (step: SetupStep) => `${step.outcome === 'note' ? 'warning' : step.outcome.padEnd(9)} ${step.what === 'warning' ? '' : `${step.what} `}${step.detail}`;

/** Where `stripe setup` works: the Stripe client, the secret's store, the webhook URL and the portal's words. */
interface SetupContext {
  description: string;
  stripe: Stripe;
  secrets: StripeSecretStore;
  webhookUrl: string;
  siteName: string;
  mode: 'test' | 'live';
  /** After a new signing secret or portal configuration: how the running functions come to use it. */
  afterNewSecret: string;
  close(): void;
}

const url = (name: string) => (value: string) => {
  if (!/^https?:\/\//.test(value) || !URL.canParse(value)) throw new InvalidArgumentError(`${name} must be an http(s) URL.`);
  return value;
};

const stageContext = async (stage: string, region: string | undefined, apiKey: string | undefined): Promise<SetupContext> => {
  const target = await stageTarget(stage, region);
  await target.close();
  const outputs = target.stage?.outputs ?? {};
  const secretArn = outputs.StripeSecretArn;
  const apiUrl = target.apiUrl?.replace(/\/+$/, '');
  if (!secretArn || !apiUrl) throw new Error(`stage ${stage}'s API stack has no StripeSecretArn or PublicApiUrl output: deploy it first (npx cdk deploy -c stage=${stage} --all)`);
  const client = new SecretsManagerClient({ region: target.stage?.region });
  const secrets = secretsManagerStore(client, secretArn);
  const key = apiKey ?? (await secrets.read()).secretKey;
  if (!key || !/^(sk|rk)_(test|live)_/.test(key)) {
    client.destroy();
    throw new Error(
      `no Stripe key to set up stage ${stage} with: pass --api-key (or set STRIPE_API_KEY) with a restricted key that has ${SETUP_PERMISSIONS.join(' and ')}, or put the stage's secret key in ${secretArn} first`,
    );
  }
  const stageFile = join(STAGES_DIR, `${stage}.json`);
  return {
    description: `stage ${stage}`,
    stripe: stripeFor(key),
    secrets,
    webhookUrl: outputs.StripeWebhookUrl ?? `${apiUrl}${WEBHOOK_PATH}`,
    siteName: existsSync(stageFile) ? loadStageConfig(stageFile).siteName : stage,
    mode: isLiveKey(key) ? 'live' : 'test',
    afterNewSecret: 'running functions read the Stripe secret when they start: see docs/operating.md#secrets for making them read it now',
    close: () => client.destroy(),
  };
};

const localContext = (dataDir: string): SetupContext => {
  const server = runningDevServer(dataDir);
  if (!server) throw new Error(`no dev server is running on ${dataDir}: start it with \`npm start\` (with the same APPEAL_DATA_DIR or --data-dir)`);
  return {
    description: `the dev server at ${server.url}`,
    stripe: stripeFor(STRIPE_TEST_KEY, server.stripeApi),
    secrets: dataDirStore(dataDir, STRIPE_TEST_KEY),
    webhookUrl: `${server.url}${WEBHOOK_PATH}`,
    siteName: process.env.SITE_NAME ?? DEMO_SITE_NAME,
    mode: 'test',
    afterNewSecret: 'the dev server reads it when it starts: restart it (Ctrl-C, then npm start) for its functions to use what was stored',
    close: () => {},
  };
};

/** `admin stripe setup`: registered on the admin CLI, whose global options say the target. */
export const addStripeCommand = (program: Command) => {
  const stripe = program.command('stripe').description('Stripe, set up through its API');
  stripe
    .command('setup')
    .description(
      `create or update the webhook endpoint (the ${HANDLED_STRIPE_EVENTS.length} events Appeal handles, API version ${APPEAL_API_VERSION}), store its signing secret where the stage reads it, and set up the Customer Portal; running it again changes nothing`,
    )
    .option('--local', 'the running dev server (the default without --stage)')
    // From the environment without a default shown: help never prints a key.
    .addOption(new Option('--api-key <key>', `Stripe key for the setup (default: the stage's secretKey); a restricted key needs ${SETUP_PERMISSIONS.join(', ')}`).env('STRIPE_API_KEY'))
    .option('--rotate-secret', 'replace the endpoint to get a new signing secret (the old endpoint is deleted once the new secret is stored)')
    .option('--privacy-url <url>', 'the site\'s privacy policy, linked from the Customer Portal', url('--privacy-url'))
    .option('--terms-url <url>', 'the site\'s terms, linked from the Customer Portal', url('--terms-url'))
    .action(async (o: { local?: boolean; apiKey?: string; rotateSecret?: boolean; privacyUrl?: string; termsUrl?: string }) => {
      const global = program.opts<{ dataDir: string; stage?: string; region?: string }>();
      if (o.local && global.stage) throw new InvalidArgumentError('give --stage NAME or --local, not both');
      const context = global.stage ? await stageContext(global.stage, global.region, o.apiKey) : localContext(global.dataDir);
      try {
        console.log(`stripe setup of ${context.description} (${context.mode} mode)`);
        const input = {
          webhookUrl: context.webhookUrl,
          rotateSecret: o.rotateSecret === true,
          portal: { headline: portalHeadline(context.siteName), privacyPolicyUrl: o.privacyUrl, termsOfServiceUrl: o.termsUrl },
        };
        const steps = await setUpStripe(context.stripe, context.secrets, input);
        for (const step of steps) console.log(formatStep(step));
        if (steps.some((s) => s.outcome === 'stored')) console.log(`note: ${context.afterNewSecret}`);
        console.log(`the key for this command needs: ${SETUP_PERMISSIONS.join(', ')}`);
        console.log(`the stage's secretKey (a restricted key will do) needs: ${APPEAL_PERMISSIONS.join(', ')}`);
      } finally {
        context.close();
      }
    });
};
