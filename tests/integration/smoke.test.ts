import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAlarms } from '../../cli/smoke-aws.js';
import { type CheckResult, runSmoke, type SmokeOptions } from '../../cli/smoke-checks.js';
import { localEnvironment } from '../../cli/smoke-env.js';
import { localTarget } from '../../cli/target.js';
import { clientConfig, documentClient } from '../../functions/platform/clients.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `npm run smoke -- --local …` as a person would (same entry point): its output and exit code. */
const smokeCli = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/smoke.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });

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

/**
 * SigV4 (AWS's documented algorithm) recomputed here with node:crypto, independently of the signer the smoke test
 * uses, to check the signature a CloudWatch stand-in receives.
 */
const expectedSignature = (req: IncomingMessage, body: string, secretAccessKey: string) => {
  const authorization = String(req.headers.authorization);
  const [, scope = '', signedHeaders = ''] = /Credential=[^/]+\/([^,]+), SignedHeaders=([^,]+), Signature=/.exec(authorization) ?? [];
  const [date = '', region = '', service = ''] = scope.split('/');
  const hex = (data: string) => createHash('sha256').update(data).digest('hex');
  const canonicalHeaders = signedHeaders.split(';').map((name) => `${name}:${String(req.headers[name]).trim()}\n`).join('');
  const canonical = ['POST', req.url, '', canonicalHeaders, signedHeaders, hex(body)].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', String(req.headers['x-amz-date']), scope, hex(canonical)].join('\n');
  const key = [date, region, service, 'aws4_request'].reduce<Buffer>((k, part) => createHmac('sha256', k).update(part).digest(), Buffer.from(`AWS4${secretAccessKey}`));
  return { service, region, signature: createHmac('sha256', key).update(stringToSign).digest('hex'), given: /Signature=(\w+)/.exec(authorization)?.[1] };
};

describe('the alarms check\'s CloudWatch call (a stand-in: no AWS from here)', () => {
  it('asks DescribeAlarms for the stack\'s alarm names with a valid SigV4 signature and reads the states from the XML', async () => {
    const received: { form: URLSearchParams; check: ReturnType<typeof expectedSignature> }[] = [];
    const cloudWatch = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ form: new URLSearchParams(body), check: expectedSignature(req, body, 'stand-in-secret') });
        res.writeHead(200, { 'content-type': 'text/xml' });
        // As CloudWatch answers: members nest inside an alarm (actions, dimensions); a name it lacks is simply absent.
        res.end(`<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><DescribeAlarmsResult><MetricAlarms>
          <member><AlarmName>Appeal-prod-Api-Api5xxAlarm-AAA</AlarmName><AlarmActions><member>arn:aws:sns:eu-west-1:1:t</member></AlarmActions>
            <Dimensions><member><Name>ApiId</Name><Value>x</Value></member></Dimensions><StateValue>OK</StateValue></member>
          <member><AlarmName>Appeal-prod-Api-SesBounceRateAlarm-&amp;B</AlarmName><StateValue>ALARM</StateValue></member>
        </MetricAlarms><CompositeAlarms/></DescribeAlarmsResult></DescribeAlarmsResponse>`);
      });
    });
    await new Promise<void>((resolve) => cloudWatch.listen(0, '127.0.0.1', resolve));
    try {
      const names = ['Appeal-prod-Api-Api5xxAlarm-AAA', 'Appeal-prod-Api-SesBounceRateAlarm-&B', 'Appeal-prod-Api-DeletedAlarm-CCC'];
      const states = await describeAlarms(
        {
          region: 'eu-west-1',
          credentials: async () => ({ accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'stand-in-secret' }),
          endpoint: `http://127.0.0.1:${(cloudWatch.address() as AddressInfo).port}/`,
        },
        names,
      );
      expect([...states]).toEqual([
        ['Appeal-prod-Api-Api5xxAlarm-AAA', 'OK'],
        ['Appeal-prod-Api-SesBounceRateAlarm-&B', 'ALARM'],
      ]);
      const [request] = received;
      expect(request?.form.get('Action')).toBe('DescribeAlarms');
      expect(request?.form.getAll('AlarmNames.member.3')).toEqual(['Appeal-prod-Api-DeletedAlarm-CCC']);
      expect(request?.check).toMatchObject({ service: 'monitoring', region: 'eu-west-1' });
      expect(request?.check.given).toBe(request?.check.signature);
    } finally {
      await new Promise((resolve) => cloudWatch.close(resolve));
    }
  });
});
