import type { Gift } from '../donations/model.js';

export interface AdminTokenRecord {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt?: string | undefined;
}

/** Admin tokens, stored only as SHA-256 hashes of the token. */
export interface AdminTokens {
  create(hash: string, record: AdminTokenRecord): Promise<void>;
  findByHash(hash: string): Promise<(AdminTokenRecord & { hash: string }) | undefined>;
  list(): Promise<AdminTokenRecord[]>;
  /** Deletes the token with this id or name; false when there is none. */
  revoke(idOrName: string): Promise<boolean>;
  touch(hash: string, at: Date): Promise<void>;
}

/**
 * A gift a donor's marker names but that the address lookup did not give back (stored before donor addresses were
 * normalised, in another form of the address): known by its id and campaign alone.
 */
export interface GiftReference {
  key: string;
  campaign: string;
}

/** The gifts held for one donor's address: a data-subject access request tells the person about them. */
export interface DonorGifts {
  /**
   * Every gift to a campaign this address has given to (one whose donor marker, filed under `donorKey`, exists),
   * oldest first. Never a table scan: key lookups of the markers, then the index of each of those campaigns.
   */
  find(email: string, donorKey: string): Promise<(Gift | GiftReference)[]>;
}
