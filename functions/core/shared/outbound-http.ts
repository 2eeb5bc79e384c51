import { DomainError, ValidationError } from './errors.js';

/** One request to a URL that someone outside gave us (a newsroom's webhook endpoint, its newsletter tool). */
export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whole request, from the lookup to the last byte of the answer. */
  timeoutMs?: number;
  /** The answer's body is read up to this many bytes; the rest is dropped unread (`truncated`). */
  maxResponseBytes?: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body was longer than maxResponseBytes and is cut there. */
  truncated: boolean;
}

/**
 * Sends requests to addresses given from outside without letting them reach inside: the adapter
 * (`adapters/safe-http.ts`) refuses loopback, private, link-local and metadata addresses, and the stage's own API,
 * after DNS resolution and on the address it connects to. Redirects are answered, never followed.
 *
 * Errors: ForbiddenTargetError (the URL may never be called), OutboundRequestError (it could not be called now).
 */
export interface OutboundHttp {
  request(request: OutboundRequest): Promise<OutboundResponse>;
}

/** A URL that points where Appeal may not send anything (see OutboundHttp). The message names the reason, never the resolved address. */
export class ForbiddenTargetError extends ValidationError {
  constructor(message: string, options?: ErrorOptions) {
    super('forbidden_target', message, { ...options, field: 'url' });
  }
}

export type OutboundFailure = 'timeout' | 'network';

/** A request that was allowed but did not complete: a timeout, or a network or TLS error. */
export class OutboundRequestError extends DomainError {
  readonly code = 'outbound_request_failed';
  constructor(
    readonly kind: OutboundFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
