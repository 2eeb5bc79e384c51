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
