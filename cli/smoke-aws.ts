import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
// The SDK's own request signer (every @aws-sdk client depends on it). There is no CloudWatch client among the
// project's dependencies and none can be installed offline: with @aws-sdk/client-cloudwatch this file's
// describeAlarms becomes one DescribeAlarmsCommand.
import { SignatureV4 } from '@smithy/signature-v4';
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

type Bytes = string | ArrayBuffer | ArrayBufferView;
const toBuffer = (data: Bytes) =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** SHA-256 (an HMAC when given a key) from node:crypto, in the shape the signer asks for. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly key?: Bytes) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.key === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.key));
  }
  update(data: Bytes) {
    this.hash.update(toBuffer(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.fresh();
  }
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (text: string) => text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => XML_ENTITIES[name] ?? '');

/**
 * The names and states in a DescribeAlarms answer (CloudWatch's query protocol, XML). Each alarm, metric or
 * composite, has one AlarmName and, after it, one StateValue; the elements nested in an alarm (dimensions,
 * actions, metrics) have neither.
 */
export const parseDescribeAlarms = (xml: string): Map<string, string> => {
  const states = new Map<string, string>();
  const chunks = xml.split('<AlarmName>').slice(1);
  for (const chunk of chunks) {
    const name = chunk.slice(0, chunk.indexOf('</AlarmName>'));
    const state = /<StateValue>([^<]*)<\/StateValue>/.exec(chunk)?.[1];
    states.set(unescapeXml(name), state ?? '?');
  }
  return states;
};

export interface CloudWatchAccess {
  region: string;
  credentials: CloudFormationClient['config']['credentials'];
  /** Only for a test's stand-in; CloudWatch's regional endpoint otherwise. */
  endpoint?: string;
}

/**
 * CloudWatch's DescribeAlarms for the given names (100 a call), signed with the caller's credentials as any SDK
 * call is. Answers name → state for the alarms CloudWatch has; a name it lacks is absent.
 */
export const describeAlarms = async (access: CloudWatchAccess, names: string[]): Promise<Map<string, string>> => {
  const suffix = access.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const url = new URL(access.endpoint ?? `https://monitoring.${access.region}.${suffix}/`);
  const signer = new SignatureV4({ service: 'monitoring', region: access.region, credentials: access.credentials, sha256: NodeSha256 });
  const found = new Map<string, string>();
  for (let from = 0; from < names.length; from += 100) {
    const batch = names.slice(from, from + 100);
    const body = new URLSearchParams([
      ['Action', 'DescribeAlarms'],
      ['Version', '2010-08-01'],
      ['MaxRecords', '100'],
      // Without AlarmTypes, CloudWatch answers metric alarms only.
      ['AlarmTypes.member.1', 'MetricAlarm'],
      ['AlarmTypes.member.2', 'CompositeAlarm'],
      ...batch.map((name, i) => [`AlarmNames.member.${i + 1}`, name]),
    ]).toString();
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    // fetch sets Host itself, to the same value that was signed.
    const { host: _host, ...headers } = signed.headers;
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    if (!response.ok) {
      const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? String(response.status);
      const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? response.statusText;
      throw new Error(`CloudWatch DescribeAlarms: ${code}: ${unescapeXml(message)}`);
    }
    for (const [name, state] of parseDescribeAlarms(text)) found.set(name, state);
  }
  return found;
};

/** The stacks' alarms from CloudFormation, each with its state in CloudWatch (undefined: CloudWatch lacks it). */
export const stageAlarms = async (region: string | undefined, stacks: string[]): Promise<StackAlarm[]> => {
  const cloudFormation = new CloudFormationClient({ region });
  try {
    const declared = await stackAlarms(cloudFormation, stacks);
    const names = declared.flatMap((a) => (a.name ? [a.name] : []));
    const states = names.length
      ? await describeAlarms({ region: await cloudFormation.config.region(), credentials: cloudFormation.config.credentials }, names)
      : new Map<string, string>();
    return declared.map((alarm) => ({ ...alarm, state: alarm.name ? states.get(alarm.name) : undefined }));
  } finally {
    cloudFormation.destroy();
  }
};
