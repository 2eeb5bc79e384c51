import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import type { SignupAndMailQueue } from '../mail/ports.js';
import { normalizeEmail } from '../shared/email-address.js';
import { InvalidTokenError } from '../shared/errors.js';
import { inLanguage, type Language } from '../shared/i18n/index.js';
import { type RateLimit, type RateLimiter, limitClient } from '../shared/limits.js';
import type { Client } from '../shared/model.js';
import { type Keys, keyedHash, newId, openToken, sealToken } from '../shared/secrets.js';
import { type AuditDeps, recordAudit } from './audit.js';
import type { Editor } from './model.js';
import type { NonceLedger } from './ports.js';
import { type SessionDeps, startSession } from './sessions.js';

/** How long a sign-in link works (API.md: 15 minutes). */
export const SIGNIN_LINK_SECONDS = 15 * 60;
/** Where a sign-in link leads. */
export const SIGNIN_PATH = '/admin/signin';

const LinkPayload = /* @__PURE__ */ onFirstUse(() => z.object({ e: z.string(), x: z.int(), n: z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/)) }));

/**
 * A sign-in link for an editor: sealed (AES-256-GCM, purpose-bound) with the address, its end and a nonce, so the
 * link names no address to whoever holds it, and its single use is the nonce's (NonceLedger). In the editor's
 * language when known.
 */
export const signInLink = (keys: Pick<Keys, 'token'>, apiBaseUrl: string, email: string, now: Date, lang?: string) => {
  const token = sealToken(keys.token, 'console-signin', {
    e: email,
    x: Math.floor(now.getTime() / 1000) + SIGNIN_LINK_SECONDS,
    n: newId(16),
  });
  return inLanguage(`${apiBaseUrl}${SIGNIN_PATH}?token=${token}`, lang);
};

export interface SignInLimits {
  client: RateLimit;
  address: RateLimit;
}

export interface SignInRequestDeps {
  rateLimiter: RateLimiter;
  queue: SignupAndMailQueue;
  keys: Keys;
  clock: SessionDeps['clock'];
  limits: SignInLimits;
}

/**
 * Asks for a sign-in link. The same work for every valid address, editor or not: count the client's and the
 * address's limits, then put one `console-signin` intent on the mail queue; the mail worker looks the address up
 * and mails a link only to an editor. So neither the answer nor its timing says whether an address is an editor's.
 * Throws ValidationError (a malformed address) or RateLimitedError.
 */
export const requestSignIn = async (deps: SignInRequestDeps, input: { email: string; client: Client; lang?: Language | undefined }) => {
  const email = normalizeEmail(input.email);
  await limitClient(deps, deps.limits.client, input.client);
  await deps.rateLimiter.hit(deps.limits.address, keyedHash(deps.keys.email, email), deps.clock.now());
  await deps.queue.enqueue({ kind: 'console-signin', id: newId(), email, ...(input.lang ? { lang: input.lang } : {}) });
};

export interface SignInDeps extends SessionDeps, AuditDeps {
  keys: Keys;
  nonces: NonceLedger;
  rateLimiter: RateLimiter;
  limits: SignInLimits;
}

const USED = 'This sign-in link has already been used. Please ask for a new one.';

/**
 * Signs in with a link's token: it must be authentic, within its 15 minutes, not used before (the nonce is recorded
 * with a conditional write, so two posts of one link start one session), and name a current editor. Starts a session
 * and records `signin`. Throws InvalidTokenError for anything else (a 400 page that offers a new link), or
 * RateLimitedError (the client's sign-in limit counts these posts too).
 */
export const signInWithLink = async (deps: SignInDeps, input: { token: string; client: Client; userAgent?: string | undefined }) => {
  await limitClient(deps, deps.limits.client, input.client);
  const { payload, expiresAt } = checkSignInLink(deps, input.token);
  // Kept a minute past the link's end: by then the link is refused for its age anyway.
  if (!(await deps.nonces.use('signin', payload.n, new Date(expiresAt.getTime() + 60_000)))) throw new InvalidTokenError(USED);
  const editor = await deps.editors.get(payload.e);
  if (!editor) throw new InvalidTokenError('This sign-in link is not valid. Please ask for a new one.');
  return signedIn(deps, editor, 'link', input);
};

/**
 * A link's token, authentic and within its 15 minutes (whether it was used is known only by using it). Reads and
 * writes nothing, so the link's page can refuse a forged or expired link at once. Throws InvalidTokenError.
 */
export const checkSignInLink = (deps: { keys: Pick<Keys, 'token'>; clock: SessionDeps['clock'] }, token: string) => {
  const payload = openToken(deps.keys.token, 'console-signin', token, LinkPayload);
  const expiresAt = new Date(payload.x * 1000);
  if (expiresAt.getTime() <= deps.clock.now().getTime()) throw new InvalidTokenError('This sign-in link has expired. Please ask for a new one.');
  return { payload, expiresAt };
};

/** Starts the session of an editor who has proved who they are, and records the sign-in. */
export const signedIn = async (
  deps: SessionDeps & AuditDeps,
  editor: Editor,
  method: 'link' | 'passkey',
  input: { client: Client; userAgent?: string | undefined },
) => {
  const started = await startSession(deps, editor, method, input.userAgent);
  await recordAudit(deps, { actor: editor.email, action: 'signin', target: method, client: input.client });
  return started;
};
