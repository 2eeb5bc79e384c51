import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { safeParse, type Schema as ZodType } from '../core/shared/schema.js';
import {
  ConflictError,
  DomainError,
  InvalidSignatureError,
  InvalidTokenError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  TransientError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/shared/errors.js';
import type { Client } from '../core/shared/model.js';
import type { Brand } from '../core/shared/brand.js';
import { pagePolicy, toBrand } from '../core/shared/html.js';
import { type Language, pickLanguage } from '../core/shared/i18n/index.js';
import { errorPage } from '../core/shared/pages.js';
import { headAnswer } from './head.js';
import { logger } from './logger.js';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

export const MAX_BODY_BYTES = 16 * 1024;
export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';
/** Accepted only where a route says so (RFC 8058's one-click POST may be multipart). */
export const MULTIPART_TYPE = 'multipart/form-data';

/** Field → error code, for the contract's specific 400 codes; any other field is `invalid_field`. */
export type FieldCodes = Record<string, string>;

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly client: Client;
  readonly requestId: string;
  /** The client prefers an HTML page to JSON (a browser, a plain form post). */
  readonly wantsHtml: boolean;
  readonly isForm: boolean;
  /** The raw body text (base64 already decoded), as Stripe needs it for the signature. */
  readonly rawBody: string;
  /** Parses a JSON or form body with a schema; throws ValidationError with the offending field. */
  body<T>(schema: ZodType<T>, codes?: FieldCodes): T;
  /** Parses query parameters with a schema. */
  queryParams<T>(schema: ZodType<T>, codes?: FieldCodes): T;
  /**
   * A path parameter (percent-decoded once, by API Gateway) that `schema` accepts; NotFoundError otherwise: no
   * resource has an id of another form, so an impossible id is answered as an unknown one, before any look-up
   * (DynamoDB refuses a key over 2,048 bytes with an error of its own). `notFound` is the unknown id's message.
   */
  pathParam<T>(name: string, schema: ZodType<T>, notFound?: string): T;
}

const lower = (headers: Record<string, string | undefined> | undefined) => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
};

const mediaType = (contentType: string | undefined) => contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

/** Repeated form or query fields become arrays, as HTML forms send `lists=a&lists=b`. */
const paramsToObject = (params: URLSearchParams): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
};

const malformed = (message: string) => new ValidationError('invalid_body', message);

/** A parameter of a header value (`boundary`, `name`), quoted (RFC 9110 quoted-string) or a bare token. */
const headerParam = (value: string, param: string): string | undefined => {
  const match = new RegExp(`;\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s;"]+))`, 'i').exec(value);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
};

/**
 * The text fields of a `multipart/form-data` body (RFC 7578, RFC 2046 §5.1.1). A small parser of our own: no
 * multipart library is among our dependencies (busboy is only in node_modules through a dev tool), and Node's
 * own (`Response.formData()`) is asynchronous while `req.body` is not. It reads what a form or a mail client
 * sends (RFC 8058's `List-Unsubscribe=One-Click`): CRLF line breaks, a boundary from the content type, parts
 * with a `Content-Disposition: form-data; name=…` header. Files are refused; a body without its closing
 * delimiter is malformed. The body is text already (UTF-8, RFC 7578's default), so values are taken as they are.
 */
export const parseMultipart = (body: string, contentType: string): URLSearchParams => {
  const boundary = headerParam(contentType, 'boundary');
  if (boundary === undefined || boundary.length === 0 || boundary.length > 70) {
    throw malformed('The multipart body has no valid boundary.');
  }
  const fields = new URLSearchParams();
  // Every delimiter starts a line; the text before the first one is the preamble, after the last the epilogue.
  const sections = `\r\n${body}`.split(`\r\n--${boundary}`);
  if (sections.length < 2) throw malformed('The multipart body has no parts.');
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) return fields; // the close delimiter
    const lineEnd = section.indexOf('\r\n');
    if (lineEnd < 0 || !/^[ \t]*$/.test(section.slice(0, lineEnd))) throw malformed('The multipart body is malformed.');
    const part = section.slice(lineEnd + 2);
    const headerEnd = part.startsWith('\r\n') ? 0 : part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw malformed('A part of the multipart body has no end to its headers.');
    const headers = part.slice(0, headerEnd).split('\r\n').filter((line) => line !== '');
    const value = part.slice(headerEnd + (headerEnd === 0 ? 2 : 4));
    const disposition = headers
      .map((line) => /^content-disposition\s*:\s*(.*)$/i.exec(line)?.[1])
      .find((v) => v !== undefined);
    const name = disposition && /^form-data\s*(;|$)/i.test(disposition) ? headerParam(disposition, 'name') : undefined;
    if (name === undefined) throw malformed('A part of the multipart body has no form-data name.');
    if (headerParam(disposition ?? '', 'filename') !== undefined) {
      throw new ValidationError('invalid_field', 'Files are not accepted.', { field: name });
    }
    fields.append(name, value);
  }
  throw malformed('The multipart body is not closed.');
};

export const parseWith = <T>(schema: ZodType<T>, value: unknown, codes: FieldCodes = {}): T => {
  const result = safeParse(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  const top = issue?.path[0] === undefined ? undefined : String(issue.path[0]);
  const code = (top !== undefined && codes[top]) || 'invalid_field';
  const message = issue?.code === 'unrecognized_keys' ? 'Unexpected field.' : (issue?.message ?? 'Invalid input.');
  throw new ValidationError(code, message, { field });
};

/**
 * True when an Accept header ranks an HTML page above JSON (a browser, a plain form post). Each of the two types
 * takes the quality of the most specific range that matches it (RFC 9110, 12.5.1: `type/subtype` over `type/*`
 * over `*\/*`); a tie goes to the more specific range, then to the earlier one, and a tie of `*\/*` (or no header)
 * to JSON, as it always has: API clients get the contract's bodies. A range with parameters other than `q`
 * (`text/html;level=1`) matches neither. A few lines here; a negotiation library costs 3.4 KiB of every public
 * function's bundle (issue 8), and `tests/unit/accept.test.ts` checks these against negotiator's answers.
 */
export const prefersHtml = (accept: string | undefined) => {
  // Per type: [quality, specificity, -index] of the most specific range that matches it.
  const html = [0, -1, 0];
  const json = [0, -1, 0];
  accept?.split(',').forEach((part, index) => {
    const [range = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const [param = 'q=1'] = params;
    const q = params.length < 2 && /^q\s*=/.test(param) ? Number(param.slice(param.indexOf('=') + 1)) : Number.NaN;
    if (!(q >= 0 && q <= 1)) return;
    for (const [rank, type] of [[html, 'text/html'], [json, JSON_TYPE]] as const) {
      const specificity = range === type ? 2 : range === `${type.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
      if (specificity > (rank[1] ?? -1)) rank.splice(0, 3, q, specificity, -index);
    }
  });
  const [hq = 0, hs = 0, hi = 0] = html;
  const [jq = 0, js = 0, ji = 0] = json;
  return hq !== jq ? hq > jq : hq > 0 && (hs !== js ? hs > js : hi > ji);
};

export const toRequest = (event: APIGatewayProxyEventV2): HttpRequest => {
  const headers = lower(event.headers);
  const rawBody = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  const type = mediaType(headers['content-type']);
  const isForm = type === FORM_TYPE || type === MULTIPART_TYPE;
  const query = new URLSearchParams(event.rawQueryString ?? '');
  const pathParameters = Object.fromEntries(Object.entries(event.pathParameters ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    headers,
    query,
    pathParameters,
    client: { ip: event.requestContext.http.sourceIp, userAgent: headers['user-agent'] },
    requestId: event.requestContext.requestId,
    wantsHtml: prefersHtml(headers.accept),
    isForm,
    rawBody,
    body<T>(schema: ZodType<T>, codes?: FieldCodes): T {
      if (rawBody.trim() === '') return parseWith(schema, {}, codes);
      if (type === MULTIPART_TYPE) return parseWith(schema, paramsToObject(parseMultipart(rawBody, headers['content-type'] ?? '')), codes);
      if (isForm) return parseWith(schema, paramsToObject(new URLSearchParams(rawBody)), codes);
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody);
      } catch (cause) {
        throw new ValidationError('invalid_json', 'The request body is not valid JSON.', { cause });
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ValidationError('invalid_json', 'The request body must be a JSON object.');
      }
      return parseWith(schema, parsed, codes);
    },
    queryParams<T>(schema: ZodType<T>, codes?: FieldCodes): T {
      return parseWith(schema, paramsToObject(query), codes);
    },
    pathParam<T>(name: string, schema: ZodType<T>, notFound = 'There is nothing at this address.'): T {
      const result = safeParse(schema, pathParameters[name]);
      if (!result.success) throw new NotFoundError(notFound);
      return result.data;
    },
  };
};

/** The contract's limits on any body: 16 KiB, and JSON or a form when not empty. */
export const checkBody = (
  req: HttpRequest,
  accepted: readonly string[] = [JSON_TYPE, FORM_TYPE],
  maxBytes: number = MAX_BODY_BYTES,
) => {
  if (Buffer.byteLength(req.rawBody, 'utf8') > maxBytes) {
    throw new PayloadTooLargeError(`The request body may be at most ${Math.round(maxBytes / 1024)} KiB.`);
  }
  if (req.rawBody.length > 0 && !accepted.includes(mediaType(req.headers['content-type']))) {
    throw new UnsupportedMediaTypeError(`Send the body as ${accepted.join(' or ')}.`);
  }
};

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // Links carry tokens: never leak them to another site through Referer.
  'referrer-policy': 'no-referrer',
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

/**
 * An HTML page, under the policy its own markup calls for (see pagePolicy): its stylesheet and scripts by hash,
 * and forms that may go only to `formAction` (default `'self'`; redirects after a post count too).
 */
export const html = (
  statusCode: number,
  body: string,
  headers: Record<string, string> = {},
  scriptHashes: readonly string[] = [],
  formAction?: readonly string[],
): HttpResponse => ({
  statusCode,
  headers: {
    ...BASE_HEADERS,
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': pagePolicy(body, { scriptHashes, formAction }),
    ...headers,
  },
  body,
});

export const seeOther = (location: string): HttpResponse => ({
  statusCode: 303,
  headers: { ...BASE_HEADERS, location },
  body: '',
});

export const noContent = (): HttpResponse => ({ statusCode: 204, headers: { ...BASE_HEADERS }, body: '' });

/**
 * HEAD of a link whose GET redirects to something the GET creates (a Checkout Session, a Customer Portal session):
 * the link checked, nothing created, so 200 with GET's headers and nowhere to send the client.
 */
export const linkChecked = (): HttpResponse => ({ statusCode: 200, headers: { ...BASE_HEADERS }, body: '' });

const errorBody = (error: DomainError) => ({
  error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
});

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

/**
 * The one map from the core's errors to HTTP statuses, by class (first match wins, so a subclass goes above its
 * parent). A DomainError of a class not listed here is a programming error: it answers 500 like any other.
 */
const STATUS_BY_ERROR: ReadonlyArray<readonly [DomainErrorClass, number]> = [
  [ValidationError, 400],
  [InvalidTokenError, 400],
  [InvalidSignatureError, 400],
  [UnauthorizedError, 401],
  [NotFoundError, 404],
  [MethodNotAllowedError, 405],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [RateLimitedError, 429],
  [TransientError, 503],
];

/** The protection space of every credential the API takes (RFC 9110 §11.5): one, the admin API's tokens. */
const REALM = 'appeal';

/** The HTTP status for a thrown value: the table's for our own errors, 500 for anything else. */
export const statusOf = (error: unknown): number => {
  if (!(error instanceof DomainError)) return 500;
  for (const [type, status] of STATUS_BY_ERROR) if (error instanceof type) return status;
  return 500;
};

/**
 * Maps any thrown value to the contract's error response: JSON, or an error page for a browser (`wantsHtml`).
 * Unknown errors log with their stack and answer a generic 500.
 */
export const errorResponse = (error: unknown, req: HttpRequest | undefined, site: Brand | string): HttpResponse => {
  const known = error instanceof DomainError ? error : undefined;
  const status = statusOf(error);
  if (!known) logger.error('unhandled error', { error: error as Error, requestId: req?.requestId });
  else if (status >= 500) logger.warn('transient failure', { error: known, requestId: req?.requestId });
  const code = known?.code ?? 'internal_error';
  const message = known?.message ?? 'Something went wrong on our side. Please try again later.';
  const headers: Record<string, string> = {};
  if (known instanceof RateLimitedError) headers['retry-after'] = String(known.retryAfterSeconds);
  if (known instanceof MethodNotAllowedError) headers.allow = known.allowed.join(', ');
  // RFC 9110 §11.6.1: a 401 carries a challenge. Only the admin API answers 401, and it takes Bearer tokens
  // (RFC 6750 §3); the challenge names no scope and describes nothing beyond the error code.
  if (known instanceof UnauthorizedError) headers['www-authenticate'] = `Bearer realm="${REALM}"${known.tokenRefused ? ', error="invalid_token"' : ''}`;
  if (req?.wantsHtml) {
    const retryAfterSeconds = known instanceof RateLimitedError ? known.retryAfterSeconds : undefined;
    const expired = known instanceof InvalidTokenError ? known.expired : undefined;
    return html(status, errorPage(siteFor(req, site), status, message, { field: known?.field, retryAfterSeconds, code: known?.code, expired }), headers);
  }
  return json(status, known ? errorBody(known) : { error: { code, message } }, headers);
};

/**
 * The language to answer a reader in: `requested` (a form's `lang`), else `lang` in the query (our links and the
 * embed's fallback carry it), else the first of the browser's Accept-Language we speak, else the site's own.
 */
export const readerLanguage = (req: HttpRequest | undefined, site: Brand | string, requested?: string | undefined): Language => {
  return pickLanguage(requested ?? req?.query.get('lang'), req?.headers['accept-language'], typeof site === 'string' ? undefined : site.lang);
};

/** The site as this request's reader sees it: its brand, in the reader's language (readerLanguage). */
export const siteFor = (req: HttpRequest | undefined, site: Brand | string, requested?: string | undefined): Brand => ({
  ...toBrand(site),
  lang: readerLanguage(req, site, requested),
});

export type RouteHandler = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * The Lambda entry for a route group: finds the handler by API Gateway's route key, maps errors, and stamps
 * `x-request-id` on every answer. A HEAD route (routes.ts makes one beside each GET route) is answered by the GET
 * route's handler, which sees `req.method` HEAD (and starts nothing it would start for GET), without the body.
 */
export const httpHandler =
  (routes: Record<string, RouteHandler>, options: { siteName: string; brand?: Brand | undefined; fallback?: RouteHandler }) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    let req: HttpRequest | undefined;
    let response: HttpResponse;
    try {
      req = toRequest(event);
      const route = routes[event.routeKey.replace(/^HEAD /, 'GET ')] ?? options.fallback;
      if (!route) throw new NotFoundError('There is nothing at this address.');
      response = await route(req);
    } catch (error) {
      response = errorResponse(error, req, options.brand ?? options.siteName);
    }
    response.headers['x-request-id'] = event.requestContext.requestId;
    return event.requestContext.http.method.toUpperCase() === 'HEAD' ? headAnswer(response) : response;
  };
