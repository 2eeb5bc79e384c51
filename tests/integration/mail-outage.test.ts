import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('a failing SES', () => {
  it('neither fails nor slows a signup, and the email goes out once SES is back', async () => {
    server.setSesOutage(true);
    const response = await postJson(`${server.url}/v1/subscriptions`, { email: 'patient@example.org' });
    expect(response.status).toBe(202); // the request only queues the work
    await new Promise((r) => setTimeout(r, 1200)); // the mailer has tried and failed at least once
    expect(server.outbox().filter((m) => m.to.includes('patient@example.org'))).toHaveLength(0);
    server.setSesOutage(false);
    const mails = await server.mailTo('patient@example.org');
    expect(mails.map((m) => m.subject)).toEqual(['Please confirm your subscription to GlobalSecurity.org']);
  });
});
