import { makeHandler } from './routes.js';
import { FallbackConfig } from './config.js';
import { brandOf, loadConfig } from '../platform/config.js';

// The catch-all function's composition root: no client, only the site's brand for its error pages and icon.
const config = loadConfig(FallbackConfig);
export const handler = makeHandler({ siteName: config.SITE_NAME, brand: brandOf(config) });
