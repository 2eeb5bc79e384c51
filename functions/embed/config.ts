import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';

/**
 * The embed function (GET /v1/embed.js) reads no configuration: it serves the script its bundle holds, and the
 * script finds the API from its own URL. (So its entry parses nothing, and bundles no zod: the script is most of
 * its 60 KiB budget.)
 */
export const EmbedConfig = /* @__PURE__ */ onFirstUse(() => z.object({}));
export type EmbedConfig = z.infer<typeof EmbedConfig>;
