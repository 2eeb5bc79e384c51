import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailSha256 } from '../../functions/core/events/changes.js';
import { runAdminHere } from '../support/cli.js';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { documentClient } from '../../functions/platform/clients.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { startReceiver } from '../support/webhook-receiver.js';

let server: TestServer;
let token: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  server = await startTestServer({ SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000' });
  const tokens = new DynamoAdminTokens(documentClient(server.clientOptions), server.tables.subscribers);
  token = (await createAdminToken({ tokens, clock: { now: () => new Date() } }, 'integration tests')).token;
  receiver = await startReceiver();
});
afterAll(async () => {
  await server.stop();
  await receiver.close();
});

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: response.status === 204 ? undefined : ((await response.json()) as unknown) };
};

const join = async (email: string) => {
  await postJson(`${server.url}/v1/subscriptions`, { email });
  const [mail] = await server.mailTo(email);
  await postJson(linkIn(mail?.text ?? '', '/v1/subscriptions/confirm'), undefined);
  await server.mailIdle();
};

describe('signed events to a newsroom endpoint', () => {
  it('delivers a confirmation, signed so that standardwebhooks verifies it, and logs the delivery', async () => {
    const added = await admin('POST', '/v1/admin/webhooks', { url: receiver.url, events: ['subscriber.confirmed', 'subscriber.unsubscribed'] });
    expect(added.status).toBe(201);
    const { id, secret } = added.body as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);
    receiver.setSecrets([secret]);

    await join('ada@example.org');
    await server.webhooksIdle();

    const mine = receiver.received.filter((r) => r.verified?.type === 'subscriber.confirmed');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.verified?.data).toMatchObject({ email: 'ada@example.org', status: 'confirmed', lists: ['news'], lang: 'en' });
    const log = await admin('GET', `/v1/admin/webhooks/${id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body).toEqual([
      expect.objectContaining({ id: mine[0]?.id, webhookId: id, type: 'subscriber.confirmed', attempt: 1, status: 'delivered', responseStatus: 204 }),
    ]);
  });
});

/** The CLI's last line, as JSON. */
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, string>;

describe('the webhook CLI and a subscriber\'s whole life', () => {
  it('adds an endpoint, tells every change of a reader\'s life signed (also during a rotation), and an erase leaves no address behind', async () => {
    const life = await startReceiver();
    try {
      const added = await runAdminHere(['--data-dir', server.dataDir, 'webhook', 'add', '--url', life.url, '--events', 'subscriber.confirmed,subscriber.unsubscribed,subscriber.suppressed,subscriber.erased', '--description', 'CRM']);
      expect(added.code, added.stderr).toBe(0);
      const { id, secret } = lastJson(added.stdout);
      expect(secret).toMatch(/^whsec_/);
      life.setSecrets([secret ?? '']);
      const listed = await runAdminHere(['--data-dir', server.dataDir, 'webhook', 'list']);
      expect(listed.stdout).toContain(`${id}\tenabled\t`);
      expect(listed.stdout).not.toContain('whsec_');

      const email = 'grace@example.org';
      await join(email);
      const [welcome] = (await server.mailTo(email)).filter((m) => m.headers['List-Unsubscribe']);
      await fetch(welcome?.headers['List-Unsubscribe']?.slice(1, -1) ?? '', { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      await server.webhooksIdle();

      // A rotation: the receiver knows the new secret only; deliveries verify with it (and with the old one).
      const rotated = await runAdminHere(['--data-dir', server.dataDir, 'webhook', 'rotate', '--id', id ?? '']);
      expect(rotated.code, rotated.stderr).toBe(0);
      const next = lastJson(rotated.stdout);
      expect(next.id).toBe(id);
      life.setSecrets([next.secret ?? '']);
      await postJson(`${server.url}/v1/subscriptions`, { email });
      await server.mailIdle();
      const links = (await server.mailTo(email)).map((m) => m.text).filter((t) => t.includes('/v1/subscriptions/confirm'));
      await postJson(linkIn(links.at(-1) ?? '', '/v1/subscriptions/confirm'), undefined);
      await postJson(`${server.url}/v1/subscriptions`, { email: 'bounce@simulator.amazonses.com' });
      await server.mailIdle();
      await server.webhooksIdle();
      life.setSecrets([secret ?? '']);
      expect(await admin('DELETE', `/v1/admin/subscribers/${encodeURIComponent(email)}`)).toMatchObject({ status: 204 });
      await server.webhooksIdle();

      const told = life.received.map((r) => [r.verified?.type, (r.verified?.data as { email?: string })?.email ?? (r.verified?.data as { emailHash?: string })?.emailHash]);
      expect(told).toEqual([
        ['subscriber.confirmed', email],
        ['subscriber.unsubscribed', email],
        ['subscriber.confirmed', email],
        ['subscriber.suppressed', 'bounce@simulator.amazonses.com'],
        ['subscriber.erased', emailSha256(email)],
      ]);
      // Before the rotation one secret signed; after it, two (the old one for 24 hours).
      expect(life.received.map((r) => r.signature.split(' ').length)).toEqual([1, 1, 2, 2, 2]);
      expect(new Set(life.received.map((r) => r.id)).size).toBe(5);

      // No item of the events path holds the erased address: the events about the person were scrubbed.
      const { Items } = await documentClient(server.clientOptions).send(new ScanCommand({ TableName: server.tables.subscribers }));
      const eventItems = (Items ?? []).filter((item) => String(item.pk).startsWith('WH'));
      expect(eventItems.length).toBeGreaterThan(0);
      expect(JSON.stringify(eventItems)).not.toContain(email);

      const log = await runAdminHere(['--data-dir', server.dataDir, 'webhook', 'deliveries', '--id', id ?? '']);
      expect(log.stdout.trim().split('\n')).toHaveLength(5);
      expect(log.stdout).toContain('subscriber.erased\tattempt 1\tdelivered\t204');

      // Replay since the start: everything sent again, with the same webhook-ids; the erased person's events are gone.
      const replayed = await runAdminHere(['--data-dir', server.dataDir, 'webhook', 'replay', '--id', id ?? '', '--since', '2020-01-01T00:00:00Z']);
      expect(replayed.stdout).toContain('sending 5 deliveries');
      await server.webhooksIdle();
      const again = life.received.slice(5);
      expect(again.map((r) => r.verified?.type).sort()).toEqual(['subscriber.erased', 'subscriber.suppressed']);
      expect(again.every((r) => life.received.slice(0, 5).some((first) => first.id === r.id))).toBe(true);

      const page = await fetch(`${server.url}/_local/webhooks`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(life.url);
      const json = (await (await fetch(`${server.url}/_local/webhooks`)).json()) as { id: string; deliveries: unknown[] }[];
      expect(json.find((e) => e.id === id)?.deliveries).toHaveLength(5);

      expect((await runAdminHere(['--data-dir', server.dataDir, 'webhook', 'remove', '--id', id ?? ''])).code).toBe(0);
    } finally {
      await life.close();
    }
  }, 180_000);

  it('refuses an endpoint the dev server may not call, with the contract\'s error', async () => {
    for (const url of ['http://10.0.0.1/in', 'http://93.184.216.34/in', `${server.url}/v1/subscriptions`, 'https://169.254.169.254/']) {
      const answer = await admin('POST', '/v1/admin/webhooks', { url, events: ['*'] });
      expect(answer, url).toMatchObject({ status: 400, body: { error: { code: 'forbidden_target', field: 'url' } } });
    }
    expect(await admin('POST', '/v1/admin/webhooks', { url: receiver.url, events: ['subscriber.sometimes'] })).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'events' } } });
    expect(await admin('GET', '/v1/admin/webhooks/wh_0000000000000000/deliveries')).toMatchObject({ status: 404 });
    // The log's page size: digits from 1 to 1000, and nothing else Number() would read.
    const added = await admin('POST', '/v1/admin/webhooks', { url: receiver.url, events: ['*'] });
    const log = `/v1/admin/webhooks/${(added.body as { id: string }).id}/deliveries`;
    for (const limit of ['0', '1001', '1e2', '0x10', '7.5', '', 'ten']) {
      expect(await admin('GET', `${log}?limit=${limit}`), limit).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid_field', field: 'limit', message: 'A whole number from 1 to 1000.' } },
      });
    }
    expect(await admin('GET', `${log}?limit=1000`)).toMatchObject({ status: 200, body: [] });
  });
});
