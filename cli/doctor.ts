import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { paginateListSubscriptionsByTopic, SNSClient } from '@aws-sdk/client-sns';
import { type Command, Option } from 'commander';
import Stripe from 'stripe';
import { DynamoAdminTokens } from '../functions/adapters/dynamo-admin.js';
import { isLiveKey } from '../functions/adapters/stripe-client.js';
import { HANDLED_STRIPE_EVENTS } from '../functions/adapters/stripe-handled-events.js';
import { STRIPE_TEST_KEY } from '../local/server/dev-config.js';
import { formatResults, runSmoke, summarize } from './smoke-checks.js';
import { localEnvironment, stageEnvironment } from './smoke-env.js';
import { APPEAL_API_VERSION, dataDirStore, runningDevServer, type StripeSecretJson, secretsManagerStore, stripeFor, WEBHOOK_PATH } from './stripe-setup.js';
import { localTarget, stageTarget, type Target, TargetError } from './target.js';

// `doctor`: is a stage (or the dev server) ready for readers and donors? One line per check, `ok` or `FAIL` with the
// exact fix (or `warn`, which does not fail it), then the smoke test. It exits 0 only when everything passes.

export type Verdict = 'ok' | 'FAIL' | 'warn' | 'skip';

export interface CheckLine {
  check: string;
  verdict: Verdict;
  detail: string;
  /** On FAIL or warn: what to do, as a command or a step. */
  fix?: string;
}

const ok = (check: string, detail: string): CheckLine => ({ check, verdict: 'ok', detail });
const fail = (check: string, detail: string, fix: string): CheckLine => ({ check, verdict: 'FAIL', detail, fix });

/** The admin CLI's command line for a target: `npm run admin -- --stage prod` or `--data-dir …`. */
export interface Commands {
  /** `npm run admin -- …` with the target's options, before a subcommand. */
  admin: string;
  /** `stripe setup` on this target. */
  stripeSetup: string;
}

// ---- Stripe --------------------------------------------------------------------------------------------------------

/**
 * A test key on a live stage takes no money; a live key on a test stage takes real money from testers. Stripe's keys
 * say their mode in their prefix (`sk_live_`, `rk_live_`, `sk_test_`, `rk_test_`).
 */
export const checkKeyMode = (secretKey: string | undefined, expectLive: boolean, where: string): CheckLine => {
  const check = 'stripe key mode';
  if (!secretKey) return fail(check, `no secretKey in ${where}`, `put the stage's Stripe secret key in ${where} (docs/operating.md#secrets)`);
  const live = isLiveKey(secretKey);
  const mode = live ? 'live' : 'test';
  if (live === expectLive) return ok(check, `a ${mode} key, as this ${expectLive ? 'live' : 'test'} stage expects`);
  return fail(
    check,
    `a ${mode} key (${secretKey.slice(0, 8)}…) on a stage expected to be ${expectLive ? 'live' : 'in test mode'}`,
    expectLive
      ? `put a live key (sk_live_… or rk_live_…) in ${where}, then run stripe setup again with it (live mode has its own webhook endpoints)`
      : `put a test key (sk_test_… or rk_test_…) in ${where}, or pass --live if this stage takes real gifts`,
  );
};

/** The webhook endpoint for the stage's URL: there, enabled, exactly the handled events, Appeal's API version. */
export const checkWebhookEndpoint = async (stripe: Stripe, webhookUrl: string, commands: Commands): Promise<CheckLine> => {
  const check = 'webhook endpoint';
  const found: Stripe.WebhookEndpoint[] = [];
  for await (const endpoint of stripe.webhookEndpoints.list({ limit: 100 })) if (endpoint.url === webhookUrl) found.push(endpoint);
  const [endpoint] = found;
  if (!endpoint) return fail(check, `Stripe has no endpoint for ${webhookUrl}: no gift would be counted`, commands.stripeSetup);
  const problems: string[] = [];
  const missing = HANDLED_STRIPE_EVENTS.filter((type) => !endpoint.enabled_events.includes(type));
  const extra = endpoint.enabled_events.filter((type) => !(HANDLED_STRIPE_EVENTS as readonly string[]).includes(type));
  if (missing.length > 0) problems.push(`missing events ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`events Appeal does not handle ${extra.join(', ')}`);
  if (endpoint.api_version !== APPEAL_API_VERSION) problems.push(`API version ${endpoint.api_version ?? 'the account default'}, not ${APPEAL_API_VERSION}`);
  if (endpoint.status !== 'enabled') problems.push(endpoint.status);
  if (found.length > 1) problems.push(`${found.length} endpoints for the URL (${found.map((e) => e.id).join(', ')}): one is signed with a secret the stage does not have`);
  if (problems.length > 0) return fail(check, `${endpoint.id} for ${webhookUrl}: ${problems.join('; ')}`, commands.stripeSetup);
  return ok(check, `${endpoint.id} for ${webhookUrl}: the ${HANDLED_STRIPE_EVENTS.length} handled events, API version ${APPEAL_API_VERSION}, enabled`);
};

/**
 * The portal configuration Appeal's portal sessions use: Appeal's own, whose id `stripe setup` stored in the Stripe
 * secret, or the account's default for a secret stored before it named one; active, with cancelling and changing the card.
 */
export const checkPortal = async (stripe: Stripe, commands: Commands, configuration?: string): Promise<CheckLine> => {
  const check = 'customer portal';
  const current = configuration
    ? await stripe.billingPortal.configurations.retrieve(configuration).catch((error: unknown) => {
        if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing') return undefined;
        throw error;
      })
    : (await stripe.billingPortal.configurations.list({ is_default: true, limit: 1 })).data[0];
  if (!current) {
    const missing = configuration ? `the Stripe secret's portal configuration ${configuration} does not exist` : 'the Stripe secret names no portal configuration and the account has no default one';
    return fail(check, `${missing}: monthly donors cannot manage their gifts`, commands.stripeSetup);
  }
  const problems = [
    ...(current.active ? [] : ['inactive']),
    ...(current.features.subscription_cancel.enabled ? [] : ['cancelling is off']),
    ...(current.features.payment_method_update.enabled ? [] : ['changing the card is off']),
  ];
  if (problems.length > 0) return fail(check, `${current.id}: ${problems.join(', ')}`, commands.stripeSetup);
  return ok(check, `${current.id}: active, with cancelling and changing the card`);
};

/** The Stripe secret as the functions read it: a key (sk_/rk_) and the endpoint's signing secret (whsec_). */
export const checkStripeSecret = (secret: StripeSecretJson, where: string, commands: Commands, after: string): CheckLine => {
  const check = 'stripe secret';
  const problems = [
    ...(secret.secretKey && /^(sk|rk)_(test|live)_\w+/.test(secret.secretKey) ? [] : ['no secretKey (sk_… or rk_…)']),
    ...(secret.webhookSecret?.startsWith('whsec_') ? [] : ['no webhookSecret (whsec_…)']),
  ];
  if (problems.length === 0) return ok(check, `${where} has secretKey and webhookSecret`);
  const keyFix = problems.length === 2 || !secret.secretKey ? 'put the Stripe secret key in it (docs/operating.md#secrets), then ' : '';
  return fail(check, `${where}: ${problems.join(', ')}`, `${keyFix}run ${commands.stripeSetup}, which stores the signing secret; ${after}`);
};

/** An admin token that works (not a temporary one a CLI run made for itself, not expired). */
export const checkAdminToken = async (tokens: Pick<DynamoAdminTokens, 'list'>, commands: Commands, now = new Date()): Promise<CheckLine> => {
  const check = 'first admin';
  const usable = (await tokens.list()).filter((t) => !t.name.startsWith('admin-cli temporary') && (!t.expiresAt || Date.parse(t.expiresAt) > now.getTime()));
  if (usable.length === 0) return fail(check, 'no admin token: nobody can run exports or data requests', `${commands.admin} token create --name "first admin"`);
  return ok(check, `${usable.length} admin token${usable.length === 1 ? '' : 's'} (${usable.map((t) => t.name).join(', ')})`);
};

// ---- AWS (a stage) -------------------------------------------------------------------------------------------------

/** The stacks' version (`AppealVersion`, an output of each stack a deploy of this checkout makes). */
export const checkVersion = (stage: NonNullable<Target['stage']>): CheckLine => {
  const check = 'stacks';
  const version = stage.outputs.AppealVersion;
  const redeploy = `redeploy from this checkout: npx cdk deploy -c stage=${stage.name} --all`;
  if (!version) return fail(check, `${stage.stacks.join(' and ')} deployed, without an AppealVersion output (an older Appeal)`, redeploy);
  return ok(check, `${stage.stacks.join(' and ')} deployed, Appeal ${version}`);
};

/** The API's certificate (ACM): ISSUED once its DNS validation record is live. */
export const checkCertificate = async (acm: ACMClient, certificateArn: string | undefined, domainName: string, stage: string): Promise<CheckLine> => {
  const check = 'domain';
  if (!certificateArn) return fail(check, `${domainName} is configured but the stack has no certificate`, `redeploy: npx cdk deploy -c stage=${stage} --all`);
  const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn: certificateArn }));
  if (Certificate?.Status === 'ISSUED') return ok(check, `${domainName}: certificate issued`);
  const records = (Certificate?.DomainValidationOptions ?? []).flatMap((o) => (o.ResourceRecord ? [`${o.ResourceRecord.Name} ${o.ResourceRecord.Type} ${o.ResourceRecord.Value}`] : []));
  return fail(
    check,
    `${domainName}: certificate ${Certificate?.Status ?? 'unknown'}`,
    `create the DNS validation record${records.length === 1 ? '' : 's'} at your DNS host${records.length > 0 ? `: ${records.join('; ')}` : ' the deploy printed'}; ACM issues the certificate within minutes of seeing ${records.length === 1 ? 'it' : 'them'}`,
  );
};

/** The sending domain in SES: verified, DKIM SUCCESS, custom MAIL FROM SUCCESS. */
export const checkSesIdentity = async (ses: SESv2Client, domain: string): Promise<CheckLine> => {
  const check = 'email domain';
  const identity = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: domain }));
  const problems = [
    ...(identity.VerifiedForSendingStatus ? [] : ['not verified']),
    ...(identity.DkimAttributes?.Status === 'SUCCESS' ? [] : [`DKIM ${identity.DkimAttributes?.Status ?? 'not set up'}`]),
    ...(identity.MailFromAttributes?.MailFromDomainStatus === 'SUCCESS' ? [] : [`MAIL FROM ${identity.MailFromAttributes?.MailFromDomainStatus ?? 'not set up'}`]),
  ];
  if (problems.length === 0) return ok(check, `${domain}: verified, DKIM and MAIL FROM records live`);
  return fail(check, `${domain}: ${problems.join(', ')}`, 'create the DKIM CNAME records and the MAIL FROM MX and SPF records that the deploy printed (the Data stack\'s DkimRecord outputs) at your DNS host; SES checks them within hours');
};

/** SES production access: in the sandbox only verified addresses (and the mailbox simulator) get mail. */
export const checkProductionAccess = async (ses: SESv2Client): Promise<CheckLine> => {
  const check = 'email sending';
  const account = await ses.send(new GetAccountCommand({}));
  if (account.ProductionAccessEnabled) return ok(check, 'SES production access');
  return {
    check,
    verdict: 'warn',
    detail: 'SES is in its sandbox: the smoke test passes (it mails the mailbox simulator), but readers get no email',
    fix: 'ask for production access: SES console → Account dashboard → Request production access (docs/deploying.md)',
  };
};

/** Every subscription of the alarm topic confirmed (an email subscription waits for its link to be followed). */
export const checkAlarmSubscriptions = async (sns: SNSClient, topicArn: string | undefined, alarmsNone: boolean): Promise<CheckLine> => {
  const check = 'alarms';
  if (!topicArn) return fail(check, 'the API stack has no alarm topic', 'redeploy from this checkout');
  const subscriptions: { arn: string; endpoint: string; protocol: string }[] = [];
  for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
    for (const s of page.Subscriptions ?? []) subscriptions.push({ arn: s.SubscriptionArn ?? '', endpoint: s.Endpoint ?? '?', protocol: s.Protocol ?? '?' });
  }
  const pending = subscriptions.filter((s) => s.arn === 'PendingConfirmation');
  if (pending.length > 0) {
    return fail(
      check,
      `${pending.map((s) => `${s.protocol} ${s.endpoint}`).join(', ')} not confirmed: alarms reach nobody there`,
      `follow the link in the "AWS Notification - Subscription Confirmation" email sent to ${pending.map((s) => s.endpoint).join(', ')} (or redeploy to send it again)`,
    );
  }
  if (subscriptions.length === 0) {
    if (alarmsNone) return { check, verdict: 'warn', detail: 'the stage says alarms go nowhere (alarms: "none")', fix: 'set alarmEmail in the stage file and redeploy' };
    return fail(check, 'the alarm topic has no subscription: alarms reach nobody', 'set alarmEmail in the stage file and redeploy');
  }
  return ok(check, `alarms reach ${subscriptions.map((s) => `${s.protocol} ${s.endpoint}`).join(', ')}`);
};

/** The signing secret (`{"signingKey"}`, 32 characters or more), which every link and token depends on. */
export const checkSigningSecret = (value: unknown, where: string): CheckLine => {
  const check = 'signing secret';
  const key = typeof value === 'object' && value !== null ? (value as { signingKey?: unknown }).signingKey : undefined;
  if (typeof key === 'string' && key.length >= 32) return ok(check, `${where} has a signingKey`);
  return fail(check, `${where} has no signingKey of 32 characters or more`, 'redeploy (the stack generates it); see docs/operating.md#secrets');
};

// ---- running the checks -----------------------------------------------------------------------------------------

/** Runs each check; one that throws is a FAIL that says what went wrong. */
const runChecks = async (checks: [string, () => Promise<CheckLine> | CheckLine][]): Promise<CheckLine[]> => {
  const lines: CheckLine[] = [];
  for (const [name, run] of checks) {
    try {
      lines.push(await run());
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      lines.push(fail(name, `could not check: ${message}`, error instanceof TargetError ? error.fix : 'check your credentials and network, then run doctor again'));
    }
  }
  return lines;
};

export const formatCheck = (line: CheckLine): string[] => [
  `${line.verdict.padEnd(4)}  ${line.check.padEnd(16)} ${line.detail}`,
  ...(line.fix && line.verdict !== 'ok' ? [`${' '.repeat(23)}fix: ${line.fix}`] : []),
];

const readJson = (file: string): Record<string, unknown> | undefined => {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** The physical ids (ARNs) of a stack's resources of a type, by logical id. */
const stackResources = async (cloudFormation: CloudFormationClient, stack: string, type: string) => {
  const found: { logicalId: string; arn: string }[] = [];
  for await (const page of paginateListStackResources({ client: cloudFormation }, { StackName: stack })) {
    for (const r of page.StackResourceSummaries ?? []) if (r.ResourceType === type && r.PhysicalResourceId) found.push({ logicalId: r.LogicalResourceId ?? '', arn: r.PhysicalResourceId });
  }
  return found;
};

const STAGES_DIR = fileURLToPath(new URL('../infra/stages/', import.meta.url));

/** A stage: its stacks, domain, email, Stripe, secrets, alarms and first admin. */
const stageChecks = async (target: Target, expectLive: boolean, commands: Commands) => {
  const stage = target.stage;
  if (!stage) throw new Error('not a stage');
  const file = readJson(join(STAGES_DIR, `${stage.name}.json`)) ?? {};
  const region = stage.region;
  const cloudFormation = new CloudFormationClient({ region });
  const secretsManager = new SecretsManagerClient({ region });
  const ses = new SESv2Client({ region });
  const clients = {
    destroy: () => {
      for (const client of [cloudFormation, secretsManager, ses]) client.destroy();
    },
  };
  const stripeSecretArn = stage.outputs.StripeSecretArn;
  const store = stripeSecretArn ? secretsManagerStore(secretsManager, stripeSecretArn) : undefined;
  const stripeSecret = async () => {
    if (!store) throw new TargetError('the API stack has no StripeSecretArn output', `redeploy: npx cdk deploy -c stage=${stage.name} --all`);
    return store.read();
  };
  const stripeClient = async () => {
    const { secretKey } = await stripeSecret();
    if (!secretKey) throw new TargetError(`no Stripe key in ${stripeSecretArn}`, 'put it in first (docs/operating.md#secrets)');
    return stripeFor(secretKey);
  };
  const webhookUrl = stage.outputs.StripeWebhookUrl ?? `${target.apiUrl?.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
  const domainName = typeof file.domainName === 'string' ? file.domainName : undefined;
  const senderDomain = typeof file.senderDomain === 'string' ? file.senderDomain : undefined;
  const after = 'running functions read it when they start (docs/operating.md#secrets)';
  const checks: [string, () => Promise<CheckLine> | CheckLine][] = [
    ['stacks', () => checkVersion(stage)],
    ...(domainName
      ? ([['domain', async () => {
          const [certificate] = await stackResources(cloudFormation, stage.stacks[1] ?? '', 'AWS::CertificateManager::Certificate');
          const acm = new ACMClient({ region });
          try {
            return await checkCertificate(acm, certificate?.arn, domainName, stage.name);
          } finally {
            acm.destroy();
          }
        }]] as [string, () => Promise<CheckLine>][])
      : []),
    ...(senderDomain ? ([['email domain', () => checkSesIdentity(ses, senderDomain)]] as [string, () => Promise<CheckLine>][]) : []),
    ['email sending', () => checkProductionAccess(ses)],
    ['stripe secret', async () => checkStripeSecret(await stripeSecret(), `the secret ${stripeSecretArn}`, commands, after)],
    ['stripe key mode', async () => checkKeyMode((await stripeSecret()).secretKey, expectLive, `the secret ${stripeSecretArn}`)],
    ['webhook endpoint', async () => checkWebhookEndpoint(await stripeClient(), webhookUrl, commands)],
    ['customer portal', async () => checkPortal(await stripeClient(), commands, (await stripeSecret()).portalConfiguration)],
    ['signing secret', async () => {
      const secrets = await stackResources(cloudFormation, stage.stacks[1] ?? '', 'AWS::SecretsManager::Secret');
      const signing = secrets.find((s) => s.arn !== stripeSecretArn && /signing/i.test(s.logicalId));
      if (!signing) return fail('signing secret', 'the API stack has no signing secret', `redeploy: npx cdk deploy -c stage=${stage.name} --all`);
      const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: signing.arn }));
      let value: unknown;
      try {
        value = JSON.parse(SecretString ?? '');
      } catch {
        value = undefined;
      }
      return checkSigningSecret(value, `the secret ${signing.arn}`);
    }],
    ['alarms', async () => {
      const topics = await stackResources(cloudFormation, stage.stacks[1] ?? '', 'AWS::SNS::Topic');
      const topic = topics.find((t) => /alarm/i.test(t.logicalId));
      const sns = new SNSClient({ region });
      try {
        return await checkAlarmSubscriptions(sns, topic?.arn, file.alarms === 'none');
      } finally {
        sns.destroy();
      }
    }],
    ['first admin', () => checkAdminToken(new DynamoAdminTokens(target.dynamo, target.tables.subscribers), commands)],
  ];
  try {
    return await runChecks(checks);
  } finally {
    clients.destroy();
  }
};

/** The dev server: running, its simulator's endpoint and portal, its keys, an admin token. */
const localChecks = async (target: Target, dataDir: string, commands: Commands) => {
  const server = runningDevServer(dataDir);
  if (!server) {
    return [fail('dev server', `no dev server is running on ${dataDir}`, 'start it: npm start (with the same APPEAL_DATA_DIR or --data-dir)')];
  }
  const stripe = stripeFor(STRIPE_TEST_KEY, server.stripeApi);
  const store = dataDirStore(dataDir, STRIPE_TEST_KEY);
  const keys = readJson(join(dataDir, 'state.json')) ?? {};
  return runChecks([
    ['dev server', async () => {
      const answer = await fetch(`${server.url}/v1/campaigns/none`, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      return answer ? ok('dev server', `${server.url} answers`) : fail('dev server', `${server.url} does not answer`, 'restart it: npm start');
    }],
    ['stripe secret', async () => checkStripeSecret(await store.read(), store.where, commands, 'then restart the dev server, which reads it when it starts')],
    ['stripe key mode', () => checkKeyMode(STRIPE_TEST_KEY, false, 'the simulator\'s key')],
    ['webhook endpoint', () => checkWebhookEndpoint(stripe, `${server.url}${WEBHOOK_PATH}`, commands)],
    ['customer portal', async () => checkPortal(stripe, commands, (await store.read()).portalConfiguration)],
    ['signing secret', () => checkSigningSecret(keys, join(dataDir, 'state.json'))],
    ['first admin', () => checkAdminToken(new DynamoAdminTokens(target.dynamo, target.tables.subscribers), commands)],
  ]);
};

/** `admin doctor`: registered on the admin CLI, whose global options say the target. */
export const addDoctorCommand = (program: Command) =>
  program
    .command('doctor')
    .description('check that a stage (--stage) or the dev server (--local) is ready for readers and donors, one line per check with its fix, then run the smoke test; exits 0 only when all pass')
    .option('--local', 'the running dev server (the default without --stage)')
    .addOption(new Option('--live', 'the stage takes real gifts: its Stripe key must be a live one (default: only for a stage named prod or production)').conflicts('test'))
    .addOption(new Option('--test', 'the stage is in test mode: its Stripe key must be a test one'))
    .addOption(new Option('--token <token>', 'admin token for the smoke test (default: $APPEAL_ADMIN_TOKEN, or a temporary one)').env('APPEAL_ADMIN_TOKEN'))
    .option('--no-smoke', 'only the checks, without the smoke test')
    .action(async (o: { local?: boolean; live?: boolean; test?: boolean; token?: string; smoke: boolean }) => {
      const global = program.opts<{ dataDir: string; stage?: string; region?: string }>();
      if (o.local && global.stage) throw new Error('give --stage NAME or --local, not both');
      const admin = global.stage ? `npm run admin -- --stage ${global.stage}${global.region ? ` --region ${global.region}` : ''}` : `npm run admin -- --data-dir ${global.dataDir}`;
      const commands: Commands = { admin, stripeSetup: `${admin} stripe setup${global.stage ? '' : ' --local'}` };
      let target: Target | undefined;
      let lines: CheckLine[];
      try {
        target = global.stage ? await stageTarget(global.stage, global.region) : await localTarget(global.dataDir);
      } catch (error) {
        const fix = error instanceof TargetError ? error.fix : 'check your AWS credentials and region';
        for (const line of formatCheck(fail('stacks', error instanceof TargetError ? error.message.split('\n')[0] ?? '' : String(error), fix))) console.log(line);
        process.exitCode = 1;
        return;
      }
      try {
        // A stage named prod or production takes real gifts unless --test says otherwise.
        const expectLive = o.live === true || (o.test !== true && /^(prod|production)$/.test(global.stage ?? ''));
        console.log(`doctor: ${target.description}`);
        lines = global.stage ? await stageChecks(target, expectLive, commands) : await localChecks(target, global.dataDir, commands);
        for (const line of lines) for (const text of formatCheck(line)) console.log(text);
        const failed = lines.filter((l) => l.verdict === 'FAIL').length;
        if (!o.smoke) {
          console.log(failed > 0 ? `${failed} check${failed === 1 ? '' : 's'} failed` : 'every check passed (smoke test not run)');
          process.exitCode = failed > 0 ? 1 : 0;
          return;
        }
        const started = performance.now();
        console.log('smoke test:');
        const env = global.stage ? stageEnvironment(target) : localEnvironment(target);
        const results = await runSmoke(env, { token: o.token });
        for (const line of formatResults(results)) console.log(line);
        console.log(summarize(results, performance.now() - started));
        const smokeFailed = results.some((r) => r.outcome === 'fail');
        console.log(failed > 0 || smokeFailed ? `not ready: ${failed} check${failed === 1 ? '' : 's'} failed${smokeFailed ? ', and the smoke test failed' : ''}` : 'ready: a reader can sign up and give');
        process.exitCode = failed > 0 || smokeFailed ? 1 : 0;
      } finally {
        await target.close();
      }
    });
