import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { NotFoundError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../core/shared/errors.js';
import type { Client } from '../../core/shared/model.js';
import { safeParse, type Schema } from '../../core/shared/schema.js';
import { prefersHtml } from './accept.js';
import { FORM_TYPE, JSON_TYPE, MULTIPART_TYPE, mediaType } from './media-types.js';

export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a multipart body's text fields. Given only by the functions whose routes take one (the mailing list's form
 * and one-click posts, platform/http/multipart.ts), so that the others neither bundle nor parse a multipart parser.
 */
export type MultipartReader = (body: Buffer, contentType: string) => Promise<URLSearchParams>;

/** Field → error code, for the contract's specific 400 codes; any other field is `invalid_field`. */
export type FieldCodes = Record<string, string>;

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly pathParameters: Readonly<Record<string, string>>;
  /** The request's cookies, `name=value` each: API Gateway's payload 2.0 takes them out of the headers. */
  readonly cookies: readonly string[];
  readonly client: Client;
  readonly requestId: string;
  /** The client prefers an HTML page to JSON (a browser, a plain form post). */
  readonly wantsHtml: boolean;
  readonly isForm: boolean;
  /** The raw body text (base64 already decoded), as Stripe needs it for the signature. */
  readonly rawBody: string;
  /** Parses a JSON, form or multipart body with a schema; rejects with ValidationError naming the offending field. */
  body<T>(schema: Schema<T>, codes?: FieldCodes): Promise<T>;
  /** Parses query parameters with a schema. */
  queryParams<T>(schema: Schema<T>, codes?: FieldCodes): T;
  /**
   * A path parameter (percent-decoded once, by API Gateway) that `schema` accepts; NotFoundError otherwise: no
   * resource has an id of another form, so an impossible id is answered as an unknown one, before any look-up
   * (DynamoDB refuses a key over 2,048 bytes with an error of its own). `notFound` is the unknown id's message.
   */
  pathParam<T>(name: string, schema: Schema<T>, notFound?: string): T;
}

const lower = (headers: Record<string, string | undefined> | undefined) => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
};

/** Repeated form or query fields become arrays, as HTML forms send `lists=a&lists=b`. */
const paramsToObject = (params: URLSearchParams): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
};

/** Parses a value with a schema; throws ValidationError with the first problem's field and its contract code. */
export const parseWith = <T>(schema: Schema<T>, value: unknown, codes: FieldCodes = {}): T => {
  const result = safeParse(schema, value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  const top = issue?.path[0] === undefined ? undefined : String(issue.path[0]);
  const code = (top !== undefined && codes[top]) || 'invalid_field';
  const message = issue?.code === 'unrecognized_keys' ? 'Unexpected field.' : (issue?.message ?? 'Invalid input.');
  throw new ValidationError(code, message, { field });
};

const parseJsonObject = (text: string): object => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError('invalid_json', 'The request body is not valid JSON.', { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('invalid_json', 'The request body must be a JSON object.');
  }
  return parsed;
};

export const toRequest = (event: APIGatewayProxyEventV2, readMultipart?: MultipartReader): HttpRequest => {
  const headers = lower(event.headers);
  const bytes = () => Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const rawBody = event.body ? (event.isBase64Encoded ? bytes().toString('utf8') : event.body) : '';
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
    cookies: event.cookies ?? [],
    client: { ip: event.requestContext.http.sourceIp, userAgent: headers['user-agent'] },
    requestId: event.requestContext.requestId,
    wantsHtml: prefersHtml(headers.accept),
    isForm,
    rawBody,
    async body<T>(schema: Schema<T>, codes?: FieldCodes): Promise<T> {
      if (rawBody.trim() === '') return parseWith(schema, {}, codes);
      if (type === MULTIPART_TYPE) {
        if (!readMultipart) throw new UnsupportedMediaTypeError(`Send the body as ${JSON_TYPE} or ${FORM_TYPE}.`);
        return parseWith(schema, paramsToObject(await readMultipart(bytes(), headers['content-type'] ?? '')), codes);
      }
      if (isForm) return parseWith(schema, paramsToObject(new URLSearchParams(rawBody)), codes);
      return parseWith(schema, parseJsonObject(rawBody), codes);
    },
    queryParams<T>(schema: Schema<T>, codes?: FieldCodes): T {
      return parseWith(schema, paramsToObject(query), codes);
    },
    pathParam<T>(name: string, schema: Schema<T>, notFound = 'There is nothing at this address.'): T {
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
