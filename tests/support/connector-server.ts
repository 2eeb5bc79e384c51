import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect } from 'vitest';
import { connectorKeys } from '../../functions/adapters/dynamo-connectors.js';
import { documentClient } from '../../functions/platform/clients.js';
import { LOCAL_MAILCHIMP } from '../../local/server/connector-stand-ins.js';
import { runAdminHere } from './cli.js';
import { linkIn, postJson, startTestServer, type TestServer } from './dev-server.js';

/**
 * A dev server for one test file of the newsletter connectors, started before its tests and stopped after them, with
 * room for many signups from one client, and the steps those tests share: the admin CLI on the server's data, a
 * reader's signup and confirmation, what each tool's stand-in holds, and a wait on the background work.
 */
export const useConnectorServer = () => {
  const env = {} as { server: TestServer };
  beforeAll(async () => {
    env.server = await startTestServer({ SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(async () => {
    await env.server?.stop();
  });

  /** `npm run admin -- …` on the server's data. */
  const admin = (...args: string[]) => runAdminHere(['--data-dir', env.server.dataDir, ...args]);

  /** Signs up and follows the latest confirmation link. */
  const join = async (email: string, name?: string) => {
    const { server } = env;
    await postJson(`${server.url}/v1/subscriptions`, { email, ...(name ? { name } : {}) });
    await server.mailIdle();
    const links = (await server.mailTo(email)).map((m) => m.text).filter((t) => t.includes('/v1/subscriptions/confirm'));
    expect((await postJson(linkIn(links.at(-1) ?? '', '/v1/subscriptions/confirm'), undefined)).status).toBeLessThan(400);
    await server.mailIdle();
  };

  /** Waits until the background work (stream, deliveries, backfill slices) has settled and `check` holds. */
  const eventually = async (check: () => boolean | Promise<boolean>) => {
    for (let i = 0; i < 100; i++) {
      await env.server.webhooksIdle();
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the condition never held');
  };

  /** The state of a connector's backfill as stored (`undefined` before any), read without running the CLI. */
  const backfillState = async (id: string) => {
    const { Item } = await documentClient(env.server.clientOptions).send(new GetCommand({ TableName: env.server.tables.subscribers, Key: connectorKeys.connector(id) }));
    return (Item?.backfill as { state?: string } | undefined)?.state;
  };

  const mailchimpMember = (email: string) => env.server.connectorStandIns.mailchimp.member(LOCAL_MAILCHIMP.list, email);
  const listmonkLists = (email: string) => env.server.connectorStandIns.listmonk.subscriber(email)?.subscriptions.map((s) => [s.listId, s.status]) ?? [];

  return { env, admin, join, eventually, backfillState, mailchimpMember, listmonkLists };
};

/** The CLI's last line, as JSON. */
export const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
