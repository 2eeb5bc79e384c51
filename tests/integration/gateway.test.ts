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

  it("answers HEAD wherever GET works, with GET's status and headers and no body, through the route table", async () => {
    const identity = { 'accept-encoding': 'identity', accept: 'text/html' };
    for (const path of ['/v1/embed.js', '/v1/subscriptions/thanks', '/v1/campaigns/ukraine', '/v1/donate?campaign=ukraine', '/favicon.ico', '/v1/site.css', '/nowhere']) {
      const get = await fetch(`${server.url}${path}`, { headers: identity });
      const bytes = (await get.arrayBuffer()).byteLength;
      const head = await fetch(`${server.url}${path}`, { method: 'HEAD', headers: identity });
      expect(head.status, path).toBe(get.status);
      expect(head.headers.get('content-type'), path).toBe(get.headers.get('content-type'));
      expect(head.headers.get('cache-control'), path).toBe(get.headers.get('cache-control'));
      expect(head.headers.get('content-length'), path).toBe(String(bytes));
      expect(head.headers.get('x-request-id'), path).toMatch(/.+/);
      expect((await head.arrayBuffer()).byteLength, path).toBe(0);
    }
  });

  it('checks a donate link with an amount on HEAD without sending the reader to Checkout', async () => {
    const link = `${server.url}/v1/donate?campaign=ukraine&amount=2500&currency=usd`;
    const head = await fetch(link, { method: 'HEAD', redirect: 'manual', headers: { accept: 'text/html' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('location')).toBeNull();
    const get = await fetch(link, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(get.status).toBe(303);
  });

  it('lists HEAD beside GET in the Allow header of a 405', async () => {
    const wrong = await fetch(`${server.url}/v1/embed.js`, { method: 'POST' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
  });
});
