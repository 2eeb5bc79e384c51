import type { Brand } from '../../core/shared/brand.js';
import {
  ConflictError,
  DomainError,
  DonationsNotConfiguredError,
  InvalidSignatureError,
  ForbiddenError,
  InvalidTokenError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  TransientError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
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
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [MethodNotAllowedError, 405],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [RateLimitedError, 429],
  [TransientError, 503],
  [DonationsNotConfiguredError, 503],
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
export const errorResponse = async (error: unknown, req: HttpRequest | undefined, site: Brand): Promise<HttpResponse> => {
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
    return html(status, (await pages()).errorPage(siteFor(req, site), status, message, { field: known?.field, retryAfterSeconds, code: known?.code, expired }), headers);
  }
  return json(status, known ? errorBody(known) : { error: { code, message } }, headers);
};
