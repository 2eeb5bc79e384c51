import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import type { Editor, Session } from './model.js';
import type { Editors, Sessions } from './ports.js';

/** The session cookie's name (API.md). */
export const SESSION_COOKIE = 'appeal_session';
/** A session's whole life: it is not extended by use. */
export const SESSION_SECONDS = 12 * 3600;

export interface SessionDeps {
  editors: Editors;
  sessions: Sessions;
  clock: Clock;
}

/** A session id in the cookie: 256 random bits, base64url. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export const hashSessionId = (id: string) => createHash('sha256').update(id).digest('hex');

/** The signed-in editor and the session the request came with. */
export interface SignedIn {
  editor: Editor;
  session: Session;
}

/**
 * Starts a session for an editor: a random id (only its hash is stored) and a CSRF token of its own. Returns the id
 * for the cookie.
 */
export const startSession = async (
  deps: SessionDeps,
  editor: Editor,
  method: Session['method'],
  userAgent: string | undefined,
): Promise<{ id: string; session: Session }> => {
  const id = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  const session: Session = {
    idHash: hashSessionId(id),
    email: editor.email,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_SECONDS * 1000).toISOString(),
    csrf: randomBytes(32).toString('base64url'),
    generation: editor.generation,
    method,
    ...(userAgent ? { userAgent: userAgent.slice(0, 200) } : {}),
  };
  await deps.sessions.create(session);
  return { id, session };
};

/** One cookie's value from the request's cookies (`name=value` each, as API Gateway hands them over), or undefined. */
export const cookieValue = (cookies: readonly string[], name: string): string | undefined => {
  for (const part of cookies) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
};

/**
 * The signed-in editor of a request, from its cookies, or undefined: no cookie, an unknown or ended session,
 * one past its 12 hours (checked here: the store's time to live deletes it only some time later), an editor removed
 * since, or one whose sessions were all ended after it began. Role changes apply at once: the editor is read anew.
 */
export const currentEditor = async (deps: SessionDeps, cookies: readonly string[]): Promise<SignedIn | undefined> => {
  const id = cookieValue(cookies, SESSION_COOKIE);
  if (!id || !SESSION_ID.test(id)) return undefined;
  const session = await deps.sessions.get(hashSessionId(id));
  if (!session || Date.parse(session.expiresAt) <= deps.clock.now().getTime()) return undefined;
  const editor = await deps.editors.get(session.email);
  if (!editor || editor.generation !== session.generation) return undefined;
  return { editor, session };
};

/** Ends one session (sign-out). */
export const endSession = (deps: Pick<SessionDeps, 'sessions'>, session: Session) => deps.sessions.delete(session.idHash);

/** An editor's sessions that still count, newest first. */
export const liveSessions = async (deps: SessionDeps, editor: Editor): Promise<Session[]> => {
  const now = deps.clock.now().getTime();
  return (await deps.sessions.listFor(editor.email)).filter((s) => s.generation === editor.generation && Date.parse(s.expiresAt) > now);
};

/**
 * The synchronizer token check of a state-changing form: the token it carries must be its session's. Throws
 * ForbiddenError (403) otherwise.
 */
export const checkCsrf = (session: Session, token: string | undefined) => {
  const expected = Buffer.from(session.csrf);
  const given = Buffer.from(token ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ForbiddenError('This form has expired or did not come from the console. Please go back, reload the page and try again.');
  }
};

/**
 * The `Origin` check of every state-changing request: a browser names the page's origin on every POST, and only the
 * console's own (the API's origin) may change anything. A request without one is refused too. Throws ForbiddenError.
 */
export const checkOrigin = (origin: string | undefined, ownOrigin: string) => {
  if (origin !== ownOrigin) throw new ForbiddenError('This request did not come from the console.');
};

/** The Set-Cookie value that holds a new session: HttpOnly, SameSite=Strict, Path=/, Secure when `secure`. */
export const sessionCookie = (id: string, secure: boolean) =>
  `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${SESSION_SECONDS}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

/** The Set-Cookie value that removes the session cookie. */
export const clearedSessionCookie = (secure: boolean) => `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
