import { ConflictError } from './errors.js';

/**
 * Re-runs a read-modify-write that lost a race (ConflictError), a few times. The first retry is immediate (the
 * winner has written: read it); later ones wait a random few milliseconds, so a crowd of writers spreads out.
 */
export const retryOnConflict = async <T>(attempt: () => Promise<T>, attempts = 5): Promise<T> => {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConflictError) || i >= attempts) throw error;
      if (i > 1) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * 2 ** i)));
    }
  }
};
