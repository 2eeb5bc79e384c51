import { appendFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevServer, startDevServer } from '../../local/server/dev-server.js';
import { type AwsCallRecord, type IamRequest, iamRequests, nameRequests } from './aws-calls.js';
import { dynamodbEndpoint, uniqueTableNames } from './dynamodb.js';

export interface TestServer extends DevServer {
  dataDir: string;
  /** Waits for the mail queue, then returns the emails sent to `to`, oldest first. */
  mailTo(to: string): Promise<ReturnType<DevServer['outbox']>>;
  stop(options?: { keepData?: boolean }): Promise<void>;
  /**
   * The AWS calls the functions have made, one record per IAM request (tests/support/aws-calls.ts). Recorded
   * with `recordAwsCalls`, or for every test server when APPEAL_AWS_CALLS_DIR names a folder: each server then
   * appends its records there as JSON lines when it stops (see tests/infra/least-privilege.test.ts).
   */
  awsCalls(): AwsCallRecord[];
}

/**
 * Starts the real dev server (aws-ses-v2-local, local AWS endpoint, s3rver) in a fresh folder, on free ports, with
 * tables of its own in the run's DynamoDB Local.
 */
export const startTestServer = async (
  env: Record<string, string> = {},
  dataDir?: string,
  options: { recordAwsCalls?: boolean; stripeSecret?: 'set' | 'unset' } = {},
): Promise<TestServer> => {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'appeal-test-')));
  const callsDir = process.env.APPEAL_AWS_CALLS_DIR;
  const calls: { fn: string; command: string; requests: IamRequest[] }[] = [];
  const server = await startDevServer({
    ...(options.recordAwsCalls || callsDir
      ? { recordAwsCalls: (call) => calls.push({ fn: call.function, command: call.command, requests: iamRequests(call) }) }
      : {}),
    port: 0,
    dataDir: dir,
    ...(options.stripeSecret ? { stripeSecret: options.stripeSecret } : {}),
    // Tests read a campaign's totals right after a payment: no progress cache between them.
    env: { LOG_LEVEL: 'ERROR', CAMPAIGN_CACHE_SECONDS: '0', ...env },
    dynamodb: { endpoint: dynamodbEndpoint(), tables: uniqueTableNames() },
  });
  return {
    ...server,
    dataDir: dir,
    async mailTo(to: string) {
      await server.mailIdle();
      return server.outbox().filter((m) => m.to.includes(to));
    },
    awsCalls: () => calls.flatMap((call) => nameRequests(call.fn, call.command, call.requests, server.environment)),
    async stop(options = {}) {
      await server.close();
      if (callsDir && calls.length > 0) {
        await mkdir(callsDir, { recursive: true });
        const records = calls.flatMap((call) => nameRequests(call.fn, call.command, call.requests, server.environment));
        await appendFile(join(callsDir, `${process.pid}.jsonl`), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
        calls.length = 0;
      }
      if (!options.keepData) await rm(dir, { recursive: true, force: true });
    },
  };
};

/** The link with `path` in an email's text part. */
export const linkIn = (text: string, path: string): string => {
  const found = text.match(new RegExp(`https?://[^\\s]+${path.replace(/\//g, '\\/')}\\?token=[A-Za-z0-9._-]+`));
  if (!found) throw new Error(`no ${path} link in the email`);
  return found[0];
};

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
