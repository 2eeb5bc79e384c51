import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';
import { flag } from './config.js';

/**
 * Whether the guarded HTTP client may also call plain `http://` on loopback addresses (a developer's receiver, the
 * newsletter tools' stand-ins): only the dev server sets it. Unset or `false` on every deployed stage, where only
 * `https://` to public addresses is allowed.
 */
export const OUTBOUND_LOOPBACK_HTTP = /* @__PURE__ */ onFirstUse(() => z._default(flag(), false));
