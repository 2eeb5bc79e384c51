import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/dev-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe('the local API Gateway', () => {
  it('answers a path it cannot percent-decode with 400, as API Gateway does, before any function runs', async () => {
    for (const path of ['/v1/campaigns/%E0%A4%A', '/v1/campaigns/%ZZ', '/v1/subscriptions/%']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(400);
      expect(await response.json()).toEqual({ message: 'Bad Request' });
    }
    expect((await fetch(`${server.url}/v1/campaigns/ukraine`)).status).toBe(200);
  });
});
