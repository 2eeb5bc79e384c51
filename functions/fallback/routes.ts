import { type Brand, defaultBrand } from '../core/shared/brand.js';
import { faviconIco } from '../core/shared/favicon.js';
import { SITE_CSS_PATH, stylesheet } from '../core/shared/stylesheet.js';
import { MethodNotAllowedError, NotFoundError } from '../core/shared/errors.js';
import { httpHandler } from '../platform/http/handler.js';
import type { HttpResponse } from '../platform/http/responses.js';
import { FAVICON_PATH, matchRoute } from '../platform/routes.js';

/**
 * The catch-all route (`$default`): the pages' icon at /favicon.ico (drawn once, in the brand's colours, and
 * cached by browsers for a day), their stylesheet at /v1/site.css, and for anything else 404, or 405 for a known path with another method.
 */
export const makeHandler = ({ siteName, brand }: { siteName: string; brand?: Brand | undefined }) => {
  const site = brand ?? defaultBrand(siteName);
  let icon: string | undefined;
  const favicon = (): HttpResponse => {
    icon ??= Buffer.from(faviconIco(site)).toString('base64');
    return {
      statusCode: 200,
      headers: { 'content-type': 'image/x-icon', 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' },
      body: icon,
      isBase64Encoded: true,
    };
  };
  /** The pages' one stylesheet, in the brand's colours: cached for an hour, so a restyle shows within one. */
  const css = (): HttpResponse => ({
    statusCode: 200,
    headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' },
    body: stylesheet(site),
  });
  return httpHandler(
    {},
    {
      siteName,
      brand,
      fallback: async (req) => {
        if (req.path === FAVICON_PATH && (req.method === 'GET' || req.method === 'HEAD')) return favicon();
        if (req.path === SITE_CSS_PATH && (req.method === 'GET' || req.method === 'HEAD')) return css();
        const { allowed } = matchRoute(req.method, req.path);
        if (allowed.length) throw new MethodNotAllowedError(allowed);
        throw new NotFoundError('There is nothing at this address.');
      },
    },
  );
};
