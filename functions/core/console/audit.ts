import type { Client } from '../shared/model.js';
import type { Clock } from '../shared/ports.js';
import { type Keys, keyedHash } from '../shared/secrets.js';
import type { AuditAction, AuditEntry } from './model.js';
import type { AuditLog } from './ports.js';

export interface AuditDeps {
  audit: AuditLog;
  clock: Clock;
  keys: Pick<Keys, 'clientIp'>;
}

/** Who did something: an editor's address, `token:NAME` for an admin token, `cli:USER` for the admin CLI. */
export const tokenActor = (name: string) => `token:${name}`;

/**
 * Appends one entry to the audit log: who, when, what, on what, and a keyed hash of the client's IP (the same
 * hash the rate limits use, so an entry can be matched with a client without the log holding any IP).
 */
export const recordAudit = async (
  deps: AuditDeps,
  entry: { actor: string; action: AuditAction; target?: string | undefined; client?: Client | undefined },
): Promise<AuditEntry> => {
  const recorded: AuditEntry = {
    at: deps.clock.now().toISOString(),
    actor: entry.actor,
    action: entry.action,
    ...(entry.target === undefined ? {} : { target: entry.target }),
    ...(entry.client ? { ipHash: keyedHash(deps.keys.clientIp, entry.client.ip) } : {}),
  };
  await deps.audit.append(recorded);
  return recorded;
};

/** The most entries one read of the audit log returns. */
export const MAX_AUDIT_LIMIT = 500;

/** The newest `limit` entries (1 to MAX_AUDIT_LIMIT), newest first. */
export const recentAudit = (deps: Pick<AuditDeps, 'audit'>, limit: number) => deps.audit.recent(Math.min(Math.max(1, limit), MAX_AUDIT_LIMIT));
