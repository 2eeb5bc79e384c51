import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { messagesIdentity, scriptIdentity } from '../../../functions/core/embed/script.js';
import { makeHandler } from '../../../functions/embed/routes.js';
import { httpEvent } from '../../support/events.js';

// A stand-in for the built widget: non-ASCII text, so that the bytes (UTF-8) and the string differ in length.
const SCRIPT = '/*! test */(()=>{const t="Підпишіться · Zapisz się · Suscríbete";document.title=t})();\n';
const MESSAGES = { en: { banner: { ask: 'Give' }, signup: { submit: 'Join' } }, uk: { banner: { ask: 'Підтримайте' }, signup: { submit: 'Підписатися' } } };
const handler = makeHandler({ script: SCRIPT, messages: MESSAGES, maxAgeSeconds: 300 });
const { version, integrity } = scriptIdentity(SCRIPT);

const get = (headers: Record<string, string> = {}, v?: string): APIGatewayProxyEventV2 => ({
  ...httpEvent({ method: 'GET', path: '/v1/embed.js', query: v ? `v=${v}` : '', headers: { accept: '*/*', ...headers } }),
  queryStringParameters: v ? { v } : undefined,
});

/** The bytes a browser gets once it has undone the content coding. */
const bytesOf = (result: { body?: string; headers?: Record<string, unknown> }) => {
  const raw = Buffer.from(result.body ?? '', 'base64');
  const coding = result.headers?.['content-encoding'];
  return coding === 'br' ? brotliDecompressSync(raw) : coding === 'gzip' ? gunzipSync(raw) : raw;
};
const sri384 = (bytes: Buffer) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

describe('GET /v1/embed.js', () => {
  it('serves the script byte for byte, as JavaScript, with the integrity value the snippet carries', async () => {
    const result = await handler(get());
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cross-origin-resource-policy': 'cross-origin',
      'x-request-id': 'req-1',
    });
    expect(result.isBase64Encoded).toBe(true);
    const bytes = bytesOf(result);
    expect(bytes.toString('utf8')).toBe(SCRIPT);
    expect(sri384(bytes)).toBe(integrity);
    expect(integrity).toMatch(/^sha384-[A-Za-z0-9+/]{64}$/);
  });

  it('keeps the bare URL briefly and a versioned one for a year, both validated by the same ETag', async () => {
    const bare = await handler(get());
    expect(bare.headers['cache-control']).toBe('public, max-age=300');
    const versioned = await handler(get({}, version));
    expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(bare.headers.etag).toBe(`W/"${version}"`);
    expect(versioned.headers.etag).toBe(bare.headers.etag);
  });

  it("gives an older build's versioned URL today's script, cached only briefly", async () => {
    const stale = await handler(get({}, '0123456789abcdef'));
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['cache-control']).toBe('public, max-age=300');
    expect(bytesOf(stale).toString('utf8')).toBe(SCRIPT);
  });

  it('answers 304, with no body, to a browser that holds this build', async () => {
    for (const tag of [`W/"${version}"`, `"${version}"`, `"other", W/"${version}"`, '*']) {
      const result = await handler(get({ 'if-none-match': tag }));
      expect(result.statusCode, tag).toBe(304);
      expect(result.body, tag).toBe('');
      expect(result.headers.etag).toBe(`W/"${version}"`);
    }
    expect((await handler(get({ 'if-none-match': 'W/"0123456789abcdef"' }))).statusCode).toBe(200);
  });

  it('compresses for the browser (API Gateway does not): brotli, else gzip, else none; the bytes stay the same', async () => {
    const cases: [string | undefined, string | undefined][] = [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
      ['br;q=0, gzip;q=0.5', 'gzip'],
      ['gzip;q=0.2, br;q=0.9', 'br'],
      ['*', 'br'],
      ['identity', undefined],
      [undefined, undefined],
    ];
    for (const [accept, coding] of cases) {
      const result = await handler(get(accept === undefined ? {} : { 'accept-encoding': accept }));
      expect(result.headers['content-encoding'], String(accept)).toBe(coding);
      expect(result.headers.vary).toBe('accept-encoding');
      expect(sri384(bytesOf(result)), String(accept)).toBe(integrity);
    }
  });
});

describe('GET /v1/embed.js?messages={lang}', () => {
  const words = messagesIdentity(MESSAGES);
  const get = (lang: string, headers: Record<string, string> = {}, v?: string, method = 'GET'): APIGatewayProxyEventV2 => ({
    ...httpEvent({ method, path: '/v1/embed.js', query: `messages=${encodeURIComponent(lang)}${v ? `&v=${v}` : ''}`, headers: { accept: '*/*', ...headers } }),
    queryStringParameters: { messages: lang, ...(v ? { v } : {}) },
  });

  it("serves one language's widget words as JSON, compressed for the browser", async () => {
    for (const [accept, coding] of [['br', 'br'], ['gzip', 'gzip'], [undefined, undefined]] as const) {
      const result = await handler(get('uk', accept ? { 'accept-encoding': accept } : {}));
      expect(result.statusCode).toBe(200);
      expect(result.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'cross-origin-resource-policy': 'cross-origin',
        vary: 'accept-encoding',
      });
      expect(result.headers['content-encoding']).toBe(coding);
      expect(JSON.parse(bytesOf(result).toString('utf8'))).toEqual(MESSAGES.uk);
    }
  });

  it("is kept for a year under the words' version the script asks for, briefly under any other", async () => {
    expect(words.version).toMatch(/^[0-9a-f]{16}$/);
    expect(words.version).not.toBe(version);
    const versioned = await handler(get('en', {}, words.version));
    expect(versioned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(versioned.headers.etag).toBe(`W/"${words.version}"`);
    expect((await handler(get('en', {}, version))).headers['cache-control']).toBe('public, max-age=300');
    expect((await handler(get('en'))).headers['cache-control']).toBe('public, max-age=300');
    expect((await handler(get('en', { 'if-none-match': `W/"${words.version}"` }))).statusCode).toBe(304);
  });

  it('changes version when any language\'s words change', () => {
    expect(messagesIdentity({ ...MESSAGES, uk: { ...MESSAGES.uk, banner: { ask: 'Допоможіть' } } }).version).not.toBe(words.version);
  });

  it('answers 404 in JSON for a language it does not speak, without echoing it', async () => {
    for (const lang of ['de', 'EN', '', 'constructor', '__proto__', '<script>']) {
      const result = await handler(get(lang));
      expect(result.statusCode, lang).toBe(404);
      expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(result.headers['cache-control']).toBe('no-store');
      const body = JSON.parse(result.body ?? '') as { error: { code: string; message: string } };
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toBe('The widget speaks en, uk, not that language.');
    }
  });

  it('answers HEAD as GET, without the content', async () => {
    const head = await handler(get('en', { 'accept-encoding': 'gzip' }, words.version, 'HEAD'));
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });
});
