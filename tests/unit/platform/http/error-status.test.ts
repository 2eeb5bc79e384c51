import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  DomainError,
  DonationsNotConfiguredError,
  ForbiddenError,
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
} from '../../../../functions/core/shared/errors.js';
import { defaultBrand } from '../../../../functions/core/shared/brand.js';
import { errorResponse, statusOf } from '../../../../functions/platform/http/errors.js';
import { WrongWebhookSecretError } from '../../../../functions/core/connectors/mailchimp-webhook.js';
import { ForbiddenTargetError } from '../../../../functions/core/shared/outbound-http.js';
import { CampaignCurrencyLockedError } from '../../../../functions/core/donations/model.js';

class UnlistedError extends DomainError {
  readonly code = 'something_else';
}

describe('the status of each error', () => {
  it('maps every error class of the core to its status, and its subclasses with it', () => {
    const cases: [unknown, number][] = [
      [new ValidationError('invalid_email', 'No.'), 400],
      [new ValidationError('conflict', 'A field named as a code elsewhere is still a 400.'), 400],
      [new ForbiddenTargetError('Not there.'), 400],
      [new InvalidTokenError('No.'), 400],
      [new InvalidSignatureError('No.'), 400],
      [new UnauthorizedError('No.'), 401],
      [new ForbiddenError('No.'), 403],
      [new WrongWebhookSecretError('No.'), 403],
      [new NotFoundError('No.'), 404],
      [new MethodNotAllowedError(['GET']), 405],
      [new ConflictError('No.'), 409],
      [new PayloadTooLargeError('No.'), 413],
      [new UnsupportedMediaTypeError('No.'), 415],
      [new RateLimitedError(30), 429],
      [new TransientError('No.'), 503],
      [new DonationsNotConfiguredError(), 503],
      [new CampaignCurrencyLockedError('spring', 'gbp'), 500],
      [new UnlistedError('A programming error.'), 500],
      [new Error('boom'), 500],
      ['not even an error', 500],
    ];
    for (const [error, status] of cases) expect([error, statusOf(error)]).toEqual([error, status]);
  });

  it('adds the headers the classes call for, and none for a ValidationError that shares their code', async () => {
    const site = defaultBrand('The Daily');
    expect((await errorResponse(new RateLimitedError(30), undefined, site)).headers['retry-after']).toBe('30');
    expect((await errorResponse(new MethodNotAllowedError(['GET', 'HEAD']), undefined, site)).headers.allow).toBe('GET, HEAD');
    expect((await errorResponse(new UnauthorizedError('No.', { tokenRefused: true }), undefined, site)).headers['www-authenticate']).toBe(
      'Bearer realm="appeal", error="invalid_token"',
    );
    const { headers } = await errorResponse(new ValidationError('rate_limited', 'Odd, but a field.'), undefined, site);
    expect(headers).not.toHaveProperty('retry-after');
  });
});
