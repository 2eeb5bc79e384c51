import { parseMultipart } from '../../../../functions/platform/http/multipart.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { RateLimitedError, TransientError, ValidationError } from '../../../../functions/core/shared/errors.js';
import { httpHandler } from '../../../../functions/platform/http/handler.js';
import { checkBody } from '../../../../functions/platform/http/request.js';
import { json } from '../../../../functions/platform/http/responses.js';

const event = (overrides: Partial<APIGatewayProxyEventV2> & { method?: string } = {}): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: 'POST /things',
  rawPath: '/things',
  rawQueryString: '',
  headers: { 'content-type': 'application/json', accept: 'application/json' },
  requestContext: {
    accountId: '1',
    apiId: 'a',
    domainName: 'api.example.org',
    domainPrefix: 'api',
    http: { method: overrides.method ?? 'POST', path: '/things', protocol: 'HTTP/1.1', sourceIp: '198.51.100.1', userAgent: 'ua' },
    requestId: 'req-1',
    routeKey: 'POST /things',
    stage: '$default',
    time: '',
    timeEpoch: 0,
  },
  isBase64Encoded: false,
  ...overrides,
});

const Thing = z.object({ email: z.string().email(), count: z.number().int().optional() });

const handler = httpHandler(
  {
    'POST /things': async (req) => {
      checkBody(req);
      return json(200, { got: await req.body(Thing, { email: 'invalid_email' }), ip: req.client.ip });
    },
    'GET /boom': async () => {
      throw new Error('secret internal detail: arn:aws:dynamodb:table/x');
    },
    'GET /busy': async () => {
      throw new TransientError('the payment service is unavailable');
    },
    'GET /limited': async () => {
      throw new RateLimitedError(42);
    },
    'GET /bad': async () => {
      throw new ValidationError('invalid_field', 'Nope.', { field: 'x' });
    },
    'GET /page': async () => json(200, { word: 'Grüße' }, { 'cache-control': 'public, max-age=60' }),
    'GET /icon': async () => ({ statusCode: 200, headers: { 'content-type': 'image/x-icon' }, body: Buffer.from([0, 0, 1, 0, 1, 0]).toString('base64'), isBase64Encoded: true }),
  },
  { siteName: 'Example' },
);

describe('httpHandler', () => {
  it('parses JSON, form and base64 bodies with the real client IP, and stamps x-request-id', async () => {
    const plain = await handler(event({ body: '{"email":"a@example.org"}' }));
    expect(plain.statusCode).toBe(200);
    expect(JSON.parse(plain.body ?? '')).toEqual({ got: { email: 'a@example.org' }, ip: '198.51.100.1' });
    expect(plain.headers['x-request-id']).toBe('req-1');
    const base64 = await handler(event({ body: Buffer.from('{"email":"b@example.org"}').toString('base64'), isBase64Encoded: true }));
    expect(JSON.parse(base64.body ?? '').got.email).toBe('b@example.org');
    const form = await handler(event({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=c%40example.org' }));
    expect(JSON.parse(form.body ?? '').got.email).toBe('c@example.org');
  });

  it('reads a multipart body where the route accepts one, and answers a malformed one 400', async () => {
    const multipart = httpHandler(
      {
        'POST /things': async (req) => {
          checkBody(req, ['multipart/form-data']);
          return json(200, { got: await req.body(Thing) });
        },
      },
      { siteName: 'Example', readMultipart: parseMultipart },
    );
    const headers = { 'content-type': 'multipart/form-data; boundary=xyz', accept: 'application/json' };
    const part = 'Content-Disposition: form-data; name="email"\r\n\r\nd@example.org';
    const sent = await multipart(event({ headers, body: Buffer.from(`--xyz\r\n${part}\r\n--xyz--\r\n`).toString('base64'), isBase64Encoded: true }));
    expect(JSON.parse(sent.body ?? '')).toEqual({ got: { email: 'd@example.org' } });
    const unclosed = await multipart(event({ headers, body: `--xyz\r\n${part}\r\n` }));
    expect(unclosed.statusCode).toBe(400);
    expect(JSON.parse(unclosed.body ?? '')).toEqual({ error: { code: 'invalid_body', message: 'The multipart body is not closed.' } });
  });

  it('refuses a multipart body (415) in a function that reads none, even where a route lists the type', async () => {
    const withoutReader = httpHandler(
      { 'POST /things': async (req) => json(200, { got: await req.body(Thing) }) },
      { siteName: 'Example' },
    );
    const headers = { 'content-type': 'multipart/form-data; boundary=xyz', accept: 'application/json' };
    const part = 'Content-Disposition: form-data; name="email"\r\n\r\nd@example.org';
    const sent = await withoutReader(event({ headers, body: `--xyz\r\n${part}\r\n--xyz--\r\n` }));
    expect(sent.statusCode).toBe(415);
  });

  it('maps bad input to the contract\'s 400 with the field, and size and type to 413 and 415', async () => {
    const bad = await handler(event({ body: '{"email":"nope"}' }));
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body ?? '')).toEqual({ error: { code: 'invalid_email', message: expect.any(String), field: 'email' } });
    const nested = await handler(event({ body: '{"email":"a@example.org","count":1.5}' }));
    expect(JSON.parse(nested.body ?? '').error).toMatchObject({ code: 'invalid_field', field: 'count' });
    expect((await handler(event({ body: '[1]' }))).statusCode).toBe(400);
    expect((await handler(event({ body: JSON.stringify({ email: 'a@example.org', pad: 'x'.repeat(16 * 1024) }) }))).statusCode).toBe(413);
    expect((await handler(event({ headers: { 'content-type': 'text/plain' }, body: 'hi' }))).statusCode).toBe(415);
  });

  it('never leaks an internal error, answers 503 for a transient one, and sets Retry-After', async () => {
    const boom = await handler(event({ routeKey: 'GET /boom', method: 'GET' }));
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret');
    expect(JSON.parse(boom.body ?? '')).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    const busy = await handler(event({ routeKey: 'GET /busy', method: 'GET' }));
    expect(busy.statusCode).toBe(503);
    const limited = await handler(event({ routeKey: 'GET /limited', method: 'GET' }));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('42');
  });

  it('answers a browser with an HTML page of the same status', async () => {
    const page = await handler(event({ routeKey: 'GET /bad', method: 'GET', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } }));
    expect(page.statusCode).toBe(400);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Nope.');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    const api = await handler(event({ routeKey: 'GET /bad', method: 'GET', headers: { accept: '*/*' } }));
    expect(api.headers['content-type']).toContain('application/json');
  });
});

describe('httpHandler, asked HEAD', () => {
  const head = (path: string, headers: Record<string, string> = { accept: 'application/json' }) =>
    handler(event({ routeKey: `HEAD ${path}`, method: 'HEAD', rawPath: path, headers }));
  const get = (path: string, headers: Record<string, string> = { accept: 'application/json' }) =>
    handler(event({ routeKey: `GET ${path}`, method: 'GET', rawPath: path, headers }));

  it("answers with the GET route's status and headers, no body, and the length GET's body has (RFC 9110 §9.3.2, §8.6)", async () => {
    const full = await get('/page');
    const result = await head('/page');
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('');
    expect(result.isBase64Encoded).toBeFalsy();
    const { 'content-length': length, ...headers } = result.headers;
    expect(headers).toEqual(full.headers);
    expect(length).toBe(String(Buffer.byteLength(full.body ?? '', 'utf8')));
  });

  it('counts the bytes of a base64 body, not its text', async () => {
    const result = await head('/icon');
    expect(result.headers['content-type']).toBe('image/x-icon');
    expect(result.headers['content-length']).toBe('6');
    expect(result.body).toBe('');
  });

  it("answers an error with GET's status and headers and no body, to a browser too", async () => {
    for (const accept of ['application/json', 'text/html']) {
      const full = await get('/bad', { accept });
      const result = await head('/bad', { accept });
      expect(result.statusCode).toBe(400);
      expect(result.headers['content-type']).toBe(full.headers['content-type']);
      expect(result.headers['content-length']).toBe(String(Buffer.byteLength(full.body ?? '')));
      expect(result.body).toBe('');
    }
    const limited = await head('/limited');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('42');
    expect(limited.body).toBe('');
  });
});
