import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { messagesIdentity, scriptIdentity } from '../core/embed/script.js';
import { headAnswer } from '../platform/http/head.js';
import type { HttpResponse } from '../platform/http/responses.js';

export interface EmbedOptions {
  /** The built widget (web/embed/build.ts), served byte for byte: its hash is the snippet's integrity value. */
  script: string;
  /** The widget's words, each language's catalogue `widget` section, served one language at a time. */
  messages: Readonly<Record<string, unknown>>;
  /** Cache lifetime of the unversioned URLs (`/v1/embed.js`, or a `?v=` of another build). */
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

/** Whether If-None-Match names this version (weak comparison, RFC 9110 §13.1.2: any coding of it will do). */
const isCached = (ifNoneMatch: string | undefined, version: string) =>
  ifNoneMatch?.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === `"${version}"`) === true;

/** One immutable-per-version document, kept compressed in each coding once asked for. */
const servable = (bytes: Buffer, version: string, contentType: string) => {
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
  return { version, contentType, bodyFor };
};
type Servable = ReturnType<typeof servable>;

/**
 * GET /v1/embed.js: the widget, with the caching its URL allows. A versioned URL (`?v=` this build's version, as the
 * admin CLI prints it with the integrity value) is immutable for a year; the bare URL may change at any deploy, so it
 * is kept `maxAgeSeconds` and then revalidated by its ETag. A `?v=` of an older build gets today's script with the
 * short lifetime: a snippet's integrity attribute then refuses it, and its placeholders keep their plain HTML.
 *
 * GET /v1/embed.js?messages={lang}: the widget's words in one language (JSON), which the script fetches beside the
 * campaign (so that it carries no language's words), cached the same way under the `?v=` the script was built with;
 * a language the widget does not speak is a 404. On the script's own route, by choice: the words are asked for
 * exactly when the script is (a browser's first page view after a deploy), so they share its throttling bucket,
 * and a route of their own would need a bucket that the account's burst limit has no room for
 * (infra/constructs/public-api.ts).
 *
 * No httpHandler (platform/http/) here, by choice: these routes take no input but a version and a language, both
 * checked against the few values that exist, and the error pages and their templates would only add to the cold
 * start of a function that needs neither.
 */
export const makeHandler = ({ script, messages, maxAgeSeconds }: EmbedOptions) => {
  const { bytes, version } = scriptIdentity(script);
  const widget = servable(bytes, version, 'text/javascript; charset=utf-8');
  const words = messagesIdentity(messages);
  const wordsByLanguage = new Map([...words.bodies].map(([language, body]) => [language, servable(body, words.version, 'application/json; charset=utf-8')]));

  const answer = (event: APIGatewayProxyEventV2, document: Servable): HttpResponse => {
    const versioned = event.queryStringParameters?.v === document.version;
    const headers: Record<string, string> = {
      'content-type': document.contentType,
      'cache-control': versioned ? `public, max-age=${YEAR_SECONDS}, immutable` : `public, max-age=${maxAgeSeconds}`,
      etag: `W/"${document.version}"`,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
      // Loadable by pages that require it (Cross-Origin-Embedder-Policy: require-corp).
      'cross-origin-resource-policy': 'cross-origin',
      'x-request-id': event.requestContext.requestId,
    };
    if (isCached(event.headers?.['if-none-match'], document.version)) return { statusCode: 304, headers, body: '' };
    const coding = codingFor(event.headers?.['accept-encoding']);
    if (coding) headers['content-encoding'] = coding;
    // Base64, so that API Gateway passes the exact bytes the integrity value was computed from.
    return { statusCode: 200, headers, body: document.bodyFor(coding), isBase64Encoded: true };
  };

  const serve = (event: APIGatewayProxyEventV2): HttpResponse => {
    const language = event.queryStringParameters?.messages;
    if (language === undefined) return answer(event, widget);
    const found = wordsByLanguage.get(language);
    if (found) return answer(event, found);
    return {
      statusCode: 404,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-request-id': event.requestContext.requestId },
      body: JSON.stringify({ error: { code: 'not_found', message: `The widget speaks ${[...wordsByLanguage.keys()].join(', ')}, not that language.` } }),
    };
  };
  // HEAD (its own route beside GET's, routes.ts): the same answer without the content.
  return async (event: APIGatewayProxyEventV2): Promise<HttpResponse> =>
    event.requestContext.http.method.toUpperCase() === 'HEAD' ? headAnswer(serve(event)) : serve(event);
};
