import * as z from 'zod/mini';

/**
 * Whether the guarded HTTP client may also call plain `http://` on loopback addresses (a developer's receiver, the
 * newsletter tools' stand-ins): only the dev server sets it. Unset or `false` on every deployed stage, where only
 * `https://` to public addresses is allowed.
 */
export const OUTBOUND_LOOPBACK_HTTP = z._default(
  z.pipe(
    z.enum(['true', 'false']),
    z.transform((v) => v === 'true'),
  ),
  false,
);
