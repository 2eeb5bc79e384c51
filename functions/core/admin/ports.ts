import type { Gift } from '../donations/model.js';

export interface AdminTokenRecord {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | undefined;
  /** When a temporary token stops working (whole seconds); a token without one lasts until it is revoked. */
  expiresAt?: string | undefined;
}

/** Which tokens to revoke: the one with this id, or every one with this name. */
export type TokenSelector = { id: string } | { name: string };

/**
 * Admin tokens, stored only as SHA-256 hashes of the token. A token with `expiresAt` is also deleted by the store
 * some time after it (DynamoDB's time to live), but is refused from that moment on by authenticateAdmin.
 */
export interface AdminTokens {
  create(hash: string, record: AdminTokenRecord): Promise<void>;
  findByHash(hash: string): Promise<(AdminTokenRecord & { hash: string }) | undefined>;
  list(): Promise<AdminTokenRecord[]>;
  /** Deletes the token with this id, or every token with this name; returns those it deleted (none: empty). */
  revoke(which: TokenSelector): Promise<AdminTokenRecord[]>;
  touch(hash: string, at: Date): Promise<void>;
}

/** The gifts held for one donor's address: a data-subject access request tells the person about them. */
export interface DonorGifts {
  /**
   * Every gift to a campaign this address has given to (one whose donor marker, filed under `donorKey`, exists),
   * oldest first. Never a table scan: key lookups of the markers, then the index of each of those campaigns.
   */
  find(email: string, donorKey: string): Promise<Gift[]>;
}
