import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevServer, startDevServer } from '../../local/dev-server.js';
import { dynamodbEndpoint, uniqueTableNames } from './dynamodb.js';

export interface TestServer extends DevServer {
  dataDir: string;
  /** Waits for the mail queue, then returns the emails sent to `to`, oldest first. */
  mailTo(to: string): Promise<ReturnType<DevServer['outbox']>>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts the real dev server (aws-ses-v2-local, local AWS endpoint, s3rver) in a fresh folder, on free ports, with
 * tables of its own in the run's DynamoDB Local.
 */
export const startTestServer = async (env: Record<string, string> = {}, dataDir?: string): Promise<TestServer> => {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'appeal-test-')));
  const server = await startDevServer({
    port: 0,
    dataDir: dir,
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
    async stop(options = {}) {
      await server.close();
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
