import * as z from 'zod/mini';
import { EmailAddress } from '../shared/email-address.js';
import { instant, onFirstUse } from '../shared/schema.js';
import { LanguageCode } from '../subscriptions/model.js';

/** The console's roles, each with all the rights of the one before it (API.md, "Editors and roles"). */
export const ROLES = ['viewer', 'fundraiser', 'exporter', 'admin'] as const;
export const Role = /* @__PURE__ */ onFirstUse(() => z.enum(ROLES));
export type Role = z.infer<typeof Role>;

/** True when `role` has at least the rights of `needed`. */
export const hasRole = (role: Role, needed: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(needed);

/**
 * A person who may use the console. `generation` counts "sign out everywhere": a session made under an older
 * generation is refused, so ending every session of an editor is one conditional write, effective at once.
 */
export const Editor = /* @__PURE__ */ onFirstUse(() => z.object({
  email: EmailAddress,
  role: Role,
  createdAt: instant(),
  /** The editor's language for the sign-in email and the console, when set (`editor add --lang`). */
  lang: z.optional(LanguageCode),
  generation: z.int().check(z.gte(0)),
}));
export type Editor = z.infer<typeof Editor>;

/** A signed-in browser. Its id is only in the cookie; the store keys it by the id's SHA-256. */
export const Session = /* @__PURE__ */ onFirstUse(() => z.object({
  /** SHA-256 of the cookie's id, hex. */
  idHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  email: EmailAddress,
  createdAt: instant(),
  expiresAt: instant(),
  /** The synchronizer token every form of this session carries (random, compared in constant time). */
  csrf: z.string().check(z.minLength(32)),
  generation: z.int().check(z.gte(0)),
  /** How the editor signed in. */
  method: z.enum(['link', 'passkey']),
  /** The browser, as its User-Agent named it (at most 200 characters), shown on the account page. */
  userAgent: z.optional(z.string().check(z.maxLength(200))),
}));
export type Session = z.infer<typeof Session>;

/** A passkey (WebAuthn credential) an editor added on the account page. */
export const Passkey = /* @__PURE__ */ onFirstUse(() => z.object({
  /** The credential id, base64url. */
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{16,1366}$/)),
  email: EmailAddress,
  /** The COSE public key, base64url. */
  publicKey: z.string().check(z.minLength(1)),
  /** The authenticator's signature counter, as last seen (0 for authenticators that keep none). */
  counter: z.int().check(z.gte(0)),
  transports: z.optional(z.array(z.string().check(z.maxLength(20))).check(z.maxLength(10))),
  createdAt: instant(),
  lastUsedAt: z.optional(instant()),
}));
export type Passkey = z.infer<typeof Passkey>;

/** The audit log's actions: API.md's list (`webhook.*`, `connector.*` and `experiment.*` come with their features). */
export const AUDIT_ACTIONS = [
  'signin',
  'signout',
  'session.end-all',
  'passkey.add',
  'passkey.remove',
  'export.start',
  'export.download',
  'subscriber.show',
  'subscriber.erase',
  'campaign.save',
  'editor.add',
  'editor.change',
  'editor.remove',
  'token.create',
  'token.revoke',
  'experiment.end',
  'experiment.allocate',
  'webhook.add',
  'webhook.remove',
  'webhook.rotate',
  'webhook.enable',
  'webhook.retry',
  'webhook.replay',
  'connector.add',
  'connector.remove',
  'connector.backfill',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One entry of the audit log, as `GET /v1/admin/audit` shows it. */
export const AuditEntry = /* @__PURE__ */ onFirstUse(() => z.object({
  at: instant(),
  /** The editor's address, `token:NAME` for an admin token, or `cli:USER` for the admin CLI. */
  actor: z.string().check(z.minLength(1), z.maxLength(320)),
  action: z.string().check(z.regex(/^[a-z]+(\.[a-z-]+)?$/)),
  /** What the action was on: an address, an export id, a token id, a campaign (absent when it is the actor's own). */
  target: z.optional(z.string().check(z.maxLength(400))),
  /** Keyed hash of the client's IP (never the IP itself); absent for the CLI. */
  ipHash: z.optional(z.string()),
}));
export type AuditEntry = z.infer<typeof AuditEntry>;
