import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { AlarmType, CloudWatchClient, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';

/** What a stage's Stripe secret holds once a person has put the keys in (README, Deploying). */
export const StripeSecret = z.object({ secretKey: z.string().optional(), webhookSecret: z.string().optional() });
export type StripeSecret = z.infer<typeof StripeSecret>;

/** The stage's Stripe secret, as the webhook function reads it (`StripeSecretArn`, an output of the API stack). */
export const readStripeSecret = async (region: string | undefined, secretId: string): Promise<StripeSecret> => {
  const client = new SecretsManagerClient({ region });
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return StripeSecret.parse(JSON.parse(SecretString ?? '{}'));
  } finally {
    client.destroy();
  }
};

/** An alarm as the stack declares it (an `AWS::CloudWatch::Alarm` resource) and as CloudWatch has it. */
export interface StackAlarm {
  stack: string;
  logicalId: string;
  /** The alarm's name: the resource's physical id. */
  name: string | undefined;
  resourceStatus: string;
  /** CloudWatch's state (OK, ALARM, INSUFFICIENT_DATA), or undefined when CloudWatch has no such alarm. */
  state: string | undefined;
}

/** Every `AWS::CloudWatch::Alarm` of the stacks, from CloudFormation. */
export const stackAlarms = async (cloudFormation: CloudFormationClient, stacks: string[]) => {
  const alarms: Omit<StackAlarm, 'state'>[] = [];
  for (const stack of stacks) {
    for await (const page of paginateListStackResources({ client: cloudFormation }, { StackName: stack })) {
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.ResourceType !== 'AWS::CloudWatch::Alarm') continue;
        alarms.push({
          stack,
          logicalId: resource.LogicalResourceId ?? '?',
          name: resource.PhysicalResourceId,
          resourceStatus: resource.ResourceStatus ?? '?',
        });
      }
    }
  }
  return alarms;
};

/**
 * CloudWatch's DescribeAlarms for the given names (100 a call, the API's limit; every page of each), metric and
 * composite alarms alike. Answers name → state (OK, ALARM, INSUFFICIENT_DATA) for the alarms CloudWatch has; a name
 * it lacks is absent.
 */
export const describeAlarms = async (cloudWatch: CloudWatchClient, names: string[]): Promise<Map<string, string>> => {
  const unique = [...new Set(names)];
  const found = new Map<string, string>();
  try {
    for (let from = 0; from < unique.length; from += 100) {
      const input = {
        AlarmNames: unique.slice(from, from + 100),
        // Without AlarmTypes, CloudWatch answers metric alarms only.
        AlarmTypes: [AlarmType.MetricAlarm, AlarmType.CompositeAlarm],
      };
      for await (const page of paginateDescribeAlarms({ client: cloudWatch, pageSize: 100 }, input)) {
        for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName) found.set(alarm.AlarmName, alarm.StateValue ?? '?');
        }
      }
    }
  } catch (error) {
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    throw new Error(`CloudWatch DescribeAlarms: ${name}: ${message}`, { cause: error });
  }
  return found;
};

/** The stacks' alarms from CloudFormation, each with its state in CloudWatch (undefined: CloudWatch lacks it). */
export const stageAlarms = async (region: string | undefined, stacks: string[]): Promise<StackAlarm[]> => {
  const cloudFormation = new CloudFormationClient({ region });
  try {
    const declared = await stackAlarms(cloudFormation, stacks);
    const names = declared.flatMap((a) => (a.name ? [a.name] : []));
    if (names.length === 0) return declared.map((alarm) => ({ ...alarm, state: undefined }));
    // The same region and credentials (resolved once: an MFA or SSO prompt is not asked twice) as CloudFormation.
    const cloudWatch = new CloudWatchClient({
      region: await cloudFormation.config.region(),
      credentials: cloudFormation.config.credentials,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
    });
    try {
      const states = await describeAlarms(cloudWatch, names);
      return declared.map((alarm) => ({ ...alarm, state: alarm.name ? states.get(alarm.name) : undefined }));
    } finally {
      cloudWatch.destroy();
    }
  } finally {
    cloudFormation.destroy();
  }
};
