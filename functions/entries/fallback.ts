import { makeHandler } from '../handlers/fallback.js';
import { FallbackConfig } from '../platform/env/fallback.js';
import { loadConfig } from '../platform/env/shared.js';

// The catch-all function's composition root: no client, only the site's name for its error pages.
export const handler = makeHandler({ siteName: loadConfig(FallbackConfig).SITE_NAME });
