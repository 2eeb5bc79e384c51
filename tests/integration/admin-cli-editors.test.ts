import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';

// The admin CLI as editors meet it, run as `npm run admin` runs it (its own process), on a
// terminal (a pseudo-terminal from util-linux's `script`) and off one (pipes, as in a log or a script).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(ROOT, 'cli/admin.ts');
const TSX = import.meta.resolve('tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Every AWS_* variable of this process removed: a CLI run that finds no region or credentials but what a test gives. */
const withoutAws = (env: Record<string, string>) => {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))) as Record<string, string>;
  return { ...base, AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials', AWS_EC2_METADATA_DISABLED: 'true', ...env };
};

/** The admin CLI with pipes for stdin, stdout and stderr (not a terminal), from any folder. */
const runCli = (args: string[], options: { cwd?: string; env?: Record<string, string>; bareAws?: boolean } = {}) =>
  new Promise<Run>((resolve) => {
    const env = { ...(options.bareAws ? withoutAws(options.env ?? {}) : { ...process.env, ...options.env }), NODE_NO_WARNINGS: '1' };
    const child = spawn(process.execPath, ['--import', TSX, ENTRY, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** The admin CLI on a pseudo-terminal (stdin and both outputs are a TTY), typing `typed` once it has started. */
const runOnTerminal = (args: string[], typed = '') =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const command = [process.execPath, '--import', TSX, ENTRY, ...args].map(shellQuote).join(' ');
    const child = spawn('script', ['-q', '-e', '-c', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1', TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    if (typed) {
      // Typed once the question is on the screen, as a person would.
      const ask = setInterval(() => {
        if (output.includes('[y/N]')) {
          clearInterval(ask);
          child.stdin.write(typed);
        }
      }, 50);
      child.once('exit', () => clearInterval(ask));
    }
    child.once('exit', (code) => {
      child.stdin.destroy();
      resolve({ code, output });
    });
  });

let server: TestServer;
let work: string;

beforeAll(async () => {
  server = await startTestServer({ SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
  work = await mkdtemp(join(tmpdir(), 'appeal-cli-work-'));
});
afterAll(async () => {
  await server?.stop();
  await rm(work, { recursive: true, force: true });
});

const admin = (...args: string[]) => ['--data-dir', server.dataDir, ...args];
const record = async (email: string) => {
  const shown = await runCli(admin('subscriber', 'show', email));
  return shown.code === 0 ? (JSON.parse(shown.stdout) as Record<string, unknown>) : undefined;
};
const signUp = async (email: string) => {
  await postJson(`${server.url}/v1/subscriptions`, { email });
  await server.mailIdle();
};

describe('subscriber erase', () => {
  it('refuses without --yes when standard input is not a terminal, and changes nothing', async () => {
    await signUp('keep.me@example.org');
    const refused = await runCli(admin('subscriber', 'erase', 'keep.me@example.org'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error: not erasing keep.me@example.org: nobody can confirm (standard input is not a terminal); pass --yes to erase it without asking\n',
    );
    expect(await record('keep.me@example.org')).toMatchObject({ status: 'pending' });

    const erased = await runCli(admin('subscriber', 'erase', '--yes', 'keep.me@example.org'));
    expect(erased).toMatchObject({ code: 0, stdout: 'erased keep.me@example.org\n' });
    expect(await record('keep.me@example.org')).toMatchObject({ status: 'suppressed' });
  });

  it('asks on a terminal, saying what goes and what stays; only yes erases', async () => {
    await signUp('ask.me@example.org');
    const declined = await runOnTerminal(admin('subscriber', 'erase', 'ask.me@example.org'), 'n\n');
    expect(declined.output).toContain('Erase ask.me@example.org? its subscriber record (pending) is deleted for good');
    expect(declined.output).toContain('[y/N]');
    expect(declined.output).toContain('not erased: ask.me@example.org');
    expect(declined.code).toBe(1);
    expect(await record('ask.me@example.org')).toMatchObject({ status: 'pending' });

    const confirmed = await runOnTerminal(admin('subscriber', 'erase', 'ask.me@example.org'), 'y\n');
    expect(confirmed.output).toContain('erased ask.me@example.org');
    expect(confirmed.code).toBe(0);
    expect(await record('ask.me@example.org')).toMatchObject({ status: 'suppressed' });
  });
});

describe('subscriber show', () => {
  it('lists the donations held for the address and says they are kept', async () => {
    const checkout = (await (await postJson(`${server.url}/v1/donations/checkout`, { campaign: 'ukraine', amount: 2500, currency: 'usd', email: 'cli.donor@example.org' })).json()) as { id: string };
    const paid = (await (await postJson(`${server.url}/_local/stripe/checkout/${checkout.id}/complete`, { name: 'Cli Donor' })).json()) as { paymentIntent: string };
    const shown = await runCli(admin('subscriber', 'show', 'cli.donor@example.org'));
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toEqual({
      email: 'cli.donor@example.org',
      donations: [expect.objectContaining({ id: paid.paymentIntent, campaign: 'ukraine', amount: 2500, currency: 'usd', status: 'paid', name: 'Cli Donor' })],
    });
    expect(shown.stderr).toBe('1 donation held for this address (financial records: kept when the address is erased)\n');

    const erase = await runOnTerminal(admin('subscriber', 'erase', 'cli.donor@example.org'), 'n\n');
    expect(erase.output).toContain('no subscriber record is held for it; 1 donation record is kept (financial records)');
  });
});

describe('export', () => {
  it('writes where --out says; progress only on a terminal, plain lines in a log', async () => {
    await signUp('export.cli@example.org');
    const file = join(work, 'pending.csv');
    const logged = await runCli(admin('export', 'subscribers', '--status', 'pending', '--out', file));
    expect(logged.code).toBe(0);
    expect(logged.stderr).toMatch(/^export exp_\S+ started\n\d+ rows? written to .*pending\.csv\n$/);
    expect(logged.stderr).not.toContain('\r'); // no progress line rewritten in place
    expect(logged.stderr).not.toContain('\u001b'); // no terminal escapes
    const bytes = await readFile(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('export.cli@example.org');
    expect(await readdir(work)).toEqual(['pending.csv']); // no partial file left beside it

    const onTerminal = await runOnTerminal(admin('export', 'subscribers', '--status', 'pending', '--out', join(work, 'tty.csv')));
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.output).toContain('\r\x1b[2K');
    expect(onTerminal.output).toMatch(/rows? written to .*tty\.csv/);
  });

  it('defaults to a dated file in the current folder, never replacing one, and takes a date for --since', async () => {
    const folder = await mkdtemp(join(work, 'cwd-'));
    const day = new Date().toISOString().slice(0, 10);
    const first = await runCli(admin('export', 'subscribers', '--since', '2026-01-01'), { cwd: folder });
    expect(first.code, first.stderr).toBe(0);
    const second = await runCli(admin('export', 'subscribers', '--since', '2026-01-01'), { cwd: folder });
    expect(second.code).toBe(0);
    expect((await readdir(folder)).sort()).toEqual([`subscribers-${day}-2.csv`, `subscribers-${day}.csv`]);
    expect(second.stderr).toContain(join(folder, `subscribers-${day}-2.csv`));
  });

  it('fails before exporting when the folder is missing, or a filter names nothing', async () => {
    const missing = await runCli(admin('export', 'subscribers', '--out', join(work, 'nope', 'x.csv')));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`error: cannot write the export to ${join(work, 'nope', 'x.csv')}: the folder ${join(work, 'nope')} does not exist\n`);
    const unknown = await runCli(admin('export', 'donations', '--campaign', 'nope', '--out', join(work, 'never.csv')));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('400 There is no campaign "nope": the campaigns are ukraine. (campaign)');
    const other = await runCli(admin('export', 'donations', '--status', 'confirmed', '--out', join(work, 'never.csv')));
    expect(other.stderr).toContain('"confirmed" is a subscriber status');
    expect(await readdir(work)).not.toContain('never.csv');
  });

  it('is kept out of git: *.csv is ignored', async () => {
    const ignored = (await readFile(join(ROOT, '.gitignore'), 'utf8')).split('\n').map((line) => line.trim());
    expect(ignored).toContain('*.csv');
  });
});

describe('--stage errors', () => {
  let cloudFormation: Server;
  let endpoint: string;
  beforeAll(async () => {
    // CloudFormation's answer for a stack that is not there (AWS query protocol).
    cloudFormation = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code>' +
            '<Message>Stack with id Appeal-qa-Data does not exist</Message></Error><RequestId>r1</RequestId></ErrorResponse>',
        );
      });
    });
    await new Promise<void>((done) => cloudFormation.listen(0, '127.0.0.1', done));
    endpoint = `http://127.0.0.1:${(cloudFormation.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => cloudFormation.close(() => done())));

  it('say that the region is missing, and how to give one', async () => {
    const run = await runCli(['--stage', 'qa', 'campaign', 'list'], { bareAws: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: no AWS region for stage qa\n  how to fix: pass --region (e.g. --region eu-west-1), set AWS_REGION, or give the stage a "region" in infra/stages/qa.json\n',
    );
  });

  it('say that the credentials are missing, and how to get them', async () => {
    const run = await runCli(['--stage', 'qa', '--region', 'eu-west-1', 'campaign', 'list'], { bareAws: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: no AWS credentials to reach stage qa \(.+\)\n {2}how to fix: sign in with `aws sso login --profile NAME`/);
  });

  it('say which stack is not deployed, where, and how to deploy it', async () => {
    const run = await runCli(['--stage', 'qa', 'export', 'subscribers'], {
      bareAws: true,
      env: { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: stack Appeal-qa-Data is not deployed in eu-west-1, in the account of your credentials\n/);
    expect(run.stderr).toContain('how to fix: check --stage (stages in infra/stages/: dev');
    expect(run.stderr).toContain('or deploy it: npx cdk deploy -c stage=qa --all');
  });
});
