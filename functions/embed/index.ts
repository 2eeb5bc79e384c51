import script from '../../web/dist/embed.txt';
import { makeHandler } from './routes.js';

// The embed function's composition root: no configuration (config.ts), no client, no secret; only the
// widget's script, bundled as text (web/embed/build.ts builds web/dist/embed.txt; the stack rebuilds it first).
// A bare /v1/embed.js may be cached for 5 minutes; a versioned one for a year (routes.ts).
export const handler = makeHandler({ script, maxAgeSeconds: 300 });
