import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAdminToken, checkAlarmSubscriptions, checkCertificate, checkKeyMode, checkProductionAccess, checkSesIdentity, checkVersion } from '../../../cli/doctor.js';

// A deployed stage cannot be reached from here: these hold the stage's checks to recorded AWS answers.
const sns = mockClient(SNSClient);
const ses = mockClient(SESv2Client);
const acm = mockClient(ACMClient);
afterEach(() => {
  sns.reset();
  ses.reset();
  acm.reset();
});

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:Appeal-prod-Api-AlarmTopic-abc';
const WHERE = 'the secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:StripeSecret';

describe('the Stripe key\'s mode', () => {
  it('fails a test key on a live stage, saying to put a live key in the secret', () => {
    const line = checkKeyMode('sk_test_abcdef123', true, WHERE);
    expect(line).toMatchObject({ verdict: 'FAIL', detail: 'a test key (sk_test_…) on a stage expected to be live' });
    expect(line.fix).toBe(`put a live key (sk_live_… or rk_live_…) in ${WHERE}, then run stripe setup again with it (live mode has its own webhook endpoints)`);
  });

  it('fails a live key on a test stage, and passes a key of the expected mode', () => {
    expect(checkKeyMode('rk_live_abcdef123', false, WHERE)).toMatchObject({ verdict: 'FAIL', fix: expect.stringContaining('or pass --live if this stage takes real gifts') });
    expect(checkKeyMode('rk_live_abcdef123', true, WHERE).verdict).toBe('ok');
    expect(checkKeyMode('sk_test_abcdef123', false, WHERE).verdict).toBe('ok');
  });
});

describe('the alarm topic\'s subscriptions', () => {
  it('fails an email subscription still waiting for its confirmation, naming the address and the email to look for', async () => {
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC }).resolves({
      Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'ops@example.org', TopicArn: TOPIC, Owner: '123456789012' }],
    });
    const line = await checkAlarmSubscriptions(new SNSClient({ region: 'eu-west-1' }), TOPIC, false);
    expect(line).toMatchObject({ verdict: 'FAIL', detail: 'email ops@example.org not confirmed: alarms reach nobody there' });
    expect(line.fix).toBe('follow the link in the "AWS Notification - Subscription Confirmation" email sent to ops@example.org (or redeploy to send it again)');
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand).map((c) => c.args[0].input)).toEqual([{ TopicArn: TOPIC }]);
  });

  it('passes confirmed subscriptions, reads every page, and warns only when the stage says alarms go nowhere', async () => {
    sns
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC })
      .resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:1`, Protocol: 'email', Endpoint: 'ops@example.org' }], NextToken: 'next' })
      .on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 'next' })
      .resolves({ Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'night@example.org' }] });
    expect(await checkAlarmSubscriptions(new SNSClient({ region: 'eu-west-1' }), TOPIC, false)).toMatchObject({ verdict: 'FAIL', detail: expect.stringContaining('night@example.org') });
    sns.reset();
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ SubscriptionArn: `${TOPIC}:1`, Protocol: 'email', Endpoint: 'ops@example.org' }] });
    expect(await checkAlarmSubscriptions(new SNSClient({ region: 'eu-west-1' }), TOPIC, false)).toMatchObject({ verdict: 'ok', detail: 'alarms reach email ops@example.org' });
    sns.reset();
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    expect(await checkAlarmSubscriptions(new SNSClient({ region: 'eu-west-1' }), TOPIC, true)).toMatchObject({ verdict: 'warn' });
    expect(await checkAlarmSubscriptions(new SNSClient({ region: 'eu-west-1' }), TOPIC, false)).toMatchObject({ verdict: 'FAIL', fix: 'set alarmEmail in the stage file and redeploy' });
  });
});

describe('email', () => {
  it('fails a domain whose DKIM and MAIL FROM records are not live yet', async () => {
    ses.on(GetEmailIdentityCommand, { EmailIdentity: 'news.example.org' }).resolves({
      IdentityType: 'DOMAIN',
      VerifiedForSendingStatus: false,
      DkimAttributes: { Status: 'PENDING', SigningEnabled: true },
      MailFromAttributes: { MailFromDomain: 'mail.news.example.org', MailFromDomainStatus: 'PENDING', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    });
    const line = await checkSesIdentity(new SESv2Client({ region: 'eu-west-1' }), 'news.example.org');
    expect(line).toMatchObject({ verdict: 'FAIL', detail: 'news.example.org: not verified, DKIM PENDING, MAIL FROM PENDING' });
    expect(line.fix).toContain('DkimRecord outputs');
  });

  it('warns, without failing, in the SES sandbox: the smoke test passes there but readers get nothing', async () => {
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false, SendingEnabled: true });
    const line = await checkProductionAccess(new SESv2Client({ region: 'eu-west-1' }));
    expect(line).toMatchObject({ verdict: 'warn', detail: 'SES is in its sandbox: the smoke test passes (it mails the mailbox simulator), but readers get no email' });
    ses.on(GetAccountCommand).resolves({ ProductionAccessEnabled: true });
    expect((await checkProductionAccess(new SESv2Client({ region: 'eu-west-1' }))).verdict).toBe('ok');
  });
});

describe('the domain and the stacks', () => {
  it('fails a certificate waiting for validation, naming the record to create', async () => {
    acm.on(DescribeCertificateCommand).resolves({
      Certificate: {
        Status: 'PENDING_VALIDATION',
        DomainValidationOptions: [{ DomainName: 'appeal.example.org', ResourceRecord: { Name: '_x.appeal.example.org.', Type: 'CNAME', Value: '_y.acm-validations.aws.' } }],
      },
    });
    const line = await checkCertificate(new ACMClient({ region: 'eu-west-1' }), 'arn:aws:acm:eu-west-1:123456789012:certificate/1', 'appeal.example.org', 'prod');
    expect(line).toMatchObject({ verdict: 'FAIL', detail: 'appeal.example.org: certificate PENDING_VALIDATION' });
    expect(line.fix).toContain('_x.appeal.example.org. CNAME _y.acm-validations.aws.');
  });

  it('fails stacks without their AppealVersion output, saying to redeploy', () => {
    const stage = { name: 'prod', region: 'eu-west-1', stacks: ['Appeal-prod-Data', 'Appeal-prod-Api'], outputs: {} };
    expect(checkVersion(stage)).toMatchObject({ verdict: 'FAIL', fix: 'redeploy from this checkout: npx cdk deploy -c stage=prod --all' });
    expect(checkVersion({ ...stage, outputs: { AppealVersion: '0.2.0' } })).toMatchObject({ verdict: 'ok', detail: 'Appeal-prod-Data and Appeal-prod-Api deployed, Appeal 0.2.0' });
  });
});

describe('the first admin', () => {
  it('does not count a temporary token a CLI run made, or an expired one', async () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const tokens = (records: { name: string; expiresAt?: string }[]) => ({ list: async () => records.map((r, i) => ({ id: String(i), createdAt: now.toISOString(), ...r })) });
    const commands = { admin: 'npm run admin -- --stage prod', stripeSetup: '' };
    expect(await checkAdminToken(tokens([{ name: 'admin-cli temporary 42', expiresAt: '2026-12-01T00:05:00Z' }, { name: 'old', expiresAt: '2026-11-01T00:00:00Z' }]), commands, now)).toMatchObject({
      verdict: 'FAIL',
      fix: 'npm run admin -- --stage prod token create --name "first admin"',
    });
    expect(await checkAdminToken(tokens([{ name: 'ops laptop' }]), commands, now)).toMatchObject({ verdict: 'ok' });
  });
});
