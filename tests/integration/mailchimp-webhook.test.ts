import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdmin } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('Mailchimp\'s list webhook through the dev server', () => {
  it('answers Mailchimp\'s GET, takes its form posts, and refuses a wrong secret or an unknown connector in the contract\'s body', async () => {
    const added = await runAdmin(['--data-dir', server.dataDir, 'connector', 'add', 'mailchimp', '--api-key', 'a1b2c3d4e5f60718293a4b5c6d7e8f90-us6', '--list', 'a1b2c3', '--api-url', 'http://127.0.0.1:9']);
    expect(added.code, added.stderr).toBe(0);
    const { id, webhookUrl } = JSON.parse(added.stdout.trim().split('\n').at(-1) ?? '{}') as { id: string; webhookUrl: string };
    expect((await fetch(webhookUrl)).status).toBe(200);

    const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    const ok = await post(webhookUrl, form({ type: 'profile', fired_at: '2026-11-25 10:00:00', 'data[email]': 'ada@example.org', 'data[list_id]': 'a1b2c3' }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: 'ignored' });
    const unsubscribed = await post(webhookUrl, form({ type: 'unsubscribe', fired_at: '2026-11-25 10:00:00', 'data[email]': 'nobody@example.org', 'data[list_id]': 'a1b2c3' }));
    expect(await unsubscribed.json()).toEqual({ status: 'unsubscribed' });

    const wrong = await post(`${server.url}/v1/connectors/${id}/mailchimp?secret=${'x'.repeat(32)}`, form({ type: 'unsubscribe', 'data[email]': 'ada@example.org' }));
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: 'forbidden' } });
    const unknown = await post(`${server.url}/v1/connectors/cn_0000000000000000/mailchimp?secret=x`, form({ type: 'unsubscribe' }));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not_found' } });
    const badType = await post(webhookUrl, form({ type: 'delete', 'data[email]': 'ada@example.org' }));
    expect(badType.status).toBe(400);
    expect(await badType.json()).toMatchObject({ error: { field: 'type' } });
  });
});
