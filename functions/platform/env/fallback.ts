import * as z from 'zod/mini';
import { nonEmpty } from '../../core/shared/schema.js';

/** The catch-all route: it only names the site on its error pages. */
export const FallbackConfig = z.object({ SITE_NAME: nonEmpty() });
export type FallbackConfig = z.infer<typeof FallbackConfig>;
