import * as z from 'zod/mini';
import { nonEmpty, onFirstUse } from '../core/shared/schema.js';
import { BrandConfig } from '../platform/config.js';

/** The catch-all route: its 404 and 405 pages in the site's style, and the pages' icon in its colours. */
export const FallbackConfig = /* @__PURE__ */ onFirstUse(() => z.extend(BrandConfig, { SITE_NAME: nonEmpty() }));
export type FallbackConfig = z.infer<typeof FallbackConfig>;
