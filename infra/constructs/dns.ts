import { CfnOutput } from 'aws-cdk-lib';
import { HostedZone, type IHostedZone } from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { isInZone, type StageConfig } from '../config.js';

/** A DNS record as the deploy prints it for the engineer to create: `name TYPE value`, the zone-file order. */
export interface DnsRecord {
  name: string;
  type: 'A' | 'CNAME' | 'MX' | 'TXT';
  value: string;
}

/** The stage's Route 53 hosted zone (`hostedZoneId`, `hostedZoneName`), when it names one; a reference, no resource. */
export const hostedZoneOf = (scope: Construct, config: StageConfig): IHostedZone | undefined =>
  config.hostedZoneId && config.hostedZoneName
    ? HostedZone.fromHostedZoneAttributes(scope, 'HostedZone', { hostedZoneId: config.hostedZoneId, zoneName: config.hostedZoneName })
    : undefined;

/** The hosted zone when `name` is in it: the records for `name` go there; otherwise the engineer creates them. */
export const zoneFor = (zone: IHostedZone | undefined, name: string): IHostedZone | undefined =>
  zone && isInZone(name, zone.zoneName) ? zone : undefined;

/**
 * One output per record (`MailFromMxRecord = bounce.example.org MX 10 feedback-smtp…`), and a `DnsRecords` output
 * that says whether the stack wrote them into Route 53 or the engineer creates them: `cdk deploy` prints outputs'
 * values, not their descriptions.
 */
export const outputRecords = (scope: Construct, records: Record<string, DnsRecord>, zone: IHostedZone | undefined, what: string) => {
  const where = zone ? `created by the stack in the Route 53 hosted zone ${zone.hostedZoneId} (${zone.zoneName})` : 'to create in your DNS';
  for (const [id, record] of Object.entries(records)) {
    new CfnOutput(scope, id, { value: recordLine(record), description: `${what}: ${where}` });
  }
  new CfnOutput(scope, 'DnsRecords', { value: `${Object.keys(records).join(', ')}: ${where}` });
};

export const recordLine = ({ name, type, value }: DnsRecord) => `${name} ${type} ${value}`;
