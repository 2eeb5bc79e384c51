import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type EventDeps, recordEvent } from '../core/experiments/events.js';
import { EventRequest } from '../core/experiments/model.js';
import { DomainError, PayloadTooLargeError, RateLimitedError, UnsupportedMediaTypeError, ValidationError } from '../core/shared/errors.js';
import { JSON_TYPE } from '../platform/http/media-types.js';
import { checkBody, toRequest } from '../platform/http/request.js';
import { type HttpResponse, json } from '../platform/http/responses.js';
import { logger } from '../platform/logger.js';

/** `navigator.sendBeacon` with a string sends it as text/plain (a simple request: no CORS preflight per view). */
const TEXT_TYPE = 'text/plain';
/** An event is three short fields: anything near this is not one. */
export const MAX_EVENT_BYTES = 1024;

const STATUS: ReadonlyArray<readonly [abstract new (...args: never[]) => DomainError, number]> = [
  [ValidationError, 400],
  [PayloadTooLargeError, 413],
  [UnsupportedMediaTypeError, 415],
  [RateLimitedError, 429],
];

/** The contract's error body for the few errors this route has; anything else is logged and answers 500. */
const errorJson = (error: unknown): HttpResponse => {
  const status = error instanceof DomainError ? STATUS.find(([type]) => error instanceof type)?.[1] : undefined;
  if (!(error instanceof DomainError) || status === undefined) {
    logger.error('event failed', { error: error as Error });
    return json(500, { error: { code: 'internal', message: 'Something went wrong on our side.' } });
  }
  const headers: Record<string, string> = error instanceof RateLimitedError ? { 'retry-after': String(error.retryAfterSeconds) } : {};
  return json(status, { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } }, headers);
};

/**
 * POST /v1/events: one view or click → 204. JSON or text/plain holding JSON; at most 1 KiB; nothing but `type`,
 * `campaign` and `variant`. The route has no page to show (a beacon's answer is never read), so this function
 * bundles no page template: it answers JSON only, through its own short error table.
 */
export const makeHandler =
  (deps: EventDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    let response: HttpResponse;
    try {
      const req = toRequest(event);
      checkBody(req, [JSON_TYPE, TEXT_TYPE], MAX_EVENT_BYTES);
      await recordEvent(deps, await req.body(EventRequest), req.client);
      response = { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    } catch (error) {
      response = errorJson(error);
    }
    response.headers['x-request-id'] = event.requestContext.requestId;
    return response;
  };
