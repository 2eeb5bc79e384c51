import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/fallback/routes.js';
import { bodyOf, httpEvent } from '../../support/events.js';

const handler = makeHandler({ siteName: 'Example News' });

describe('fallback handler', () => {
  it('answers an unknown path with 404 in the contract format', async () => {
    const result = await handler(httpEvent({ method: 'GET', path: '/nowhere' }));
    expect(result.statusCode).toBe(404);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('answers a known path with another method with 405 and the allowed methods', async () => {
    const result = await handler(httpEvent({ method: 'PUT', path: '/v1/subscriptions' }));
    expect(result.statusCode).toBe(405);
    expect(result.headers.allow).toBe('POST');
  });

  it('gives a browser an HTML error page', async () => {
    const result = await handler(httpEvent({ method: 'GET', path: '/nowhere', headers: { accept: 'text/html' } }));
    expect(result.statusCode).toBe(404);
    expect(result.headers['content-type']).toMatch(/^text\/html/);
    expect(result.body).toContain('Example News');
  });
});
