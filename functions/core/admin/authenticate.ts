import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import type { AdminTokens } from './ports.js';

/** What is stored of a token: its SHA-256 (a random 256-bit token needs no slow hash). */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Records a token's use at most once a minute, so that reads stay reads. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Checks `Authorization: Bearer <token>` and returns the token's record. The stored hash is compared in
 * constant time; a token past its `expiresAt` is refused. Throws UnauthorizedError (401) for anything else.
 */
export const authenticateAdmin = async (deps: { tokens: AdminTokens; clock: Clock }, authorization: string | undefined) => {
  // RFC 6750 §3.1: a bearer token that was sent and is refused is `invalid_token`; no token at all, no error code.
  const tokenRefused = /^bearer\s+\S/i.test(authorization ?? '');
  const denied = () => new UnauthorizedError('A valid admin token is required (Authorization: Bearer <token>).', { tokenRefused });
  // RFC 9110 §11.1: the scheme is case-insensitive ("bearer", "BEARER").
  const match = /^[Bb][Ee][Aa][Rr][Ee][Rr]\s+(apl_[A-Za-z0-9_-]{43})\s*$/.exec(authorization ?? '');
  if (!match?.[1]) throw denied();
  const hash = hashToken(match[1]);
  const found = await deps.tokens.findByHash(hash);
  if (!found || !timingSafeEqual(Buffer.from(found.hash, 'hex'), Buffer.from(hash, 'hex'))) throw denied();
  const now = deps.clock.now();
  // Checked on every use: the store's time to live deletes an expired item only some time later.
  if (found.expiresAt !== undefined && now.getTime() >= Date.parse(found.expiresAt)) throw denied();
  if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) > TOUCH_INTERVAL_MS) await deps.tokens.touch(hash, now);
  return found;
};
