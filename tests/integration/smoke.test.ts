import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAlarms } from '../../cli/smoke-aws.js';
import { type CheckResult, runSmoke, type SmokeOptions } from '../../cli/smoke-checks.js';
import { localEnvironment } from '../../cli/smoke-env.js';
import { localTarget } from '../../cli/target.js';
import { clientConfig, documentClient } from '../../functions/platform/clients.js';
import { type CloudWatchStandIn, type StandInAlarm, startCloudWatchStandIn } from '../support/cloudwatch.js';
import { runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

/** Runs `npm run smoke -- --local …` as a person would (same entry point): its output and exit code. */
const smokeCli = (args: string[]) => runCli('smoke', args);

/** The smoke logic itself against a dev server, through the same local target the CLI builds. */
const smoke = async (server: TestServer, options: SmokeOptions = {}) => {
  const target = await localTarget(server.dataDir);
  try {
    const results = await runSmoke(localEnvironment(target), options);
    return Object.fromEntries(results.map((r) => [r.check, r])) as Record<CheckResult['check'], CheckResult>;
  } finally {
    await target.close();
  }
};

/** Every item a smoke run could have left: campaigns, totals, gifts and donor markers named `smoke`, the simulator signups, temporary tokens. */
const leftovers = async (server: TestServer) => {
  const dynamo = documentClient(server.clientOptions);
  const scan = async (table: string) => (await dynamo.send(new ScanCommand({ TableName: table }))).Items ?? [];
  const donations = (await scan(server.tables.donations)).filter((item) => String(item.pk).includes('smoke'));
  const subscribers = (await scan(server.tables.subscribers)).filter(
    (item) => String(item.pk).startsWith('SUB#success+smoke-') || String(item.name ?? '').startsWith('admin-cli temporary'),
  );
  dynamo.destroy();
  return [...donations, ...subscribers].map((item) => String(item.pk));
};

let healthy: TestServer;
let broken: TestServer;

beforeAll(async () => {
  // These servers fail on purpose, and the functions' logger is one per process: their error logs would be noise.
  [healthy, broken] = await Promise.all([startTestServer({ LOG_LEVEL: 'SILENT' }), startTestServer({ LOG_LEVEL: 'SILENT' })]);
});
afterAll(async () => {
  await Promise.all([healthy?.stop(), broken?.stop()]);
});

describe('npm run smoke against the dev server', () => {
  it('passes every check, says the alarms do not apply locally, removes what it made and exits 0', async () => {
    const { code, stdout, stderr } = await smokeCli(['--local', '--data-dir', healthy.dataDir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(`smoke test of the dev server at ${healthy.url} (data in ${healthy.dataDir})`);
    for (const check of ['campaign', 'signup', 'webhook', 'export', 'cleanup']) {
      expect(stdout).toMatch(new RegExp(`^PASS  ${check} +\\d+\\.\\d s  \\S`, 'm'));
    }
    expect(stdout).toMatch(/^PASS {2}webhook .*refused unsigned \(400\); took a signed test-mode event \(200\): gift pi_smoke_\w+ paid and counted/m);
    expect(stdout).toMatch(/^PASS {2}export .*the contract's header, 1 row \(the smoke signup\)/m);
    expect(stdout).toMatch(/^SKIP {2}alarms +\d+\.\d s {2}not applicable: the dev server has no CloudWatch/m);
    expect(lines.at(-1)).toMatch(/^smoke test passed: 5 passed, 1 not applicable in \d+\.\d s$/);

    const address = /confirmation to (success\+smoke-[\w-]+@simulator\.amazonses\.com)/.exec(stdout)?.[1] ?? '';
    expect(await healthy.mailTo(address)).toHaveLength(1);
    expect(await leftovers(healthy)).toEqual([]);
  });

  it('fails the webhook check, saying what to do, when its webhook secret is not the one the server verifies with', async () => {
    const keyFile = join(healthy.dataDir, 'state.json');
    const keys = await readFile(keyFile, 'utf8');
    // The server read its secret at start; the smoke test reads the file now, as it reads Secrets Manager on a stage.
    await writeFile(keyFile, JSON.stringify({ ...JSON.parse(keys), webhookSecret: 'whsec_not_the_servers_secret' }));
    try {
      const results = await smoke(healthy);
      expect(results.webhook).toMatchObject({ outcome: 'fail', detail: expect.stringMatching(/^a test-mode event signed with the webhookSecret in .*state\.json was refused: 400 invalid_signature/) });
      expect(results.webhook.todo).toContain('put this endpoint\'s signing secret');
      expect([results.campaign.outcome, results.signup.outcome, results.export.outcome, results.cleanup.outcome]).toEqual(['pass', 'pass', 'pass', 'pass']);
    } finally {
      await writeFile(keyFile, keys);
    }
    expect(await leftovers(healthy)).toEqual([]);
  });

  it('fails the signup check when SES refuses the mail: accepted and stored, never mailed', async () => {
    healthy.setSesOutage(true);
    let results: Awaited<ReturnType<typeof smoke>>;
    try {
      results = await smoke(healthy, { mailWaitMs: 2000 });
    } finally {
      healthy.setSesOutage(false);
    }
    expect(results.signup).toMatchObject({
      outcome: 'fail',
      detail: 'the signup was stored (pending) but SES did not accept its confirmation within 2.0 s',
      todo: expect.stringContaining('the sender domain must be verified'),
    });
    expect(results.signup.ms).toBeGreaterThanOrEqual(2000);
    // The erased signup's job is still retried by the queue: the clean-up says so rather than claim a clean slate.
    expect(results.cleanup).toMatchObject({ outcome: 'pass', detail: expect.stringContaining('its signup job is still retried and may sign it up again') });
    expect([results.campaign.outcome, results.webhook.outcome, results.alarms.outcome]).toEqual(['pass', 'pass', 'skip']);
  });

  it('fails clearly and exits non-zero when a route answers 500', async () => {
    // As a missing grant or a wrong table name would on AWS: the subscriptions function's table is gone.
    const dynamo = new DynamoDBClient(clientConfig(broken.clientOptions, 'dynamodb'));
    await dynamo.send(new DeleteTableCommand({ TableName: broken.tables.subscribers }));
    dynamo.destroy();

    const { code, stdout } = await smokeCli(['--local', '--data-dir', broken.dataDir]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL {2}signup +\d+\.\d s {2}POST \/v1\/subscriptions answered 500 internal_error: .* \(request id [\w-]+\), expected 202$/m);
    expect(stdout).toMatch(/^ +what to do: the subscriptions function failed: look at the dev server's output for the request id/m);
    expect(stdout).toMatch(/^FAIL {2}export .*could not get an admin token: .*\n +what to do: your AWS credentials must be able to write the subscribers table/m);
    expect(stdout).toMatch(/^PASS {2}campaign /m);
    expect(stdout).toMatch(/^PASS {2}webhook /m);
    expect(stdout).toMatch(/^PASS {2}cleanup .*removed gift pi_smoke_\w+, campaign smoke-[\w-]+$/m);
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^smoke test FAILED: 3 passed, 2 failed, 1 not applicable in \d+\.\d s$/);
  });
});

describe('the alarms check\'s CloudWatch call (the SDK client against a stand-in: no AWS from here)', () => {
  const SECRET = 'stand-in-secret';
  let cloudWatchStandIn: CloudWatchStandIn;
  const alarms: StandInAlarm[] = [
    { name: 'Appeal-prod-Api-Api5xxAlarm-AAA', state: 'OK' },
    { name: 'Appeal-prod-Api-SesBounceRateAlarm-&B', state: 'ALARM' },
    { name: 'Appeal-prod-Api-HealthComposite-DDD', state: 'INSUFFICIENT_DATA', type: 'CompositeAlarm' },
    ...Array.from({ length: 230 }, (_, i): StandInAlarm => ({ name: `Appeal-prod-Many-Alarm${i}`, state: 'OK' })),
  ];
  const client = (secretAccessKey = SECRET) =>
    new CloudWatchClient({
      region: 'eu-west-1',
      endpoint: cloudWatchStandIn.url,
      credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey },
      maxAttempts: 1,
    });
  const withClient = async <T>(use: (cloudWatch: CloudWatchClient) => Promise<T>, secretAccessKey?: string) => {
    const cloudWatch = client(secretAccessKey);
    try {
      return await use(cloudWatch);
    } finally {
      cloudWatch.destroy();
    }
  };

  beforeAll(async () => {
    cloudWatchStandIn = await startCloudWatchStandIn(alarms, SECRET);
  });
  afterAll(async () => {
    await cloudWatchStandIn?.close();
  });

  it('asks DescribeAlarms, signed for monitoring, for metric and composite alarms: a name CloudWatch lacks is absent', async () => {
    cloudWatchStandIn.requests.length = 0;
    const names = ['Appeal-prod-Api-Api5xxAlarm-AAA', 'Appeal-prod-Api-SesBounceRateAlarm-&B', 'Appeal-prod-Api-DeletedAlarm-CCC', 'Appeal-prod-Api-HealthComposite-DDD'];
    const states = await withClient((cloudWatch) => describeAlarms(cloudWatch, names));
    expect(Object.fromEntries(states)).toEqual({
      'Appeal-prod-Api-Api5xxAlarm-AAA': 'OK',
      'Appeal-prod-Api-SesBounceRateAlarm-&B': 'ALARM',
      'Appeal-prod-Api-HealthComposite-DDD': 'INSUFFICIENT_DATA',
    });
    expect(cloudWatchStandIn.requests).toHaveLength(1);
    const [request] = cloudWatchStandIn.requests;
    expect(request).toMatchObject({
      target: 'GraniteServiceVersion20100801.DescribeAlarms',
      contentType: 'application/x-amz-json-1.0',
      queryMode: 'true',
      signature: { service: 'monitoring', region: 'eu-west-1', valid: true },
      status: 200,
    });
    expect(request?.body.AlarmNames).toEqual(names);
    expect(request?.body.AlarmTypes).toEqual(['MetricAlarm', 'CompositeAlarm']);
  });

  it('asks for at most 100 names a call and reads every page of each', async () => {
    cloudWatchStandIn.requests.length = 0;
    // CloudWatch may answer fewer alarms than MaxRecords, with a NextToken for the rest.
    cloudWatchStandIn.pageLimit = 60;
    const names = alarms.filter((alarm) => alarm.name.includes('-Many-')).map((alarm) => alarm.name);
    let states: Map<string, string>;
    try {
      states = await withClient((cloudWatch) => describeAlarms(cloudWatch, names));
    } finally {
      cloudWatchStandIn.pageLimit = 100;
    }
    expect(states.size).toBe(230);
    expect([...states.values()].every((state) => state === 'OK')).toBe(true);
    const calls = cloudWatchStandIn.requests.map((request) => [(request.body.AlarmNames as string[]).length, request.body.NextToken !== undefined]);
    expect(calls).toEqual([
      [100, false],
      [100, true],
      [100, false],
      [100, true],
      [30, false],
    ]);
    expect(cloudWatchStandIn.requests.every((request) => request.status === 200 && request.signature.valid)).toBe(true);
  });

  it('is as strict as CloudWatch: more than 100 names, or a bad signature, is refused, and the smoke test says so', async () => {
    const tooMany = Array.from({ length: 101 }, (_, i) => `Appeal-prod-Many-Alarm${i}`);
    await expect(
      withClient((cloudWatch) => cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: tooMany }))),
    ).rejects.toMatchObject({ Code: 'ValidationError', message: expect.stringContaining('less than or equal to 100'), $metadata: { httpStatusCode: 400 } });
    await expect(withClient((cloudWatch) => describeAlarms(cloudWatch, ['Appeal-prod-Api-Api5xxAlarm-AAA']), 'not-the-secret')).rejects.toThrow(
      /^CloudWatch DescribeAlarms: SignatureDoesNotMatch: The request signature we calculated does not match/,
    );
  });
});
