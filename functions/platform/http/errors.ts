import type { Brand } from '../../core/shared/brand.js';
import {
  DomainError,
  type InvalidTokenError,
  type MethodNotAllowedError,
  type RateLimitedError,
  type UnauthorizedError,
  ValidationError,
} from '../../core/shared/errors.js';
import { logger } from '../logger.js';
import { siteFor } from './language.js';
import type { HttpRequest } from './request.js';
import { type HttpResponse, html, json } from './responses.js';

/** The error page and the page templates, loaded with the first error a browser gets, never for JSON. */
const pages = () => import('../../core/shared/pages.js');

const errorBody = (error: DomainError) => ({
  error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
});

/**
 * The one map from the core's errors to HTTP statuses: a ValidationError is 400 whatever its code (each field has its
 * own), every other error class by the code it carries (errors.ts), which its subclasses keep. A DomainError whose code
 * is not listed here is a programming error: it answers 500 like any other. Keyed by code rather than by class, so
 * that a function's bundle holds only the error classes its own code throws, not every class this table names.
 */
const STATUS_BY_CODE: ReadonlyMap<string, number> = new Map([
  ['invalid_token', 400],
  ['invalid_signature', 400],
  ['unauthorized', 401],
  ['forbidden', 403],
  ['not_found', 404],
  ['method_not_allowed', 405],
  ['conflict', 409],
  ['payload_too_large', 413],
  ['unsupported_media_type', 415],
  ['rate_limited', 429],
  ['temporarily_unavailable', 503],
  ['donations_not_configured', 503],
]);

/** The error of the class a code names, to read what that class adds (a ValidationError's code may be any). */
const hasCode = <E extends DomainError>(error: DomainError | undefined, code: E['code']): error is E =>
  error?.code === code && !(error instanceof ValidationError);

/** The protection space of every credential the API takes (RFC 9110 §11.5): one, the admin API's tokens. */
const REALM = 'appeal';

/** The HTTP status for a thrown value: the table's for our own errors, 500 for anything else. */
export const statusOf = (error: unknown): number => {
  if (!(error instanceof DomainError)) return 500;
  if (error instanceof ValidationError) return 400;
  return STATUS_BY_CODE.get(error.code) ?? 500;
};

/**
 * Maps any thrown value to the contract's error response: JSON, or an error page for a browser (`wantsHtml`).
 * Unknown errors log with their stack and answer a generic 500.
 */
export const errorResponse = async (error: unknown, req: HttpRequest | undefined, site: Brand): Promise<HttpResponse> => {
  const known = error instanceof DomainError ? error : undefined;
  const status = statusOf(error);
  if (!known) logger.error('unhandled error', { error: error as Error, requestId: req?.requestId });
  else if (status >= 500) logger.warn('transient failure', { error: known, requestId: req?.requestId });
  const code = known?.code ?? 'internal_error';
  const message = known?.message ?? 'Something went wrong on our side. Please try again later.';
  const headers: Record<string, string> = {};
  if (hasCode<RateLimitedError>(known, 'rate_limited')) headers['retry-after'] = String(known.retryAfterSeconds);
  if (hasCode<MethodNotAllowedError>(known, 'method_not_allowed')) headers.allow = known.allowed.join(', ');
  // RFC 9110 §11.6.1: a 401 carries a challenge. Only the admin API answers 401, and it takes Bearer tokens
  // (RFC 6750 §3); the challenge names no scope and describes nothing beyond the error code.
  if (hasCode<UnauthorizedError>(known, 'unauthorized')) headers['www-authenticate'] = `Bearer realm="${REALM}"${known.tokenRefused ? ', error="invalid_token"' : ''}`;
  if (req?.wantsHtml) {
    const retryAfterSeconds = hasCode<RateLimitedError>(known, 'rate_limited') ? known.retryAfterSeconds : undefined;
    const expired = hasCode<InvalidTokenError>(known, 'invalid_token') ? known.expired : undefined;
    return html(status, (await pages()).errorPage(siteFor(req, site), status, message, { field: known?.field, retryAfterSeconds, code: known?.code, expired }), headers);
  }
  return json(status, known ? errorBody(known) : { error: { code, message } }, headers);
};
