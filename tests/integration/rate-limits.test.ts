import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(); // the contract's default limits
});
afterAll(() => server.stop());

describe('rate limits (contract defaults)', () => {
  it('lets one address sign up 5 times an hour, then answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await postJson(`${server.url}/v1/subscriptions`, { email: 'Busy@Example.org' })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    const limited = await postJson(`${server.url}/v1/subscriptions`, { email: 'busy@example.org' });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // Only the first five reached the queue; a pending address gets one link per few minutes anyway.
    expect(await server.mailTo('busy@example.org')).toHaveLength(1);
  });

  it('lets one client make 30 signup requests a minute, counting invalid ones', async () => {
    // 7 requests were made above; wait for a fresh minute window if this one is nearly over.
    const secondsLeft = 60 - (Math.floor(Date.now() / 1000) % 60);
    if (secondsLeft < 15) await new Promise((r) => setTimeout(r, secondsLeft * 1000 + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const body = i % 2 === 0 ? { email: `client-${i}@example.org` } : { email: 'invalid' };
      statuses.push((await postJson(`${server.url}/v1/subscriptions`, body)).status);
    }
    const firstLimited = statuses.indexOf(429);
    expect(firstLimited).toBeGreaterThan(0);
    expect(statuses.slice(firstLimited).every((s) => s === 429)).toBe(true);
    expect(statuses.slice(0, firstLimited).every((s) => s === 202 || s === 400)).toBe(true);
    const limited = await postJson(`${server.url}/v1/subscriptions`, { email: 'late@example.org' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });
});

describe('checkout rate limit (contract default)', () => {
  it('lets one client create 10 checkouts a minute, then answers 429 with Retry-After', async () => {
    const secondsLeft = 60 - (Math.floor(Date.now() / 1000) % 60);
    if (secondsLeft < 10) await new Promise((r) => setTimeout(r, secondsLeft * 1000 + 100));
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const amount = i % 2 === 0 ? 1000 + i : 5; // invalid amounts count too: card testers probe with them
      statuses.push((await postJson(`${server.url}/v1/donations/checkout`, { campaign: 'ukraine', amount, currency: 'usd' })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 201 || s === 400)).toBe(true);
    expect(statuses[10]).toBe(429);
    const link = await fetch(`${server.url}/v1/donate?campaign=ukraine&amount=2500&currency=usd`, { redirect: 'manual' });
    expect(link.status).toBe(429);
    expect(Number(link.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
