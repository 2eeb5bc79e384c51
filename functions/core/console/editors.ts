import type { AdminTokenRecord, AdminTokens } from '../admin/ports.js';
import { revokeAdminTokens } from '../admin/admin.js';
import { normalizeEmail } from '../shared/email-address.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';
import type { Language } from '../shared/i18n/index.js';
import type { Client } from '../shared/model.js';
import { type AuditDeps, recordAudit } from './audit.js';
import type { Editor, Role } from './model.js';
import type { Editors } from './ports.js';

export interface EditorDeps extends AuditDeps {
  editors: Editors;
}

/** Who changed something, for the audit log: an editor's address, or whoever ran the CLI. */
export interface Actor {
  actor: string;
  client?: Client | undefined;
}

const otherAdmins = async (deps: EditorDeps, email: string) => (await deps.editors.list()).some((e) => e.role === 'admin' && e.email !== email);

const LAST_ADMIN = 'This is the last admin: add another admin first, so that someone can still manage the editors.';

/**
 * Adds an editor, or changes an existing editor's role (and language, when given); records `editor.add` or
 * `editor.change`. Refuses to take the admin role from the last admin (ConflictError). Throws ValidationError for
 * a malformed address.
 */
export const putEditor = async (deps: EditorDeps, who: Actor, input: { email: string; role: Role; lang?: Language | undefined }): Promise<Editor> => {
  const email = normalizeEmail(input.email);
  const existing = await deps.editors.get(email);
  if (existing?.role === 'admin' && input.role !== 'admin' && !(await otherAdmins(deps, email))) throw new ConflictError(LAST_ADMIN);
  const saved = await deps.editors.put(email, input.role, deps.clock.now(), input.lang);
  await recordAudit(deps, { actor: who.actor, action: existing ? 'editor.change' : 'editor.add', target: `${email} ${input.role}`, client: who.client });
  return saved;
};

/**
 * Removes an editor (their sessions stop at once: a session's editor is read on every request); records
 * `editor.remove`. Refuses to remove the last admin (ConflictError); NotFoundError when there is no such editor.
 */
export const removeEditor = async (deps: EditorDeps, who: Actor, rawEmail: string) => {
  const email = normalizeEmail(rawEmail);
  const existing = await deps.editors.get(email);
  if (!existing) throw new NotFoundError('There is no editor with this address.');
  if (existing.role === 'admin' && !(await otherAdmins(deps, email))) throw new ConflictError(LAST_ADMIN);
  await deps.editors.remove(email);
  await recordAudit(deps, { actor: who.actor, action: 'editor.remove', target: email, client: who.client });
};

/** Ends every session of an editor ("sign out everywhere"); records `session.end-all`. NotFoundError for no such editor. */
export const endEditorSessions = async (deps: EditorDeps, who: Actor, rawEmail: string) => {
  const email = normalizeEmail(rawEmail);
  if (!(await deps.editors.endSessions(email))) throw new NotFoundError('There is no editor with this address.');
  await recordAudit(deps, { actor: who.actor, action: 'session.end-all', target: email, client: who.client });
};

/** Revokes one admin token by id; records `token.revoke`. NotFoundError when there is none. */
export const revokeToken = async (deps: AuditDeps & { tokens: AdminTokens }, who: Actor, id: string): Promise<AdminTokenRecord> => {
  const [revoked] = await revokeAdminTokens(deps, { id });
  if (!revoked) throw new NotFoundError('There is no admin token with this id.');
  await recordAudit(deps, { actor: who.actor, action: 'token.revoke', target: `${revoked.id} ${revoked.name}`, client: who.client });
  return revoked;
};
