import { MethodNotAllowedError, NotFoundError } from '../core/shared/errors.js';
import { httpHandler } from '../platform/http.js';
import { matchRoute } from '../platform/routes.js';

/** The catch-all route (`$default`): unknown paths get 404, known paths with another method 405. */
export const makeHandler = ({ siteName }: { siteName: string }) =>
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
