/**
 * Base of every error the core throws on purpose. It says what went wrong, never how to answer:
 * `platform/http/errors.ts` maps each class to an HTTP status, in one table.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly field: string | undefined;
  constructor(message: string, options?: ErrorOptions & { field?: string }) {
    super(message, options);
    this.name = new.target.name;
    this.field = options?.field;
  }
}

export class ValidationError extends DomainError {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions & { field?: string }) {
    super(message, options);
    this.code = code;
  }
}

/** Which kind of link an authentic token that ran out of time belongs to: its page says so in the reader's words. */
export type TokenExpiry = 'confirm' | 'manage';

/**
 * An unknown, forged or expired link token. `email` is set when the token was authentic but expired or stale;
 * `expired` says which kind of link ran out of time.
 */
export class InvalidTokenError extends DomainError {
  readonly code = 'invalid_token';
  readonly email: string | undefined;
  readonly expired: TokenExpiry | undefined;
  constructor(message: string, options?: ErrorOptions & { email?: string; expired?: TokenExpiry }) {
    super(message, options);
    this.email = options?.email;
    this.expired = options?.expired;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not_found';
}

export class MethodNotAllowedError extends DomainError {
  readonly code = 'method_not_allowed';
  constructor(readonly allowed: string[]) {
    super(`This route accepts ${allowed.join(', ')}.`);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported_media_type';
}

/**
 * No valid credentials. `tokenRefused` says that a bearer token was sent and refused (unknown, revoked, expired),
 * as against none sent: RFC 6750 §3 tells the two apart in the answer's challenge.
 */
export class UnauthorizedError extends DomainError {
  readonly code = 'unauthorized';
  readonly tokenRefused: boolean;
  constructor(message: string, options?: ErrorOptions & { tokenRefused?: boolean }) {
    super(message, options);
    this.tokenRefused = options?.tokenRefused ?? false;
  }
}

/** Valid credentials that do not allow this page or action (an editor's role below what it needs, a cross-site post). */
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';
}

export class RateLimitedError extends DomainError {
  readonly code = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests. Please try again later.');
  }
}

/** A write lost a race with another writer (a conditional check failed); the caller may re-read and retry. */
export class ConflictError extends DomainError {
  readonly code = 'conflict';
}

/** A dependency failed in a way that a retry may fix (throttling, a timeout). */
export class TransientError extends DomainError {
  readonly code = 'temporarily_unavailable';
}

/** A webhook whose signature is missing, forged or too old. */
export class InvalidSignatureError extends DomainError {
  readonly code = 'invalid_signature';
}

/**
 * Donations cannot be taken yet: the stage's Stripe secret has not been filled in (the placeholder the stack
 * creates). Not the client's problem, and not a failure: the stage is not ready.
 */
export class DonationsNotConfiguredError extends DomainError {
  readonly code = 'donations_not_configured';
  constructor(options?: ErrorOptions) {
    super('Donations are not set up yet on this site: its payment service is still being configured. Please try again later.', options);
  }
}
