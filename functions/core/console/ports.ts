import type { AuditEntry, Editor, Passkey, Role, Session } from './model.js';

/** The console's editors. */
export interface Editors {
  get(email: string): Promise<Editor | undefined>;
  list(): Promise<Editor[]>;
  /** Adds an editor, or changes an existing one's role (and language, when given). Returns the editor as stored. */
  put(email: string, role: Role, at: Date, lang?: string): Promise<Editor>;
  /** Removes an editor; false when there was none. */
  remove(email: string): Promise<boolean>;
  /** Ends every session of an editor made so far ("sign out everywhere"): one write; false when there is no such editor. */
  endSessions(email: string): Promise<boolean>;
}

/** Signed-in browsers, keyed by the SHA-256 of their cookie's id. Kept until `expiresAt` (the store's TTL). */
export interface Sessions {
  create(session: Session): Promise<void>;
  get(idHash: string): Promise<Session | undefined>;
  delete(idHash: string): Promise<void>;
  /** An editor's sessions, newest first (ended ones included until they expire: the caller checks the generation). */
  listFor(email: string): Promise<Session[]>;
}

/**
 * Single use of a link or a WebAuthn challenge: `use` records the nonce with a conditional write and answers false
 * when it was used before. Kept until the nonce could no longer be accepted anyway (`until`).
 */
export interface NonceLedger {
  use(purpose: string, nonce: string, until: Date): Promise<boolean>;
}

/** The editors' passkeys. */
export interface Passkeys {
  add(passkey: Passkey): Promise<void>;
  get(id: string): Promise<Passkey | undefined>;
  listFor(email: string): Promise<Passkey[]>;
  /**
   * Records a use: the counter moves from `from` to `to`, conditionally (a replayed or cloned authenticator's
   * assertion loses the race). False when the stored counter was no longer `from`.
   */
  recordUse(id: string, from: number, to: number, at: Date): Promise<boolean>;
  remove(id: string, email: string): Promise<boolean>;
}

/**
 * The audit log: append and read, nothing else. Its table grants no function UpdateItem or DeleteItem; entries
 * expire after the retention the adapter is given.
 */
export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  /** The newest `limit` entries, newest first. */
  recent(limit: number): Promise<AuditEntry[]>;
}
