import type { Viewer } from '../core/console/pages.js';
import { consoleErrorPage, badLinkPage } from '../core/console/pages.js';
import { CampaignCurrencyLockedError } from '../core/donations/model.js';
import type { Brand } from '../core/shared/brand.js';
import { ConflictError, ForbiddenError, InvalidTokenError, NotFoundError, RateLimitedError, ValidationError } from '../core/shared/errors.js';
import type { HttpResponse } from '../platform/http/responses.js';

/**
 * The console's own page for an error a browser gets (routes.ts, `rendered`): a bad link offers a new one; 400, 403,
 * 404, 409 and 429 say why, in the console's words. Undefined for any other error, which the API answers as usual.
 * Loaded with the sections (sections.ts): a request that fails needs the pages anyway.
 */
export const consoleErrorAnswer = (
  error: unknown,
  site: Brand,
  viewer: Viewer | undefined,
  page: (status: number, body: string, headers?: Record<string, string>) => HttpResponse,
): HttpResponse | undefined => {
  if (error instanceof InvalidTokenError) return page(400, badLinkPage(site, error.message));
  if (error instanceof ForbiddenError) return page(403, consoleErrorPage(site, 403, {}, viewer));
  if (error instanceof RateLimitedError) {
    return page(429, consoleErrorPage(site, 429, { retryAfterSeconds: error.retryAfterSeconds }, viewer), { 'retry-after': String(error.retryAfterSeconds) });
  }
  if (error instanceof ValidationError) return page(400, consoleErrorPage(site, 400, { message: error.message }, viewer));
  if (error instanceof NotFoundError) return page(404, consoleErrorPage(site, 404, { message: error.message }, viewer));
  if (error instanceof ConflictError || error instanceof CampaignCurrencyLockedError) return page(409, consoleErrorPage(site, 409, { message: error.message }, viewer));
  return undefined;
};
