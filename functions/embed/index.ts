import { makeHandler } from './routes.js';

/**
 * The widget's script (web/embed/), built when the function is bundled and inlined as a string constant by the
 * bundler's `define` (the stack's and the bench's; see embedDefine in web/embed/build.ts): the deployed function
 * always carries the current sources, and no built file is kept in the repository.
 */
declare const EMBED_SCRIPT: string;
/** Each language's widget words, inlined the same way (widgetMessages in web/embed/build.ts). */
declare const EMBED_MESSAGES: Record<string, unknown>;

// The embed function's composition root: no configuration (config.ts), no client, no secret; only the script and
// its words. A bare /v1/embed.js may be cached for 5 minutes; a versioned one for a year (routes.ts).
export const handler = makeHandler({ script: EMBED_SCRIPT, messages: EMBED_MESSAGES, maxAgeSeconds: 300 });
