import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Brand, defaultBrand } from '../../core/shared/brand.js';
import { NotFoundError } from '../../core/shared/errors.js';
import { errorResponse } from './errors.js';
import { headAnswer } from './head.js';
import { type HttpRequest, type MultipartReader, toRequest } from './request.js';
import type { HttpResponse } from './responses.js';

export type RouteHandler = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * The Lambda entry for a route group: finds the handler by API Gateway's route key, maps errors, and stamps
 * `x-request-id` on every answer. A HEAD route (routes.ts makes one beside each GET route) is answered by the GET
 * route's handler, which sees `req.method` HEAD (and starts nothing it would start for GET), without the body.
 */
export const httpHandler =
  (routes: Record<string, RouteHandler>, options: { siteName: string; brand?: Brand | undefined; fallback?: RouteHandler; readMultipart?: MultipartReader }) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    let req: HttpRequest | undefined;
    let response: HttpResponse;
    try {
      req = toRequest(event, options.readMultipart);
      const route = routes[event.routeKey.replace(/^HEAD /, 'GET ')] ?? options.fallback;
      if (!route) throw new NotFoundError('There is nothing at this address.');
      response = await route(req);
    } catch (error) {
      response = await errorResponse(error, req, options.brand ?? defaultBrand(options.siteName));
    }
    response.headers['x-request-id'] = event.requestContext.requestId;
    return event.requestContext.http.method.toUpperCase() === 'HEAD' ? headAnswer(response) : response;
  };
