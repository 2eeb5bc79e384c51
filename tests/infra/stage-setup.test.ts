import { readdirSync, readFileSync } from 'node:fs';
import { App, Aspects, type Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildStage } from '../../infra/app.js';
import { StageConfig } from '../../infra/config.js';
import { nagPacks } from '../../infra/nag.js';
import { CDK_CONTEXT, TEST_STAGE } from '../support/stage.js';

/*
 * What a stage file's deploy settings make: the API's custom domain (certificate, domain name, mapping, the links),
 * the sender's email authentication (Easy DKIM, MAIL FROM) with the DNS records the deploy prints or writes into a
 * hosted zone, an alarm target or the stage's explicit "none", and the version deployed.
 */

const DOMAIN = 'appeal.news.example.org';
const ZONE = { hostedZoneId: 'Z0123456789ABCDEFGHIJ', hostedZoneName: 'news.example.org' };

type Resource = { Type: string; Properties: Record<string, unknown> };
interface Synthesized {
  data: Template;
  api: Template;
  stacks: { data: Stack; api: Stack };
  assemblyDir: string;
}

const synth = (overrides: Record<string, unknown> = {}, { nag = false } = {}): Synthesized => {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildStage(app, StageConfig.parse({ ...TEST_STAGE, ...overrides }));
  if (nag) for (const pack of nagPacks()) Aspects.of(app).add(pack);
  const assemblyDir = app.synth().directory;
  return { data: Template.fromStack(stacks.data), api: Template.fromStack(stacks.api), stacks, assemblyDir };
};

const outputsOf = (template: Template) =>
  Object.fromEntries(Object.entries(template.findOutputs('*')).map(([id, output]) => [id, (output as { Value: unknown }).Value]));
const resourcesOf = (template: Template, type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const logicalIdOf = (template: Template, type: string) => {
  const found = resourcesOf(template, type);
  expect(found).toHaveLength(1);
  return found[0]?.[0] ?? '';
};
/** PUBLIC_API_URL of every function that has one. */
const publicApiUrls = (template: Template) =>
  resourcesOf(template, 'AWS::Lambda::Function')
    .map(([, fn]) => (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.PUBLIC_API_URL)
    .filter((url) => url !== undefined);

let plain: Synthesized;
let withDomain: Synthesized;
let withZone: Synthesized;
beforeAll(() => {
  plain = synth();
  withDomain = synth({ domainName: DOMAIN });
  withZone = synth({ domainName: DOMAIN, ...ZONE }, { nag: true });
}, 120_000);

describe('a custom domain for the API', () => {
  it('has a DNS-validated certificate, a custom domain name with TLS 1.2, and a mapping to the API stage', () => {
    const { api } = withDomain;
    api.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: DOMAIN, ValidationMethod: 'DNS' });
    const certificate = logicalIdOf(api, 'AWS::CertificateManager::Certificate');
    const domain = logicalIdOf(api, 'AWS::ApiGatewayV2::DomainName');
    api.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: DOMAIN,
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: { Ref: certificate }, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' })],
    });
    // The mapping names the stage by name, and waits for it.
    api.hasResource('AWS::ApiGatewayV2::ApiMapping', {
      Properties: { ApiId: { Ref: logicalIdOf(api, 'AWS::ApiGatewayV2::Api') }, DomainName: { Ref: domain }, Stage: '$default' },
      DependsOn: [logicalIdOf(api, 'AWS::ApiGatewayV2::Stage')],
    });
  });

  it('leaves the certificate to validation records the engineer creates when the stage names no hosted zone', () => {
    const [[, certificate] = []] = resourcesOf(withDomain.api, 'AWS::CertificateManager::Certificate');
    expect(JSON.stringify(certificate?.Properties.DomainValidationOptions ?? [])).not.toContain('HostedZoneId');
    expect(resourcesOf(withDomain.api, 'AWS::Route53::RecordSet')).toEqual([]);
    expect(resourcesOf(withDomain.data, 'AWS::Route53::RecordSet')).toEqual([]);
  });

  it('makes every link use https://<domainName>: each PUBLIC_API_URL and the webhook URL', () => {
    const urls = publicApiUrls(withDomain.api);
    expect(urls.length).toBeGreaterThanOrEqual(5);
    expect(new Set(urls)).toEqual(new Set([`https://${DOMAIN}`]));
    expect(outputsOf(withDomain.api)).toMatchObject({ PublicApiUrl: `https://${DOMAIN}`, StripeWebhookUrl: `https://${DOMAIN}/v1/stripe/webhook` });
  });

  it('keeps an explicit publicApiUrl (a proxy in front of the domain, say) over the domain', () => {
    const { api } = synth({ domainName: DOMAIN, publicApiUrl: 'https://donate.example.org' });
    expect(new Set(publicApiUrls(api))).toEqual(new Set(['https://donate.example.org']));
  });

  it("prints the record that points the domain at API Gateway's regional name", () => {
    const domain = logicalIdOf(withDomain.api, 'AWS::ApiGatewayV2::DomainName');
    const outputs = outputsOf(withDomain.api);
    expect(outputs.ApiDomainRecord).toEqual({ 'Fn::Join': ['', [`${DOMAIN} CNAME `, { 'Fn::GetAtt': [domain, 'RegionalDomainName'] }]] });
    expect(outputs.DnsRecords).toBe('ApiDomainRecord: to create in your DNS');
  });

  it('validates the certificate through the hosted zone and writes the alias record there when the stage names one', () => {
    const { api } = withZone;
    api.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: DOMAIN,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: DOMAIN, HostedZoneId: ZONE.hostedZoneId }],
    });
    const domain = logicalIdOf(api, 'AWS::ApiGatewayV2::DomainName');
    api.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: `${DOMAIN}.`,
      Type: 'A',
      HostedZoneId: ZONE.hostedZoneId,
      AliasTarget: { DNSName: { 'Fn::GetAtt': [domain, 'RegionalDomainName'] }, HostedZoneId: { 'Fn::GetAtt': [domain, 'RegionalHostedZoneId'] } },
    });
    expect(outputsOf(api).DnsRecords).toBe(`ApiDomainRecord: created by the stack in the Route 53 hosted zone ${ZONE.hostedZoneId} (${ZONE.hostedZoneName})`);
  });

  it('makes no certificate, domain or mapping for a stage without a domain, whose links use the API endpoint', () => {
    for (const type of ['AWS::CertificateManager::Certificate', 'AWS::ApiGatewayV2::DomainName', 'AWS::ApiGatewayV2::ApiMapping', 'AWS::Route53::RecordSet']) {
      expect(resourcesOf(plain.api, type), type).toEqual([]);
    }
    const api = logicalIdOf(plain.api, 'AWS::ApiGatewayV2::Api');
    const urls = publicApiUrls(plain.api);
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) expect(url).toEqual({ 'Fn::GetAtt': [api, 'ApiEndpoint'] });
    expect(outputsOf(plain.api).ApiDomainRecord).toBeUndefined();
  });

  it('replaces nothing: every resource of a stage without a domain keeps its logical id and type when one is added', () => {
    for (const stack of ['data', 'api'] as const) {
      const before = Object.fromEntries(Object.entries(plain[stack].toJSON().Resources as Record<string, Resource>).map(([id, r]) => [id, r.Type]));
      const after = Object.fromEntries(Object.entries(withZone[stack].toJSON().Resources as Record<string, Resource>).map(([id, r]) => [id, r.Type]));
      expect(after).toMatchObject(before);
    }
  });

  it('refuses a host name with a scheme, a hosted zone without its domain, and a domain outside the zone', () => {
    const problems = (overrides: Record<string, unknown>) => StageConfig.safeParse({ ...TEST_STAGE, ...overrides }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({ domainName: `https://${DOMAIN}` })).toEqual(['domainName: a lower-case host name such as appeal.example.org']);
    expect(problems({ domainName: DOMAIN, hostedZoneId: ZONE.hostedZoneId })).toEqual([
      "hostedZoneName: hostedZoneId and hostedZoneName go together: the zone's id and its domain (such as example.org)",
    ]);
    expect(problems({ domainName: 'appeal.other.example', ...ZONE })).toEqual(['domainName: domainName must be in the hosted zone (hostedZoneName or a name under it)']);
    expect(problems({ domainName: DOMAIN, ...ZONE })).toBeUndefined();
  });
});

describe('email set up from the stack', () => {
  const mx = 'bounce.news.example.org MX 10 feedback-smtp.eu-west-1.amazonses.com';
  const spf = 'bounce.news.example.org TXT "v=spf1 include:amazonses.com ~all"';

  it('signs with Easy DKIM (2048-bit) and sends bounces to a custom MAIL FROM domain, bounce.<senderDomain> by default', () => {
    plain.data.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'news.example.org',
      // SES signs with the identity's Easy DKIM keys unless told otherwise (SigningEnabled: false).
      DkimAttributes: Match.absent(),
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: { MailFromDomain: 'bounce.news.example.org' },
    });
    synth({ mailFromSubdomain: 'mail' }).data.hasResourceProperties('AWS::SES::EmailIdentity', { MailFromAttributes: { MailFromDomain: 'mail.news.example.org' } });
    expect(StageConfig.safeParse({ ...TEST_STAGE, mailFromSubdomain: 'bounce.news' }).success).toBe(false);
  });

  it('prints the records to create: three DKIM CNAMEs, the MAIL FROM MX and SPF, and a DMARC suggestion', () => {
    const identity = logicalIdOf(plain.data, 'AWS::SES::EmailIdentity');
    const outputs = outputsOf(plain.data);
    for (const i of [1, 2, 3]) {
      expect(outputs[`DkimRecord${i}`]).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [identity, `DkimDNSTokenName${i}`] }, ' CNAME ', { 'Fn::GetAtt': [identity, `DkimDNSTokenValue${i}`] }]],
      });
    }
    expect(outputs).toMatchObject({
      MailFromMxRecord: mx,
      MailFromSpfRecord: spf,
      DmarcRecord: '_dmarc.news.example.org TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@news.example.org"',
      DnsRecords: 'DkimRecord1, DkimRecord2, DkimRecord3, MailFromMxRecord, MailFromSpfRecord: to create in your DNS',
    });
    expect(resourcesOf(plain.data, 'AWS::Route53::RecordSet')).toEqual([]);
  });

  it('writes the DKIM, MX and SPF records into the hosted zone when the sender domain is in it, never the DMARC policy', () => {
    const { data } = withZone;
    const identity = logicalIdOf(data, 'AWS::SES::EmailIdentity');
    const records = resourcesOf(data, 'AWS::Route53::RecordSet').map(([, r]) => r.Properties);
    expect(records).toHaveLength(5);
    for (const record of records) expect(record).toMatchObject({ HostedZoneId: ZONE.hostedZoneId, TTL: '1800' });
    for (const i of [1, 2, 3]) {
      expect(records).toContainEqual(expect.objectContaining({
        Type: 'CNAME',
        Name: { 'Fn::GetAtt': [identity, `DkimDNSTokenName${i}`] },
        ResourceRecords: [{ 'Fn::GetAtt': [identity, `DkimDNSTokenValue${i}`] }],
      }));
    }
    expect(records).toContainEqual(expect.objectContaining({ Type: 'MX', Name: 'bounce.news.example.org', ResourceRecords: ['10 feedback-smtp.eu-west-1.amazonses.com'] }));
    expect(records).toContainEqual(expect.objectContaining({ Type: 'TXT', Name: 'bounce.news.example.org', ResourceRecords: ['"v=spf1 include:amazonses.com ~all"'] }));
    expect(JSON.stringify(records)).not.toContain('DMARC');
    expect(outputsOf(data)).toMatchObject({ MailFromMxRecord: mx, DnsRecords: expect.stringContaining(`created by the stack in the Route 53 hosted zone ${ZONE.hostedZoneId}`) });
  });

  it("prints the email records without writing them when the sender domain is outside the stage's hosted zone", () => {
    const { data, api } = synth({ domainName: 'appeal.example.net', hostedZoneId: ZONE.hostedZoneId, hostedZoneName: 'example.net' });
    expect(resourcesOf(data, 'AWS::Route53::RecordSet')).toEqual([]);
    expect(outputsOf(data).DnsRecords).toMatch(/to create in your DNS$/);
    expect(resourcesOf(api, 'AWS::Route53::RecordSet')).toHaveLength(1);
  });
});

describe('alarms that reach someone', () => {
  const { alarmEmail: _, ...withoutAlarmEmail } = TEST_STAGE;

  it('fails synth for a stage without alarmEmail, saying what to set', () => {
    expect(() => buildStage(new App(), StageConfig.parse(withoutAlarmEmail))).toThrow(
      'stage test has no alarm target: set alarmEmail in infra/stages/test.json, or set "alarms": "none" to deploy with alarms that go nowhere',
    );
  });

  it('synthesizes a stage that says "alarms": "none", with alarms on a topic no one subscribes to', () => {
    const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const { api } = buildStage(app, StageConfig.parse({ ...withoutAlarmEmail, alarms: 'none' }));
    const template = Template.fromStack(api);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    expect(resourcesOf(template, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties.Protocol === 'email')).toEqual([]);
    expect(resourcesOf(template, 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(10);
  });

  it('subscribes alarmEmail to the alarm topic, whose ARN the stack prints', () => {
    plain.api.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org', TopicArn: { Ref: logicalIdOf(plain.api, 'AWS::SNS::Topic') } });
    expect(outputsOf(plain.api).AlarmTopicArn).toEqual({ Ref: logicalIdOf(plain.api, 'AWS::SNS::Topic') });
  });

  it('refuses "alarms": "none" beside an alarmEmail: the file would say two things', () => {
    expect(StageConfig.safeParse({ ...TEST_STAGE, alarms: 'none' }).error?.issues.map((i) => i.message)).toEqual(['alarms is "none" but alarmEmail is set: remove one of them']);
    expect(StageConfig.safeParse({ ...withoutAlarmEmail, alarms: 'some' }).success).toBe(false);
  });
});

describe('the version deployed', () => {
  it("outputs AppealVersion, package.json's version", () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(outputsOf(plain.api).AppealVersion).toBe(version);
  });
});

describe('cdk-nag', () => {
  it('reports nothing unsuppressed on a stage with a domain and a hosted zone', () => {
    // The packs ran: each wrote its report for each stack.
    expect(readdirSync(withZone.assemblyDir).filter((name) => name.endsWith('-NagReport.csv')).sort()).toEqual([
      'AwsSolutions--Appeal-test-Api-NagReport.csv',
      'AwsSolutions--Appeal-test-Data-NagReport.csv',
      'Serverless--Appeal-test-Api-NagReport.csv',
      'Serverless--Appeal-test-Data-NagReport.csv',
    ]);
    for (const stack of [withZone.stacks.data, withZone.stacks.api]) {
      const errors = Annotations.fromStack(stack).findError('*', Match.anyValue());
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('^(AwsSolutions|Serverless)-'));
      expect([...errors, ...warnings].map((e) => `${e.id}: ${String(e.entry.data).slice(0, 160)}`)).toEqual([]);
    }
  });
});
