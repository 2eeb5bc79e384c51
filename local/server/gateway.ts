import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { matchRoute, routeKey } from '../../functions/platform/routes.js';

export type HttpLambda = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own limit on a request body; the handlers enforce the contract's 16 KiB themselves. */
const MAX_GATEWAY_BODY = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml)|[^;]*\+json)/i;

export interface CorsPolicy {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  maxAgeSeconds: number;
}

const readBody = async (req: IncomingMessage): Promise<Buffer | 'too-large'> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_GATEWAY_BODY) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

/** Whether every percent-escape in the path decodes to UTF-8 (`/v1/campaigns/%E0%A4%A` does not). */
const decodablePath = (rawUrl: string) => {
  try {
    decodeURIComponent(new URL(rawUrl, 'http://local').pathname);
    return true;
  } catch {
    return false;
  }
};

/** Builds the payload-format-2.0 event that API Gateway's HTTP API sends to a Lambda integration. */
export const toEvent = (req: IncomingMessage, body: Buffer, sourceIp: string): APIGatewayProxyEventV2 => {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const { match } = matchRoute(method, url.pathname);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  const key = match ? routeKey(match.route) : '$default';
  return {
    version: '2.0',
    routeKey: key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: req.headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: match && Object.keys(match.pathParameters).length ? match.pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (isText ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
};

/** API Gateway's CORS handling: it answers preflights itself and adds the headers to allowed origins' responses. */
const corsHeaders = (policy: CorsPolicy, origin: string | undefined): Record<string, string> =>
  origin && policy.allowOrigins.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'origin' } : {};

/**
 * Serves one request the way API Gateway would: CORS, then the route's Lambda handler with a 2.0 event, using
 * the real client address. `lambdaFor` picks the function for a route key ('$default' for the catch-all).
 */
export const serveThroughGateway = async (
  req: IncomingMessage,
  res: ServerResponse,
  lambdaFor: (routeKey: string) => HttpLambda,
  cors: CorsPolicy,
) => {
  const origin = req.headers.origin;
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
    const allowed = corsHeaders(cors, origin);
    res.writeHead(204, {
      ...allowed,
      ...(allowed['access-control-allow-origin']
        ? {
            'access-control-allow-methods': cors.allowMethods.join(','),
            'access-control-allow-headers': cors.allowHeaders.join(','),
            'access-control-max-age': String(cors.maxAgeSeconds),
          }
        : {}),
    });
    res.end();
    return;
  }
  if (!decodablePath(req.url ?? '/')) {
    // API Gateway refuses a path it cannot percent-decode itself, before any function runs.
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Bad Request' }));
    return;
  }
  const body = await readBody(req);
  if (body === 'too-large') {
    res.writeHead(413, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'Request Entity Too Large' }));
    return;
  }
  const event = toEvent(req, body, req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1');
  const result = await lambdaFor(event.routeKey)(event);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const allowed = corsHeaders(cors, origin);
  // Vary lists every header the answer depends on: the function's own (accept-encoding) and the origin.
  if (allowed.vary && typeof headers.vary === 'string') allowed.vary = `${headers.vary}, ${allowed.vary}`;
  Object.assign(headers, allowed);
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
};
