import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
