import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../../functions/platform/routes.js';

describe('matching a route as API Gateway does', () => {
  it('matches on the raw path, so an encoded / stays inside one parameter, then decodes it exactly once', () => {
    const { match } = matchRoute('GET', `/v1/admin/subscribers/${encodeURIComponent('a%61/b+c@example.org')}`);
    expect(match?.route.path).toBe('/v1/admin/subscribers/{email}');
    expect(match?.pathParameters).toEqual({ email: 'a%61/b+c@example.org' });
  });

  it('does not take an unencoded / as part of a parameter', () => {
    expect(matchRoute('GET', '/v1/admin/subscribers/a/b@example.org')).toEqual({ allowed: [] });
  });
});
