import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { STRIPE_TEST_KEY } from '../local/server/dev-config.js';
import type { SmokeEnvironment } from './smoke-checks.js';
import { readStripeSecret, stageAlarms } from './smoke-aws.js';
import type { Target } from './target.js';

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());

/** A deployed stage: the Stripe secret from Secrets Manager, the alarms from CloudFormation and CloudWatch. */
export const stageEnvironment = (target: Target): SmokeEnvironment => {
  const { stage, apiUrl } = target;
  if (!stage) throw new Error('not a stage target');
  if (!apiUrl) throw new Error(`stack ${stage.stacks.join(' / ')} has no PublicApiUrl output: is the API stack deployed?`);
  const secretArn = stage.outputs.StripeSecretArn;
  return {
    description: `stage ${stage.name} (${apiUrl})`,
    target,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    stripeSecret: {
      where: secretArn ?? 'no StripeSecretArn output',
      read: async () => {
        if (!secretArn) throw new Error('the API stack has no StripeSecretArn output');
        return readStripeSecret(stage.region, secretArn);
      },
    },
    logs: (fn) =>
      `the logs of the ${fn} function (the Lambda function named ${stage.stacks[1]}-${pascal(fn)}Function…: aws logs tail /aws/lambda/<its name> --since 15m)`,
    adminCommand: `npm run admin -- --stage ${stage.name}${stage.region ? ` --region ${stage.region}` : ''}`,
    alarms: () => stageAlarms(stage.region, stage.stacks),
  };
};

const LocalKeys = z.object({ webhookSecret: z.string() });
const OutboxEmail = z.object({ to: z.array(z.string()), subject: z.string() });

/**
 * The running dev server: the webhook secret from its data folder (the key file it made on its first start), its
 * outbox, and no CloudWatch (the alarms check says so and does not count).
 */
export const localEnvironment = (target: Target): SmokeEnvironment => {
  const { apiUrl, dataDir } = target;
  if (!apiUrl || !dataDir) throw new Error('the dev server is not running: start it with `npm start` (with the same APPEAL_DATA_DIR or --data-dir)');
  const keyFile = join(dataDir, 'state.json');
  return {
    description: `the dev server at ${apiUrl} (data in ${dataDir})`,
    target,
    apiUrl,
    stripeSecret: {
      where: keyFile,
      read: async () => ({
        secretKey: STRIPE_TEST_KEY,
        webhookSecret: LocalKeys.parse(JSON.parse(await readFile(keyFile, 'utf8'))).webhookSecret,
      }),
    },
    logs: () => 'the dev server\'s output',
    adminCommand: `npm run admin -- --data-dir ${dataDir}`,
    outbox: async (address) => {
      const response = await fetch(`${apiUrl}/_local/outbox`, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
      return z.array(OutboxEmail).parse(await response.json()).filter((email) => email.to.includes(address));
    },
    alarmsNotApplicable:
      'not applicable: the dev server has no CloudWatch (on a stage this compares every AWS::CloudWatch::Alarm of the stacks with CloudWatch\'s DescribeAlarms)',
  };
};
