import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { scriptIdentity } from '../core/embed/script.js';
import { headAnswer } from '../platform/http/head.js';
import type { HttpResponse } from '../platform/http/responses.js';

export interface EmbedOptions {
  /** The built widget (web/embed/build.ts), served byte for byte: its hash is the snippet's integrity value. */
  script: string;
  /** Cache lifetime of the unversioned URL (`/v1/embed.js`, or a `?v=` of another build). */
  maxAgeSeconds: number;
}

const YEAR_SECONDS = 31_536_000;
type Coding = 'br' | 'gzip';

/**
 * The content coding to answer with (RFC 9110 §12.5.3: the highest q wins, q=0 refuses, `*` stands for the rest):
 * API Gateway's HTTP APIs never compress, and the script is a quarter of its size compressed.
 */
const codingFor = (acceptEncoding: string | undefined): Coding | undefined => {
  const weights = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name) weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weight = (coding: Coding) => weights.get(coding) ?? weights.get('*') ?? 0;
  const best = (['br', 'gzip'] as const).filter((c) => weight(c) > 0).sort((a, b) => weight(b) - weight(a))[0];
  return best;
};

/** Whether If-None-Match names this script (weak comparison, RFC 9110 §13.1.2: any coding of it will do). */
const isCached = (ifNoneMatch: string | undefined, version: string) =>
  ifNoneMatch?.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === `"${version}"`) === true;

/**
 * GET /v1/embed.js: the widget, with the caching its URL allows. A versioned URL (`?v=` this build's version, as the
 * admin CLI prints it with the integrity value) is immutable for a year; the bare URL may change at any deploy, so it
 * is kept `maxAgeSeconds` and then revalidated by its ETag. A `?v=` of an older build gets today's script with the
 * short lifetime: a snippet's integrity attribute then refuses it, and its placeholders keep their plain HTML.
 *
 * No httpHandler (platform/http/) here, by choice: this route takes no input to validate and its one answer cannot
 * fail, and the error pages and their templates would only add to the cold start of a function that needs neither.
 */
export const makeHandler = ({ script, maxAgeSeconds }: EmbedOptions) => {
  const { bytes, version } = scriptIdentity(script);
  const etag = `W/"${version}"`;
  const bodies = new Map<Coding | 'identity', string>();
  const bodyFor = (coding: Coding | undefined) => {
    const key = coding ?? 'identity';
    let body = bodies.get(key);
    if (body === undefined) {
      const encoded =
        coding === 'br'
          ? brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
          : coding === 'gzip'
            ? gzipSync(bytes, { level: 9 })
            : bytes;
      body = encoded.toString('base64');
      bodies.set(key, body);
    }
    return body;
  };

  const serve = (event: APIGatewayProxyEventV2): HttpResponse => {
    const versioned = event.queryStringParameters?.v === version;
    const headers: Record<string, string> = {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': versioned ? `public, max-age=${YEAR_SECONDS}, immutable` : `public, max-age=${maxAgeSeconds}`,
      etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
      // Loadable by pages that require it (Cross-Origin-Embedder-Policy: require-corp).
      'cross-origin-resource-policy': 'cross-origin',
      'x-request-id': event.requestContext.requestId,
    };
    if (isCached(event.headers?.['if-none-match'], version)) return { statusCode: 304, headers, body: '' };
    const coding = codingFor(event.headers?.['accept-encoding']);
    if (coding) headers['content-encoding'] = coding;
    // Base64, so that API Gateway passes the exact bytes the integrity value was computed from.
    return { statusCode: 200, headers, body: bodyFor(coding), isBase64Encoded: true };
  };
  // HEAD (its own route beside GET's, routes.ts): the same answer without the script.
  return async (event: APIGatewayProxyEventV2): Promise<HttpResponse> =>
    event.requestContext.http.method.toUpperCase() === 'HEAD' ? headAnswer(serve(event)) : serve(event);
};
