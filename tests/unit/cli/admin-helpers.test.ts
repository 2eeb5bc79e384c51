import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DestinationError, exportDestination } from '../../../cli/export-file.js';
import { stageTarget, TargetError } from '../../../cli/target.js';
import { ConfirmationRequiredError, confirm, count, progress } from '../../../cli/terminal.js';

const tty = <T extends object>(stream: T, isTTY: boolean) => Object.assign(stream, { isTTY });

describe('confirm', () => {
  it('refuses without asking when standard input is not a terminal', async () => {
    const output = new PassThrough();
    let asked = '';
    output.on('data', (chunk: Buffer) => (asked += chunk.toString()));
    await expect(confirm('Erase?', 'pass --yes', { input: tty(new PassThrough(), false), output })).rejects.toThrow(ConfirmationRequiredError);
    await expect(confirm('Erase?', 'pass --yes', { input: tty(new PassThrough(), false), output })).rejects.toThrow('pass --yes');
    expect(asked).toBe('');
  });

  it('asks on a terminal and takes only an explicit yes', async () => {
    const answers: [string, boolean][] = [['y\n', true], ['yes\n', true], ['Y\n', true], ['n\n', false], ['\n', false], ['sure\n', false]];
    for (const [typed, expected] of answers) {
      const input = tty(new PassThrough(), true);
      const output = new PassThrough();
      let asked = '';
      output.on('data', (chunk: Buffer) => (asked += chunk.toString()));
      const answer = confirm('Erase reader@example.org?', 'pass --yes', { input, output });
      input.write(typed);
      expect(await answer, JSON.stringify(typed)).toBe(expected);
      expect(asked).toContain('Erase reader@example.org? [y/N] ');
    }
  });
});

describe('progress', () => {
  const capture = (isTTY: boolean) => {
    let text = '';
    return { out: { isTTY, write: (chunk: string) => (text += chunk) }, text: () => text };
  };

  it('rewrites one line on a terminal', () => {
    const { out, text } = capture(true);
    const shown = progress(out);
    shown.update('export exp_1: 10 rows');
    shown.update('export exp_1: 20 rows');
    shown.line('20 rows written to x.csv');
    expect(text()).toBe('\r\x1b[2Kexport exp_1: 10 rows\r\x1b[2Kexport exp_1: 20 rows\r\x1b[2K20 rows written to x.csv\n');
  });

  it('writes only plain lines elsewhere (a log has no carriage returns or escapes)', () => {
    const { out, text } = capture(false);
    const shown = progress(out);
    shown.line('export exp_1 started');
    shown.update('export exp_1: 10 rows');
    shown.clear();
    shown.line('1 row written to x.csv');
    expect(text()).toBe('export exp_1 started\n1 row written to x.csv\n');
  });

  it('counts in words', () => {
    expect(count(1, 'row')).toBe('1 row');
    expect(count(12000, 'row')).toBe('12,000 rows');
    expect(count(0, 'donation')).toBe('0 donations');
  });
});

describe('where an export is written', () => {
  let dir: string;
  const now = new Date('2026-11-25T12:00:00Z');
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'appeal-out-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('defaults to a name made of the kind, the filters and the day, in the current folder, never replacing a file', async () => {
    expect(exportDestination(undefined, { kind: 'subscribers', status: 'confirmed' }, now, dir)).toEqual({ kind: 'file', path: join(dir, 'subscribers-confirmed-2026-11-25.csv') });
    await writeFile(join(dir, 'donations-spring-2026-11-25.csv'), 'old');
    expect(exportDestination(undefined, { kind: 'donations', campaign: 'spring' }, now, dir)).toEqual({ kind: 'file', path: join(dir, 'donations-spring-2026-11-25-2.csv') });
  });

  it('writes where it is told: a file, a folder (with the default name), or standard output', async () => {
    expect(exportDestination('out.csv', { kind: 'subscribers' }, now, dir)).toEqual({ kind: 'file', path: join(dir, 'out.csv') });
    expect(exportDestination(dir, { kind: 'subscribers' }, now, '/')).toEqual({ kind: 'file', path: join(dir, 'subscribers-2026-11-25.csv') });
    expect(exportDestination('-', { kind: 'subscribers' }, now, dir)).toEqual({ kind: 'stdout' });
  });

  it('says so at once when the folder is not there', () => {
    expect(() => exportDestination('missing/out.csv', { kind: 'subscribers' }, now, dir)).toThrow(DestinationError);
    expect(() => exportDestination('missing/out.csv', { kind: 'subscribers' }, now, dir)).toThrow(`the folder ${join(dir, 'missing')} does not exist`);
  });
});

describe('--stage errors say what is missing and how to fix it', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  afterEach(() => {
    cloudFormation.reset();
    vi.unstubAllEnvs();
  });
  // No credentials or region from this machine's files, and no EC2 metadata service to wait for.
  const bareEnvironment = () => {
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  };
  const failure = async (stage: string, region: string | undefined) => {
    const error = await stageTarget(stage, region).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TargetError);
    return error as TargetError;
  };

  it('names the stack that is not deployed, where, and how to deploy it', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Stack with id Appeal-qa-Data does not exist' }));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const error = await failure('qa', 'eu-west-1');
    expect(error.message).toContain('stack Appeal-qa-Data is not deployed in eu-west-1');
    expect(error.fix).toContain('npx cdk deploy -c stage=qa --all');
    expect(error.fix).toMatch(/stages in infra\/stages\/: .*dev/);
  });

  it('says when AWS refuses the credentials', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(new CloudFormationServiceException({ name: 'InvalidClientTokenId', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'The security token included in the request is invalid.' }));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret');
    const error = await failure('prod', 'eu-west-1');
    expect(error.message).toContain('AWS refused your credentials in eu-west-1');
    expect(error.fix).toContain('aws sso login');
  });

  it('says when there are no credentials', async () => {
    bareEnvironment();
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Could not load credentials from any providers'));
    const error = await failure('prod', 'eu-west-1');
    expect(error.message).toMatch(/^no AWS credentials to reach stage prod/);
    expect(error.fix).toContain('AWS_PROFILE');
  });

  it('says when there is no region, and takes the stage file\'s when there is one', async () => {
    bareEnvironment();
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Region is missing'));
    const error = await failure('nowhere', undefined);
    expect(error.message).toBe('no AWS region for stage nowhere\n  how to fix: pass --region (e.g. --region eu-west-1), set AWS_REGION, or give the stage a "region" in infra/stages/nowhere.json');
    // infra/stages/dev.json names us-east-1: no region needed, the next thing missing is the credentials.
    expect((await failure('dev', undefined)).message).toMatch(/^no AWS credentials/);
  });
});
