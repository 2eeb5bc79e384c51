import * as z from 'zod';
import { MethodNotAllowedError, NotFoundError } from '../core/shared/errors.js';
import { loadConfig } from '../platform/config.js';
import { httpHandler } from '../platform/http.js';
import { matchRoute } from '../platform/routes.js';

/** The catch-all route (`$default`): unknown paths get 404, known paths with another method 405. */
export const makeHandler = (siteName: string) =>
  httpHandler(
    {},
    {
      siteName,
      fallback: async (req) => {
        const { allowed } = matchRoute(req.method, req.path);
        if (allowed.length) throw new MethodNotAllowedError(allowed);
        throw new NotFoundError('There is nothing at this address.');
      },
    },
  );

export const handler = makeHandler(loadConfig(z.object({ SITE_NAME: z.string().min(1) })).SITE_NAME);
