/** Base of every error the core throws on purpose; `platform/http.ts` maps them to the contract by class. */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly field: string | undefined;
  constructor(message: string, options?: ErrorOptions & { field?: string }) {
    super(message, options);
    this.name = new.target.name;
    this.field = options?.field;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions & { field?: string }) {
    super(message, options);
    this.code = code;
  }
}

/** An unknown, forged or expired link token. `email` is set when the token was authentic but expired. */
export class InvalidTokenError extends DomainError {
  readonly status = 400;
  readonly code = 'invalid_token';
  readonly email: string | undefined;
  constructor(message: string, options?: ErrorOptions & { email?: string }) {
    super(message, options);
    this.email = options?.email;
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not_found';
}

export class MethodNotAllowedError extends DomainError {
  readonly status = 405;
  readonly code = 'method_not_allowed';
  constructor(readonly allowed: string[]) {
    super(`This route accepts ${allowed.join(', ')}.`);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests. Please try again later.');
  }
}

/** A write lost a race with another writer (a conditional check failed); the caller may re-read and retry. */
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
}

/** A dependency failed in a way that a retry may fix (throttling, a timeout); answers 503. */
export class TransientError extends DomainError {
  readonly status = 503;
  readonly code = 'temporarily_unavailable';
}

/** A webhook whose signature is missing, forged or too old. */
export class InvalidSignatureError extends DomainError {
  readonly status = 400;
  readonly code = 'invalid_signature';
}
