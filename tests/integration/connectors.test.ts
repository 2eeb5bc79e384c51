import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/platform/clients.js';
import { runAdminHere } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

/** The CLI's last line, as JSON. */
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, string>;
const admin = (...args: string[]) => runAdminHere(['--data-dir', server.dataDir, ...args]);

const MAILCHIMP_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90-us6';
const LISTMONK_TOKEN = 'lm-token-2f9c1e77a0';

describe('the connector CLI', () => {
  it('adds a Mailchimp and a listmonk connector, lists them without their secrets, keeps the secrets sealed, and removes them', async () => {
    const mailchimp = await admin('connector', 'add', 'mailchimp', '--api-key', MAILCHIMP_KEY, '--list', 'a1b2c3', '--api-url', 'http://127.0.0.1:9');
    expect(mailchimp.code, mailchimp.stderr).toBe(0);
    const { id: mailchimpId, webhookUrl } = lastJson(mailchimp.stdout);
    expect(mailchimpId).toMatch(/^cn_[a-f0-9]{16}$/);
    expect(webhookUrl).toMatch(new RegExp(`^${server.url}/v1/connectors/${mailchimpId}/mailchimp\\?secret=[A-Za-z0-9_-]{32}$`));

    const listmonk = await admin('connector', 'add', 'listmonk', '--url', 'http://127.0.0.1:9/', '--username', 'appeal', '--token', LISTMONK_TOKEN, '--lists', '3,4');
    expect(listmonk.code, listmonk.stderr).toBe(0);
    const listmonkJson = lastJson(listmonk.stdout);
    expect(Object.keys(listmonkJson)).toEqual(['id']);

    const listed = await admin('connector', 'list');
    expect(listed.stdout).toContain(`${mailchimpId}\tmailchimp\taudience a1b2c3\thttp://127.0.0.1:9`);
    expect(listed.stdout).toContain(`${listmonkJson.id}\tlistmonk\tlists 3,4\thttp://127.0.0.1:9`);
    expect(listed.stdout).not.toContain(MAILCHIMP_KEY);
    expect(listed.stdout).not.toContain(LISTMONK_TOKEN);

    const { Items = [] } = await documentClient(server.clientOptions).send(new ScanCommand({ TableName: server.tables.subscribers }));
    const stored = JSON.stringify(Items.filter((i) => String(i.pk).startsWith('CONNECTOR#')));
    expect(stored).toContain(mailchimpId);
    expect(stored).not.toContain(MAILCHIMP_KEY.slice(0, 32));
    expect(stored).not.toContain(LISTMONK_TOKEN);
    expect(stored).not.toContain(new URL(webhookUrl ?? '').searchParams.get('secret'));

    expect((await admin('connector', 'remove', '--id', mailchimpId ?? '')).code).toBe(0);
    expect((await admin('connector', 'remove', '--id', listmonkJson.id ?? '')).code).toBe(0);
    expect((await admin('connector', 'list')).stdout).toContain('no connectors');
    const again = await admin('connector', 'remove', '--id', mailchimpId ?? '');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('There is no connector with this id.');
  });

  it('refuses a tool the dev server may not call, and settings the tool would refuse, with the contract\'s errors', async () => {
    const privateAddress = await admin('connector', 'add', 'listmonk', '--url', 'http://10.0.0.8', '--username', 'appeal', '--token', 't', '--lists', '3');
    expect(privateAddress.code).toBe(1);
    expect(privateAddress.stderr).toContain('private address');
    const badKey = await admin('connector', 'add', 'mailchimp', '--api-key', 'no-data-centre', '--list', 'a1b2c3');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('data centre');
    const noLists = await admin('connector', 'add', 'listmonk', '--url', 'http://127.0.0.1:9', '--username', 'appeal', '--token', 't', '--lists', 'x');
    expect(noLists.code).toBe(1);
    expect((await admin('connector', 'list')).stdout).toContain('no connectors');
  });
});
